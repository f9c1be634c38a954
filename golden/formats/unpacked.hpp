// The one unpacked form that every numeric format decodes to, and the exact
// rounding that every format encodes with.
//
// Invariants:
//  - Finite: value = (-1)^sign * significand * 2^(exponent - 63), with bit 63 of
//    significand set (the hidden bit; subnormals of the source are normalized).
//  - Zero and Inf: exponent 0 and significand 0; the sign is kept (-0, -inf).
//  - NaN (and posit NaR): exponent 0; bit 63 clear; bits 62.. hold the source's
//    fraction field left-aligned (the NaN payload; 0 for NaR).
// Hardware decoders emit the same form at a narrower width: the top SigWidth
// bits of `significand` and `exponent` as a SigWidth/ExpWidth signed field; see
// docs/FORMAT.md ("Unpacked form").
#pragma once

#include <cstdint>

#include "golden/contract/hw_contract.hpp"

namespace ws::golden {

// The class field: zero, finite nonzero, infinity or NaN (posit NaR), coded
// as the hardware contract says (golden/contract/hw_contract.json).
using NumClass = contract::NumClass;

struct Unpacked {
  NumClass cls = NumClass::Zero;
  bool sign = false;
  int32_t exponent = 0;
  uint64_t significand = 0;

  friend bool operator==(const Unpacked&, const Unpacked&) = default;

  static constexpr Unpacked zero(bool sign) { return {NumClass::Zero, sign, 0, 0}; }
  static constexpr Unpacked inf(bool sign) { return {NumClass::Inf, sign, 0, 0}; }
  static constexpr Unpacked nan(bool sign, uint64_t payload_msb_aligned = 0) {
    return {NumClass::NaN, sign, 0, payload_msb_aligned >> 1};
  }
  bool is_finite_nonzero() const { return cls == NumClass::Finite; }

  // The significand as a hardware decoder of width `width` emits it (top bits).
  uint64_t significand_top(int width) const {
    return width >= 64 ? significand : significand >> (64 - width);
  }
};

// Exact conversions between the unpacked form and binary64.
Unpacked unpack_double(double value);
double to_double(const Unpacked& u);  // exact for every format of this library

// The result of rounding a finite nonzero value to a binary format with
// `precision` significand bits and minimum normal exponent `min_exponent`.
// value = integer * 2^quantum_exponent with integer < 2^precision; integer is
// below 2^(precision-1) only for subnormal results (and 0 when it rounds away).
struct RoundedInteger {
  uint64_t integer = 0;
  int32_t quantum_exponent = 0;
};

// Round to nearest, ties to even, on a finite nonzero unpacked value.
RoundedInteger round_to_precision(const Unpacked& u, int precision, int min_exponent);

}  // namespace ws::golden
