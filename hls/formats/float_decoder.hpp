// Float<E, M, Flavor> decoder in synthesizable style. Steps:
//   fields     sign, biased exponent, fraction
//   classify   zero / subnormal / normal / inf / NaN by the flavour's rules
//   normalize  subnormals: leading-zero count on the fraction and a left shift
#pragma once

#include <cstdint>

#include "hls/common/bit_ops.hpp"
#include "hls/formats/unpacked_hw.hpp"

namespace ws::hls {

// Flavor values match golden::FloatFlavor: 0 IEEE, 1 NaN-all-ones (E4M3), 2 finite only.
template <int E, int M, int Flavor>
struct FloatDecoderConfig {
  static constexpr int kExponentBits = E;
  static constexpr int kFractionBits = M;
  static constexpr int kFlavor = Flavor;
  static constexpr int kBias = (1 << (E - 1)) - 1;
  static constexpr int kExpWidth = E + 2;
  static constexpr int kSigWidth = M + 1;
};

template <int E, int M, int Flavor>
HwUnpacked decode_float(uint32_t bits) {
  using Config = FloatDecoderConfig<E, M, Flavor>;
  const bool sign = (bits >> (E + M)) & 1;
  const auto biased = static_cast<int32_t>((bits >> M) & low_mask<E>());
  const uint64_t fraction = bits & low_mask<M>();
  const bool exponent_all_ones = biased == static_cast<int32_t>(low_mask<E>());

  const bool is_nan = (Flavor == 0 && exponent_all_ones && fraction != 0) ||
                      (Flavor == 1 && exponent_all_ones && fraction == low_mask<M>());
  const bool is_inf = Flavor == 0 && exponent_all_ones && fraction == 0;
  if (is_nan) return {NumClass::NaN, sign, 0, fraction};
  if (is_inf) return {NumClass::Inf, sign, 0, 0};
  if (biased == 0 && fraction == 0) return {NumClass::Zero, sign, 0, 0};

  constexpr uint64_t kHidden = uint64_t{1} << M;
  if (biased == 0) {
    const int shift = leading_zeros<M>(fraction) + 1;
    return {NumClass::Finite, sign, 1 - Config::kBias - shift, kHidden | shift_left<M>(fraction, shift)};
  }
  return {NumClass::Finite, sign, biased - Config::kBias, kHidden | fraction};
}

}  // namespace ws::hls
