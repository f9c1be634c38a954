#include "golden/quant/mx_block.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

#include "golden/formats/format_registry.hpp"
#include "golden/formats/scale_e8m0.hpp"
#include "golden/quant/scaled_rounding.hpp"

namespace ws::golden {
namespace {

// MXINT8 elements are two's complement bytes read as code * 2^-6 (OCP MX
// v1.0, INT8 element type): -2 .. 1.984375, emax 0.
constexpr int kInt8FractionShift = 6;
constexpr int32_t kInt8CodeMax = 127;

constexpr std::array<MxFormat, 6> kMxFormats = {{
    {"mxfp8-e4m3", "e4m3", 8},
    {"mxfp8-e5m2", "e5m2", 8},
    {"mxfp6-e3m2", "e3m2", 6},
    {"mxfp6-e2m3", "e2m3", 6},
    {"mxfp4", "e2m1", 4},
    {"mxint8", "", 8},
}};

const FormatInfo& element_info(const MxFormat& format) {
  const FormatInfo* f = find_format(format.element_format);
  if (f == nullptr) throw std::logic_error("mx format " + std::string(format.name) + " has no element format");
  return *f;
}

}  // namespace

std::span<const MxFormat> mx_formats() { return kMxFormats; }

const MxFormat* find_mx_format(std::string_view name) {
  for (const MxFormat& f : kMxFormats) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

MxElementRange mx_element_range(const MxFormat& format) {
  if (format.element_format.empty()) return {std::ldexp(kInt8CodeMax, -kInt8FractionShift), 0};
  const Unpacked largest = max_finite(element_info(format));
  return {to_double(largest), largest.exponent};
}

int mx_shared_exponent(const MxFormat& format, double block_amax) {
  // OCP MX v1.0 conversion of a vector of scalars: X = 2^(floor(log2(max_i
  // |V_i|)) - emax_elem), so the block's largest magnitude lands in the
  // element format's top binade; E8M0 holds exponents -127..127. The spec
  // leaves an all-zero block's scale open: it gets the smallest, 2^-127.
  if (block_amax == 0) return -ScaleE8M0::kBias;
  return std::clamp(std::ilogb(block_amax) - mx_element_range(format).emax, -ScaleE8M0::kBias, ScaleE8M0::kBias);
}

QuantResult mx_quantize(const MxFormat& format, std::span<const float> weights, int64_t rows, int64_t cols) {
  check_quant_input(format.name, weights, rows, cols, kMxBlock);
  const bool integer = format.element_format.empty();
  const FormatInfo* element = integer ? nullptr : &element_info(format);
  const double largest = mx_element_range(format).max_value;

  QuantResult result;
  QuantizedTensor& q = result.stored;
  q.method = std::string(format.name);
  q.rows = rows;
  q.cols = cols;
  q.group = kMxBlock;
  q.code_kind = integer ? CodeKind::SignedInt : CodeKind::Float;
  q.code_bits = format.element_bits;
  q.element_format = std::string(format.element_format);
  q.element_fraction_shift = integer ? kInt8FractionShift : 0;
  q.scale_kind = ScaleKind::E8M0;
  q.codes.resize(weights.size());
  q.scales.resize(static_cast<size_t>(q.groups()));
  result.dequantized.resize(weights.size());

  for (int64_t b = 0; b < q.groups(); ++b) {
    const auto [first, count] = q.group_span(b);
    const std::span<const float> block = weights.subspan(static_cast<size_t>(first), static_cast<size_t>(count));
    double amax = 0;
    for (const float v : block) amax = std::max(amax, std::fabs(double{v}));
    const int shared = mx_shared_exponent(format, amax);
    q.scales[b] = static_cast<uint32_t>(shared + ScaleE8M0::kBias);
    for (int64_t i = first; i < first + count; ++i) {
      // Exact in double: a power-of-two scaling of an fp32 value. Then
      // P_i = V_i / X rounded to the element format, nearest even, and
      // clamped to its largest normal (never inf or NaN), as the spec says.
      const double scaled = std::clamp(std::ldexp(double{weights[i]}, -shared), -largest, largest);
      double element_value;
      if (integer) {
        // Symmetric clamp to -127..127: the INT8 element reaches -2 (code
        // -128), but conversion clamps to +-1.984375, the largest magnitude
        // of both signs, as the spec's reference implementation does; -128
        // is still a valid pattern to read.
        const auto code = static_cast<int32_t>(std::rint(std::ldexp(scaled, kInt8FractionShift)));
        q.codes[i] = static_cast<uint32_t>(code) & 0xffu;
        element_value = std::ldexp(code, -kInt8FractionShift);
      } else {
        q.codes[i] = element->encode(unpack_double(scaled));
        element_value = to_double(element->decode(q.codes[i]));
      }
      result.dequantized[i] = static_cast<float>(std::ldexp(element_value, shared));
    }
  }
  return result;
}

}  // namespace ws::golden
