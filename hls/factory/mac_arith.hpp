// The token factory's multiply and round, as the RTL builds them
// (rtl/factory/bf16_operand.sv, exact_product.sv, acc_round_fp32.sv); the
// definition is golden's (golden/factory/factory_arith.hpp):
//   operand   bf16 -> {sign, 8-bit significand, offset in the window} or
//             0 below the window; inf, NaN and values at or above
//             2^FactoryExpMax are operand errors and read 0
//   product   significands multiplied (16 bits), shifted by the sum of the
//             offsets into the accumulator, negated when the signs differ
//   round     leading one of |acc|, 24 bits kept, nearest even, to fp32
#pragma once

#include <cstdint>

#include "golden/contract/hw_contract.hpp"
#include "hls/common/wide_int.hpp"

namespace ws::hls {

inline constexpr int kFactoryAccBits = contract::kFactoryAccBits;
using FactoryAcc = WideInt<kFactoryAccBits>;

struct FactoryOperand {
  bool negative = false;
  uint32_t sig = 0;   // 0 or 128..255
  int shift = 0;      // 0 .. FactoryExpMax - 1 - FactoryExpMin
  bool error = false;
};

inline FactoryOperand factory_operand(uint16_t bf16) {
  FactoryOperand op;
  op.negative = (bf16 >> 15) != 0;
  const int biased = (bf16 >> 7) & 0xFF;
  const bool too_large = biased == 0xFF || biased >= 127 + contract::kFactoryExpMax;
  const bool in_window = biased >= 127 + contract::kFactoryExpMin && !too_large;
  op.error = too_large;
  op.sig = in_window ? 0x80u | (bf16 & 0x7Fu) : 0u;
  op.shift = in_window ? biased - 127 - contract::kFactoryExpMin : 0;
  return op;
}

inline FactoryAcc factory_product(const FactoryOperand& w, const FactoryOperand& a) {
  return FactoryAcc::shifted(w.sig * a.sig, w.shift + a.shift, w.negative != a.negative);
}

// The accumulator's value, rounded to nearest even, as fp32 bits.
inline uint32_t factory_round(const FactoryAcc& acc) {
  if (acc.is_zero()) return 0;
  const bool negative = acc.negative();
  const FactoryAcc magnitude = negative ? acc.negated() : acc;
  int top = magnitude.top_bit();
  const int lsb = top - 23;  // the kept bits are [lsb, top]
  uint32_t kept = magnitude.field(lsb) & 0xFFFFFFu;
  const bool guard = lsb >= 1 && magnitude.bit(lsb - 1);
  const bool sticky = lsb >= 2 && magnitude.any_below(lsb - 1);
  if (guard && (sticky || (kept & 1u) != 0)) ++kept;
  if ((kept >> 24) != 0) {  // carried into a new bit
    kept >>= 1;
    ++top;
  }
  const int exponent = top + 2 * contract::kFactoryExpMin - 14;
  return (negative ? 0x80000000u : 0u) | static_cast<uint32_t>(exponent + 127) << 23 | (kept & 0x7FFFFFu);
}

}  // namespace ws::hls
