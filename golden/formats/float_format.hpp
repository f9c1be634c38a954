// Float<E, M, Flavor>: binary floating point with E exponent bits, M fraction
// bits, bias 2^(E-1)-1 and subnormals, in three flavours:
//  - Ieee:       all-ones exponent is inf (fraction 0) or NaN; overflow -> inf.
//                fp32, fp16, bf16 and OCP E5M2.
//  - NanAllOnes: OCP E4M3 ("FN"): no inf; NaN only when exponent and fraction
//                are all ones; overflow and inf saturate to +-max.
//  - Finite:     OCP FP6/FP4 (E2M3, E3M2, E2M1): every pattern is finite;
//                overflow and inf saturate to +-max; NaN encodes to +0.
// Encoding rounds to nearest, ties to even. A NaN keeps its sign and the top
// fraction bits of its payload, with the quiet bit set (as x86 conversions do).
#pragma once

#include <bit>
#include <cstdint>

#include "golden/formats/unpacked.hpp"

namespace ws::golden {

enum class FloatFlavor : uint8_t { Ieee = 0, NanAllOnes = 1, Finite = 2 };

template <int E, int M, FloatFlavor Flavor = FloatFlavor::Ieee>
struct Float {
  static_assert(E >= 2 && E <= 8 && M >= 1 && M <= 23);

  static constexpr int kExponentBits = E;
  static constexpr int kFractionBits = M;
  static constexpr int kBits = 1 + E + M;
  static constexpr FloatFlavor kFlavor = Flavor;
  static constexpr int kBias = (1 << (E - 1)) - 1;
  static constexpr uint32_t kAllOnesExponent = (1u << E) - 1;
  static constexpr uint32_t kFractionMask = (1u << M) - 1;
  static constexpr uint32_t kMaxFiniteBiased =
      Flavor == FloatFlavor::Ieee ? kAllOnesExponent - 1 : kAllOnesExponent;
  static constexpr uint32_t kMaxFiniteFraction =
      Flavor == FloatFlavor::NanAllOnes ? kFractionMask - 1 : kFractionMask;
  static constexpr int kMinNormalExponent = 1 - kBias;
  // Widths of the unpacked form a hardware decoder emits (see unpacked.hpp).
  static constexpr int kSigWidth = M + 1;
  static constexpr int kExpWidth = E + 2;

  static constexpr uint32_t kSignBit = 1u << (E + M);
  static constexpr uint32_t kMaxFinite = (kMaxFiniteBiased << M) | kMaxFiniteFraction;

  static Unpacked decode(uint32_t bits) {
    const bool sign = (bits & kSignBit) != 0;
    const uint32_t biased = (bits >> M) & kAllOnesExponent;
    const uint32_t fraction = bits & kFractionMask;
    const uint64_t payload = uint64_t{fraction} << (64 - M);
    if (Flavor == FloatFlavor::Ieee && biased == kAllOnesExponent) {
      return fraction == 0 ? Unpacked::inf(sign) : Unpacked::nan(sign, payload);
    }
    if (Flavor == FloatFlavor::NanAllOnes && biased == kAllOnesExponent && fraction == kFractionMask) {
      return Unpacked::nan(sign, payload);
    }
    if (biased == 0) {
      if (fraction == 0) return Unpacked::zero(sign);
      const int top = std::bit_width(fraction) - 1;  // value = fraction * 2^(emin - M)
      return {NumClass::Finite, sign, kMinNormalExponent - M + top, uint64_t{fraction} << (63 - top)};
    }
    return {NumClass::Finite, sign, static_cast<int32_t>(biased) - kBias,
            (uint64_t{1} << 63) | (uint64_t{fraction} << (63 - M))};
  }

  static uint32_t encode(const Unpacked& u) {
    const uint32_t sign = u.sign ? kSignBit : 0;
    switch (u.cls) {
      case NumClass::Zero: return sign;
      case NumClass::NaN:
        if (Flavor == FloatFlavor::Ieee) {
          const uint32_t quiet = 1u << (M - 1);
          const auto payload = static_cast<uint32_t>((u.significand << 1) >> (64 - M));
          return sign | (kAllOnesExponent << M) | quiet | payload;
        }
        if (Flavor == FloatFlavor::NanAllOnes) return sign | (kAllOnesExponent << M) | kFractionMask;
        return 0;
      case NumClass::Inf:
        return sign | (Flavor == FloatFlavor::Ieee ? kAllOnesExponent << M : kMaxFinite);
      case NumClass::Finite: break;
    }
    const RoundedInteger r = round_to_precision(u, M + 1, kMinNormalExponent);
    if (r.integer >> M == 0) return sign | static_cast<uint32_t>(r.integer);  // subnormal or zero
    const int64_t biased = int64_t{r.quantum_exponent} + M + kBias;
    const auto fraction = static_cast<uint32_t>(r.integer) & kFractionMask;
    const bool overflow = biased > kMaxFiniteBiased ||
                          (biased == kMaxFiniteBiased && fraction > kMaxFiniteFraction);
    if (overflow) return sign | (Flavor == FloatFlavor::Ieee ? kAllOnesExponent << M : kMaxFinite);
    return sign | (static_cast<uint32_t>(biased) << M) | fraction;
  }

  static uint32_t encode(double value) { return encode(unpack_double(value)); }
};

using Fp32 = Float<8, 23>;
using Fp16 = Float<5, 10>;
using Bf16 = Float<8, 7>;
using E5M2 = Float<5, 2>;
using E4M3 = Float<4, 3, FloatFlavor::NanAllOnes>;
using E3M2 = Float<3, 2, FloatFlavor::Finite>;
using E2M3 = Float<2, 3, FloatFlavor::Finite>;
using E2M1 = Float<2, 1, FloatFlavor::Finite>;

// fp32 bits of any unpacked value, rounded to nearest even (inf on overflow).
inline uint32_t to_fp32_bits(const Unpacked& u) { return Fp32::encode(u); }
inline float to_float(const Unpacked& u) { return std::bit_cast<float>(to_fp32_bits(u)); }

}  // namespace ws::golden
