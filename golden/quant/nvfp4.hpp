// NVFP4: E2M1 elements in blocks of 16 along a row, one E4M3 scale per
// block and one fp32 scale for the whole tensor. The two-level scale is what
// lets an E4M3 block scale (range 2^-9 .. 448) serve a tensor of any
// magnitude: the tensor scale maps the tensor's largest block scale to 448.
//
//   tensor_scale = fp32(amax_tensor / (6 * 448))
//   block scale  = e4m3(amax_block / 6 / tensor_scale)     (saturates to 448)
//   element      = e2m1(v / (block scale * tensor_scale))   (saturates to +-6)
// computed in double (one rounding per operation), then rounded to the
// formats, nearest even. A block whose scale is 0 (all zero, or too small
// for E4M3 next to the tensor's largest block) has codes +0. An all-zero
// tensor has tensor scale 1; a tensor scale that underflows fp32 becomes the
// smallest fp32 subnormal.
#pragma once

#include <cstdint>
#include <span>

#include "golden/quant/quant_methods.hpp"

namespace ws::golden {

inline constexpr int kNvfp4Block = 16;

// Method name "nvfp4".
QuantResult nvfp4_quantize(std::span<const float> weights, int64_t rows, int64_t cols);

}  // namespace ws::golden
