// Bit-level building blocks of the hls models, written as hardware would
// build them: fixed widths from template parameters, statically bounded loops.
#pragma once

#include <cstdint>

namespace ws::hls {

template <int Width>
constexpr uint64_t low_mask() {
  static_assert(Width >= 0 && Width <= 64);
  if constexpr (Width == 64) {
    return ~uint64_t{0};
  } else {
    return (uint64_t{1} << Width) - 1;
  }
}

// Number of leading zeros of a Width-bit value (Width when it is zero): a
// priority encoder scanning from the most significant bit.
template <int Width>
constexpr int leading_zeros(uint64_t value) {
  int count = Width;
  for (int i = 0; i < Width; ++i) {  // the last set bit seen is the highest
    if ((value >> i) & 1) count = Width - 1 - i;
  }
  return count;
}

// Left shift inside a Width-bit register: bits shifted past the top are lost.
template <int Width>
constexpr uint64_t shift_left(uint64_t value, int amount) {
  return amount >= Width ? 0 : (value << amount) & low_mask<Width>();
}

// Sign-extends the low Width bits of value.
template <int Width>
constexpr int32_t sign_extend(uint64_t value) {
  const uint64_t sign = uint64_t{1} << (Width - 1);
  return static_cast<int32_t>(static_cast<int64_t>((value & low_mask<Width>()) ^ sign) - static_cast<int64_t>(sign));
}

}  // namespace ws::hls
