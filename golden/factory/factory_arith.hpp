// The token factory's arithmetic, the one definition the hls model and the
// RTL reproduce bit for bit (docs/FORMAT.md 17). A weight and an activation
// are bf16 patterns. Each operand is read as an integer significand of 8 bits
// (hidden bit included) and an exponent. The window is
// [2^FactoryExpMin, 2^FactoryExpMax) in the contract:
//   - below the window (zero, subnormals, tiny values) an operand is 0;
//   - above it, inf or NaN, the operand is an operand error, and 0.
// A product is exact: 16 bits of significand, shifted by the two operands'
// offsets into a fixed-point accumulator whose unit is the smallest product
// LSB, 2^(2 FactoryExpMin - 14). The accumulator has FactoryAccBits bits,
// enough for 2^FactoryColBits products of the largest magnitude, so a row's
// sum is exact whatever the order. It is rounded once, to nearest even, to
// fp32. Every nonzero sum lies in fp32's normal range, so there is no
// subnormal, overflow or -0 case.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "golden/contract/hw_contract.hpp"

namespace ws::golden::factory {

inline constexpr int kExpMin = contract::kFactoryExpMin;
inline constexpr int kExpMax = contract::kFactoryExpMax;
inline constexpr int kSigBits = 8;                              // bf16 significand with its hidden bit
inline constexpr int kMaxShift = kExpMax - 1 - kExpMin;          // an operand's largest offset in the window
inline constexpr int kProductBits = 2 * kSigBits;                // an exact product's significand
inline constexpr int kAccLsbExponent = 2 * kExpMin - 2 * (kSigBits - 1);  // the accumulator's unit, 2^-78
inline constexpr int kAccBits = contract::kFactoryAccBits;
static_assert(kAccBits == kProductBits + 2 * kMaxShift + contract::kFactoryColBits + 1,
              "the contract's accumulator width must hold 2^FactoryColBits largest products and a sign");
static_assert(kAccBits <= 127, "golden keeps the accumulator in a signed 128-bit integer");

using Accumulator = __int128;

// An operand as the multiplier sees it: value = (-1)^negative * sig * 2^(shift + kExpMin - 7).
struct Operand {
  bool negative = false;
  uint32_t sig = 0;    // 0 (flushed) or 128..255
  int shift = 0;       // 0..kMaxShift
  bool error = false;  // inf, NaN or |value| >= 2^kExpMax
};
Operand decode_operand(uint16_t bf16);

// The exact product of a weight and an activation in accumulator units; sets
// `error` when either operand is an operand error.
Accumulator product(uint16_t weight, uint16_t activation, bool& error);

// The accumulator rounded to nearest even, as fp32 bits (+0 for 0).
uint32_t round_to_fp32(Accumulator acc);

// fp32 activations as the host sends them: bf16, nearest even.
std::vector<uint16_t> to_bf16_activations(std::span<const float> x);

// The token factory's matrix-vector products, golden's way: out[b * rows + i]
// (fp32 bits) = the rounded exact sum over j of weights[i * cols + j] times
// activations[b * cols + j]. Returns false when an operand error occurred.
bool matvec(std::span<const uint16_t> weights, int64_t rows, int64_t cols, std::span<const uint16_t> activations,
            int batch, std::span<uint32_t> out);

}  // namespace ws::golden::factory
