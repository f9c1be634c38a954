// What a hardware decoder must emit for a pattern, derived from the golden
// unpacked form at the decoder's widths; and a printable form for mismatches.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>

#include "golden/formats/unpacked.hpp"
#include "hls/formats/unpacked_hw.hpp"

namespace ws::sim {

inline hls::HwUnpacked expected_hw(const golden::Unpacked& u, int sig_width) {
  return {u.cls, u.sign, u.exponent, u.significand_top(sig_width)};
}

// True when the exponent fits a signed field of exp_width bits.
inline bool exponent_fits(int32_t exponent, int exp_width) {
  return exponent >= -(int32_t{1} << (exp_width - 1)) && exponent < (int32_t{1} << (exp_width - 1));
}

inline std::string to_string(const hls::HwUnpacked& u) {
  std::ostringstream out;
  out << "{class " << static_cast<int>(u.cls) << ", sign " << u.sign << ", exp " << u.exponent << ", sig 0x" << std::hex
      << u.significand << "}";
  return out.str();
}

}  // namespace ws::sim
