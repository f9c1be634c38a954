// The unpacked form as a hardware decoder emits it: the class (the contract's
// codes, golden/contract/hw_contract.json), a sign, an ExpWidth-bit signed
// exponent and a SigWidth-bit significand whose top bit is the hidden bit (0
// for NaN, whose fraction field follows it; all zero for zero, inf and NaR).
#pragma once

#include <cstdint>

#include "golden/contract/hw_contract.hpp"

namespace ws::hls {

using contract::NumClass;

struct HwUnpacked {
  NumClass cls = NumClass::Zero;
  bool sign = false;
  int32_t exponent = 0;
  uint64_t significand = 0;

  friend bool operator==(const HwUnpacked&, const HwUnpacked&) = default;
};

}  // namespace ws::hls
