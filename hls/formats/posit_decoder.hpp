// Posit decoders in synthesizable style: a run-time variable-precision decoder
// (any N <= NMax and ES <= ESMax per beat) and the fixed Posit<N, ES> decoder
// built on it. The pipeline, one step per line group:
//   align      the N-bit pattern to NMax bits (appended zeros keep a posit's value)
//   negate     two's complement of negative patterns -> magnitude
//   regime     leading-run length by a leading-zero count on the magnitude
//   strip      shift out regime and terminator; ES bits and fraction remain
//   assemble   exponent = k * 2^es + e; significand = 1.fraction
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

#include "hls/common/bit_ops.hpp"
#include "hls/formats/unpacked_hw.hpp"

namespace ws::hls {

template <int NMax, int ESMax>
struct PositVarDecoderConfig {
  static_assert(NMax >= 4 && NMax <= 32 && ESMax >= 0 && ESMax <= 3);
  static constexpr int kMaxBits = NMax;
  static constexpr int kMaxExponentBits = ESMax;
  static constexpr int kExpWidth = std::bit_width(unsigned{NMax} - 1) + ESMax + 1;
  static constexpr int kSigWidth = NMax - 2;  // hidden bit + up to NMax-3 fraction bits (es = 0)
};

// Decodes the low n bits of `bits` as a posit<n, es>, 2 <= n <= NMax, es <= ESMax.
template <int NMax, int ESMax>
HwUnpacked decode_posit_var(uint32_t bits, int n, int es) {
  using Config = PositVarDecoderConfig<NMax, ESMax>;
  constexpr int kBodyWidth = NMax - 1;  // bits after the sign

  const uint64_t aligned = shift_left<NMax>(bits & ((uint64_t{1} << n) - 1), NMax - n);
  const bool sign = (aligned >> (NMax - 1)) & 1;
  if (aligned == 0) return {NumClass::Zero, false, 0, 0};
  if (aligned == uint64_t{1} << (NMax - 1)) return {NumClass::NaN, true, 0, 0};

  const uint64_t magnitude = (sign ? 0 - aligned : aligned) & low_mask<kBodyWidth>();

  const bool regime_bit = (magnitude >> (kBodyWidth - 1)) & 1;
  const uint64_t run_bits = (regime_bit ? ~magnitude : magnitude) & low_mask<kBodyWidth>();
  const int run = leading_zeros<kBodyWidth>(run_bits);  // 1 .. NMax-1

  const uint64_t rest = shift_left<kBodyWidth>(magnitude, run + 1);
  const uint64_t exponent_field = ESMax == 0 ? 0 : (rest >> (kBodyWidth - ESMax)) >> (ESMax - es);
  const uint64_t fraction = shift_left<kBodyWidth>(rest, es);

  const int regime = regime_bit ? run - 1 : -run;
  const int32_t exponent = regime * (1 << es) + static_cast<int32_t>(exponent_field);
  const uint64_t significand =
      (uint64_t{1} << (Config::kSigWidth - 1)) | (fraction >> (kBodyWidth - (Config::kSigWidth - 1)));
  return {NumClass::Finite, sign, exponent, significand};
}

template <int N, int ES>
struct PositDecoderConfig {
  static constexpr int kBits = N;
  static constexpr int kExponentBits = ES;
  static constexpr int kExpWidth = PositVarDecoderConfig<N, ES>::kExpWidth;
  static constexpr int kSigWidth = std::max(1, N - 2 - ES);
};

// The fixed Posit<N, ES> decoder: the variable decoder with constant N and ES;
// the fraction bits an ES of this size can never reach are dropped.
template <int N, int ES>
HwUnpacked decode_posit(uint32_t bits) {
  HwUnpacked u = decode_posit_var<N, ES>(bits, N, ES);
  u.significand >>= PositVarDecoderConfig<N, ES>::kSigWidth - PositDecoderConfig<N, ES>::kSigWidth;
  return u;
}

}  // namespace ws::hls
