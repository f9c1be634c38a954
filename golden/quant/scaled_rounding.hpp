// Rounding real weights to a numeric format with one power-of-two scale per
// tensor: the simplest quantizer, which the main job uses to give every
// hardware decoder real patterns. The scale follows the OCP MX rule for
// floats (the tensor's largest magnitude lands in the format's top binade;
// larger values saturate) and brings a tensor's RMS to about 1 for posits,
// which are most precise near 1.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "golden/formats/format_registry.hpp"
#include "golden/model/tensor.hpp"

namespace ws::golden {

// The largest finite value of a format.
Unpacked max_finite(const FormatInfo& format);

// The power-of-two scale exponent of one tensor's values (0 for an all-zero tensor).
int scale_exponent(const FormatInfo& format, std::span<const float> values);

struct ScaledRounding {
  std::vector<uint32_t> patterns;  // every weight of every tensor, in order
  double snr_db = 0;               // +inf when every weight is held exactly
  double max_abs_error = 0;
};

ScaledRounding round_to_format(const FormatInfo& format, std::span<const Tensor> tensors);

}  // namespace ws::golden
