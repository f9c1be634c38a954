#include "golden/quant/nvfp4.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "golden/formats/float_format.hpp"

namespace ws::golden {
namespace {

constexpr double kE2M1Max = 6;
constexpr double kE4M3Max = 448;

double abs_max(std::span<const float> values) {
  double amax = 0;
  for (const float v : values) amax = std::max(amax, std::fabs(double{v}));
  return amax;
}

float tensor_scale_of(double tensor_amax) {
  if (tensor_amax == 0) return 1.0f;
  const auto scale = static_cast<float>(tensor_amax / (kE2M1Max * kE4M3Max));
  return scale > 0 ? scale : std::numeric_limits<float>::denorm_min();
}

}  // namespace

QuantResult nvfp4_quantize(std::span<const float> weights, int64_t rows, int64_t cols) {
  check_quant_input("nvfp4", weights, rows, cols, kNvfp4Block);
  QuantResult result;
  QuantizedTensor& q = result.stored;
  q.method = "nvfp4";
  q.rows = rows;
  q.cols = cols;
  q.group = kNvfp4Block;
  q.code_kind = CodeKind::Float;
  q.code_bits = E2M1::kBits;
  q.element_format = "e2m1";
  q.scale_kind = ScaleKind::E4M3;
  q.has_tensor_scale = true;
  q.tensor_scale = tensor_scale_of(abs_max(weights));
  q.codes.resize(weights.size());
  q.scales.resize(static_cast<size_t>(q.groups()));
  result.dequantized.resize(weights.size());

  const double tensor_scale = q.tensor_scale;
  for (int64_t b = 0; b < q.groups(); ++b) {
    const auto [first, count] = q.group_span(b);
    const std::span<const float> block = weights.subspan(static_cast<size_t>(first), static_cast<size_t>(count));
    q.scales[b] = E4M3::encode(abs_max(block) / kE2M1Max / tensor_scale);
    const double block_scale = to_double(E4M3::decode(q.scales[b]));
    const double step = block_scale * tensor_scale;  // exact: 4 x 24 significant bits
    for (int64_t i = first; i < first + count; ++i) {
      q.codes[i] = step == 0 ? 0 : E2M1::encode(std::clamp(weights[i] / step, -kE2M1Max, kE2M1Max));
      const auto block_value = static_cast<float>(to_double(E2M1::decode(q.codes[i])) * block_scale);
      result.dequantized[i] = static_cast<float>(double{block_value} * tensor_scale);
    }
  }
  return result;
}

}  // namespace ws::golden
