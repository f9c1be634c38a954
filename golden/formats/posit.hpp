// Posit<N, ES>: the posit format of width N with ES exponent bits (the 2022
// standard fixes ES = 2; legacy posits use other ES).
//
// Invariants:
//  - Pattern 0 is zero, 1 followed by N-1 zeros is NaR (unpacked as NaN, sign 1).
//  - A negative posit is the two's complement of its magnitude's pattern.
//  - Exponent = k * 2^ES + e, where the regime k lies in [-(N-2), N-2], so
//    the unpacked exponent lies in [-(N-2) 2^ES, (N-2) 2^ES].
//  - Encoding rounds to nearest, ties to even, on the bit string, and
//    saturates: a nonzero value never becomes zero or NaR; NaN and inf become NaR.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

#include "golden/formats/unpacked.hpp"

namespace ws::golden {

template <int N, int ES>
struct Posit {
  static_assert(N >= 2 && N <= 32 && ES >= 0 && ES <= 3);

  static constexpr int kBits = N;
  static constexpr int kExponentBits = ES;
  static constexpr uint32_t kMask = N == 32 ? 0xffffffffu : (1u << N) - 1;
  static constexpr uint32_t kNaR = 1u << (N - 1);
  static constexpr uint32_t kMaxPos = kNaR - 1;
  static constexpr uint32_t kMinPos = 1;
  static constexpr int kMaxExponent = (N - 2) << ES;
  // Widths of the unpacked form a hardware decoder emits (see unpacked.hpp).
  static constexpr int kSigWidth = std::max(1, N - 2 - ES);
  static constexpr int kExpWidth = std::bit_width(unsigned{N} - 1) + ES + 1;

  static Unpacked decode(uint32_t bits) {
    bits &= kMask;
    if (bits == 0) return Unpacked::zero(false);
    if (bits == kNaR) return Unpacked::nan(true);
    const bool sign = (bits & kNaR) != 0;
    const uint32_t magnitude = sign ? (0u - bits) & kMask : bits;

    int index = N - 2;  // next bit to read, from the bit after the sign
    auto bit_at = [&](int i) { return i >= 0 ? (magnitude >> i) & 1u : 0u; };
    const uint32_t regime_bit = bit_at(index);
    int run = 0;
    while (index >= 0 && bit_at(index) == regime_bit) {
      ++run;
      --index;
    }
    const int regime = regime_bit ? run - 1 : -run;
    --index;  // the terminating bit (absent when the run reaches the end)

    int exponent_field = 0;  // bits cut off by the end of the pattern read as 0
    for (int i = 0; i < ES; ++i, --index) exponent_field = (exponent_field << 1) | static_cast<int>(bit_at(index));

    const int fraction_bits = std::max(0, index + 1);
    const uint64_t fraction = magnitude & ((uint64_t{1} << fraction_bits) - 1);
    return {NumClass::Finite, sign, regime * (1 << ES) + exponent_field,
            (uint64_t{1} << 63) | (fraction << (63 - fraction_bits))};
  }

  static uint32_t encode(const Unpacked& u) {
    switch (u.cls) {
      case NumClass::Zero: return 0;
      case NumClass::NaN:
      case NumClass::Inf: return kNaR;
      case NumClass::Finite: break;
    }
    uint32_t magnitude;
    if (u.exponent >= kMaxExponent) {
      magnitude = kMaxPos;
    } else if (u.exponent < -kMaxExponent) {
      magnitude = kMinPos;
    } else {
      magnitude = round_bit_string(u);
    }
    return u.sign ? (0u - magnitude) & kMask : magnitude;
  }

  static uint32_t encode(double value) { return encode(unpack_double(value)); }

 private:
  // The magnitude's infinite bit string (regime, exponent, fraction) rounded to
  // N-1 bits, nearest even; never 0 and never past maxpos.
  static uint32_t round_bit_string(const Unpacked& u) {
    using u128 = unsigned __int128;
    u128 bits = 0;
    int length = 0;
    auto append = [&](uint64_t value, int count) {
      bits = (bits << count) | value;
      length += count;
    };
    const int regime = u.exponent >> ES;  // floor division
    const int exponent_field = u.exponent & ((1 << ES) - 1);
    if (regime >= 0) {
      append((uint64_t{1} << (regime + 1)) - 1, regime + 1);
      append(0, 1);
    } else {
      append(0, -regime);
      append(1, 1);
    }
    append(static_cast<uint64_t>(exponent_field), ES);
    append(u.significand & ~(uint64_t{1} << 63), 63);  // fraction after the hidden bit

    const int drop = length - (N - 1);
    auto kept = static_cast<uint32_t>(bits >> drop);
    const bool guard = (bits >> (drop - 1)) & 1;
    const bool sticky = (bits & ((u128{1} << (drop - 1)) - 1)) != 0;
    if (guard && (sticky || (kept & 1))) ++kept;
    return std::clamp(kept, kMinPos, kMaxPos);
  }
};

}  // namespace ws::golden
