// ScaleE8M0: the OCP MX block scale, an unsigned power of two 2^(bits - 127).
// Pattern 0xff is NaN; there is no zero, no sign and no infinity.
// Encoding rounds to the nearest power of two (ties up: nearest even with one
// significant bit) and
// saturates to [2^-127, 2^127]; zero, negative values, inf and NaN encode to NaN.
#pragma once

#include <algorithm>
#include <cstdint>

#include "golden/formats/unpacked.hpp"

namespace ws::golden {

struct ScaleE8M0 {
  static constexpr int kBits = 8;
  static constexpr int kBias = 127;
  static constexpr uint32_t kNaN = 0xff;

  static Unpacked decode(uint32_t bits) {
    bits &= 0xff;
    if (bits == kNaN) return Unpacked::nan(false);
    return {NumClass::Finite, false, static_cast<int32_t>(bits) - kBias, uint64_t{1} << 63};
  }

  static uint32_t encode(const Unpacked& u) {
    if (u.cls != NumClass::Finite || u.sign) return kNaN;
    // One significant bit: the result is integer * 2^quantum with integer 0 or 1.
    const RoundedInteger r = round_to_precision(u, 1, -kBias);
    const int32_t exponent = r.integer == 0 ? -kBias : r.quantum_exponent;
    return static_cast<uint32_t>(std::clamp(exponent, -kBias, kBias) + kBias);
  }

  static uint32_t encode(double value) { return encode(unpack_double(value)); }
};

}  // namespace ws::golden
