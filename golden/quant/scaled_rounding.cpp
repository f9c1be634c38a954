#include "golden/quant/scaled_rounding.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace ws::golden {

Unpacked max_finite(const FormatInfo& f) {
  uint32_t p = f.encode(unpack_double(DBL_MAX));
  if (f.decode(p).cls == NumClass::Inf) --p;
  return f.decode(p);
}

int scale_exponent(const FormatInfo& f, std::span<const float> values) {
  double amax = 0, sum_squares = 0;
  for (const float v : values) {
    amax = std::max(amax, std::fabs(double{v}));
    sum_squares += double{v} * v;
  }
  if (amax == 0) return 0;
  if (f.family == FormatFamily::Posit) {
    return static_cast<int>(std::lround(std::log2(std::sqrt(sum_squares / static_cast<double>(values.size())))));
  }
  return std::ilogb(amax) - max_finite(f).exponent;
}

ScaledRounding round_to_format(const FormatInfo& f, std::span<const Tensor> tensors) {
  ScaledRounding r;
  const double largest = to_double(max_finite(f));
  double signal = 0, noise = 0;
  for (const Tensor& t : tensors) {
    const std::vector<float> values = t.to_floats();
    const int scale = scale_exponent(f, values);
    for (const float v : values) {
      const double scaled = std::clamp(std::ldexp(double{v}, -scale), -largest, largest);
      const uint32_t pattern = f.encode(unpack_double(scaled));
      const double q = std::ldexp(to_double(f.decode(pattern)), scale);
      signal += double{v} * v;
      noise += (q - v) * (q - v);
      r.max_abs_error = std::max(r.max_abs_error, std::fabs(q - v));
      r.patterns.push_back(pattern);
    }
  }
  r.snr_db = noise == 0 ? INFINITY : 10 * std::log10(signal / noise);
  return r;
}

}  // namespace ws::golden
