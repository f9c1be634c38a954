// Round-to-nearest integer quantisation with one fp16 scale per group of
// `group` weights along a row: the baseline every other method is measured
// against, and (through IntGroupGrid) the grid GPTQ rounds to.
//
//  symmetric   codes -qmax..qmax (qmax = 2^(N-1) - 1, two's complement),
//              scale = fp16(amax / qmax), code = clamp(rint(w / scale)).
//  asymmetric  codes 0..2^N - 1 with a zero point z per group: over the
//              group's range [lo, hi] widened to hold 0,
//              scale = fp16((hi - lo) / (2^N - 1)), z = clamp(rint(-lo / scale)),
//              code = clamp(rint(w / scale) + z).
// `scale` is always the decoded fp16 value; rint rounds half to even. An
// all-zero group has scale 0, zero point 0 and codes 0. fp16 guards: a scale
// above 65504 saturates to 65504 (the group's largest weights then clamp to
// the end codes); a nonzero scale that rounds to 0 becomes 2^-24, the
// smallest fp16, so no nonzero group collapses to a zero scale. In the fp16
// subnormal range (scales below 2^-14) the scale keeps fewer than 11 bits
// and the half-step error bound of normal scales no longer holds exactly.
#pragma once

#include <cstdint>
#include <span>

#include "golden/quant/quant_methods.hpp"
#include "golden/quant/quantized_tensor.hpp"

namespace ws::golden {

// One group's integer grid: value(code) = (code - zero_point) * scale.
struct IntGroupGrid {
  uint32_t scale_pattern = 0;  // fp16
  double scale = 0;            // decoded scale_pattern
  int32_t zero_point = 0;      // 0 on a symmetric grid
  int32_t code_min = 0, code_max = 0;

  int32_t nearest_code(double w) const;  // clamp(rint(w / scale) + zero_point); zero_point when scale is 0
  double value(int32_t code) const { return static_cast<double>(code - zero_point) * scale; }
};

// Grids from a group's statistics: its largest magnitude, or its extremes.
IntGroupGrid symmetric_grid(double amax, int bits);
IntGroupGrid asymmetric_grid(double lo, double hi, int bits);

// An integer-coded tensor with every field but the patterns set, codes,
// scales (and zero points) sized; method is the name it is stored under.
QuantizedTensor int_tensor_layout(std::string method, int64_t rows, int64_t cols, int bits, int group, bool symmetric);
// Stores a group's scale and zero point, and a code at weight `index`.
void store_grid(QuantizedTensor& q, int64_t group_index, const IntGroupGrid& grid);
void store_code(QuantizedTensor& q, int64_t index, int32_t code);

// Method names "rtn-sym" and "rtn-asym".
QuantResult rtn_quantize(std::span<const float> weights, int64_t rows, int64_t cols, int bits, int group,
                         bool symmetric);

}  // namespace ws::golden
