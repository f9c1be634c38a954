#include "golden/quant/rtn.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "golden/formats/float_format.hpp"

namespace ws::golden {
namespace {

// The fp16 pattern of a group's step, guarded as rtn.hpp says.
uint32_t fp16_step(double step) {
  if (step == 0) return 0;
  const uint32_t pattern = Fp16::encode(step);
  if (pattern == Fp16::kAllOnesExponent << Fp16::kFractionBits) return Fp16::kMaxFinite;  // overflow to inf
  return pattern == 0 ? 1 : pattern;  // underflow to zero: the smallest subnormal
}

IntGroupGrid grid_with_step(double step, int32_t code_min, int32_t code_max) {
  IntGroupGrid grid;
  grid.scale_pattern = fp16_step(step);
  grid.scale = to_double(Fp16::decode(grid.scale_pattern));
  grid.code_min = code_min;
  grid.code_max = code_max;
  return grid;
}

// Clamped before the cast, so never out of range (NaN gives code_min).
int32_t clamp_to_codes(double code, int32_t code_min, int32_t code_max) {
  if (!(code > code_min)) return code_min;
  return code < code_max ? static_cast<int32_t>(code) : code_max;
}

}  // namespace

int32_t IntGroupGrid::nearest_code(double w) const {
  if (scale == 0) return zero_point;
  return clamp_to_codes(std::rint(w / scale) + zero_point, code_min, code_max);
}

IntGroupGrid symmetric_grid(double amax, int bits) {
  const int32_t qmax = (1 << (bits - 1)) - 1;
  return grid_with_step(amax / qmax, -qmax, qmax);
}

IntGroupGrid asymmetric_grid(double lo, double hi, int bits) {
  // The range always holds 0, so the zero point is a code and 0.0 is exact.
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  const int32_t levels = (1 << bits) - 1;
  IntGroupGrid grid = grid_with_step((hi - lo) / levels, 0, levels);
  if (grid.scale != 0) grid.zero_point = clamp_to_codes(std::rint(-lo / grid.scale), 0, levels);
  return grid;
}

QuantizedTensor int_tensor_layout(std::string method, int64_t rows, int64_t cols, int bits, int group, bool symmetric) {
  QuantizedTensor q;
  q.method = std::move(method);
  q.rows = rows;
  q.cols = cols;
  q.group = group;
  q.code_kind = symmetric ? CodeKind::SignedInt : CodeKind::UnsignedInt;
  q.code_bits = bits;
  q.scale_kind = ScaleKind::Fp16;
  q.has_zero_point = !symmetric;
  q.codes.resize(static_cast<size_t>(q.size()));
  q.scales.resize(static_cast<size_t>(q.groups()));
  if (!symmetric) q.zero_points.resize(static_cast<size_t>(q.groups()));
  return q;
}

void store_grid(QuantizedTensor& q, int64_t group_index, const IntGroupGrid& grid) {
  q.scales[group_index] = grid.scale_pattern;
  if (q.has_zero_point) q.zero_points[group_index] = static_cast<uint32_t>(grid.zero_point);
}

void store_code(QuantizedTensor& q, int64_t index, int32_t code) {
  q.codes[index] = static_cast<uint32_t>(code) & ((1u << q.code_bits) - 1);  // two's complement when signed
}

QuantResult rtn_quantize(std::span<const float> weights, int64_t rows, int64_t cols, int bits, int group,
                         bool symmetric) {
  const char* method = symmetric ? "rtn-sym" : "rtn-asym";
  check_quant_input(method, weights, rows, cols, group);
  check_int_bits(method, bits);
  QuantResult result{int_tensor_layout(method, rows, cols, bits, group, symmetric), std::vector<float>(weights.size())};
  for (int64_t g = 0; g < result.stored.groups(); ++g) {
    const auto [first, count] = result.stored.group_span(g);
    const std::span<const float> values = weights.subspan(static_cast<size_t>(first), static_cast<size_t>(count));
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    const IntGroupGrid grid =
        symmetric ? symmetric_grid(std::max(-double{*lo}, double{*hi}), bits) : asymmetric_grid(*lo, *hi, bits);
    store_grid(result.stored, g, grid);
    for (int64_t i = first; i < first + count; ++i) {
      const int32_t code = grid.nearest_code(weights[i]);
      store_code(result.stored, i, code);
      result.dequantized[i] = static_cast<float>(grid.value(code));
    }
  }
  return result;
}

}  // namespace ws::golden
