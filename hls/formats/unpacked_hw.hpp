// The unpacked form as a hardware decoder emits it: a 2-bit class (the values
// of golden::NumClass), a sign, an ExpWidth-bit signed exponent and a
// SigWidth-bit significand whose top bit is the hidden bit (0 for NaN, whose
// fraction field follows it; all zero for zero, inf and NaR).
#pragma once

#include <cstdint>

namespace ws::hls {

struct HwUnpacked {
  uint8_t cls = 0;
  bool sign = false;
  int32_t exponent = 0;
  uint64_t significand = 0;

  friend bool operator==(const HwUnpacked&, const HwUnpacked&) = default;
};

inline constexpr uint8_t kClassZero = 0;
inline constexpr uint8_t kClassFinite = 1;
inline constexpr uint8_t kClassInf = 2;
inline constexpr uint8_t kClassNaN = 3;

}  // namespace ws::hls
