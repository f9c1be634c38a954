#include "golden/formats/unpacked.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ws::golden {

Unpacked unpack_double(double value) {
  const uint64_t bits = std::bit_cast<uint64_t>(value);
  const bool sign = bits >> 63;
  const int biased = static_cast<int>((bits >> 52) & 0x7ff);
  const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
  if (biased == 0x7ff) {
    return fraction == 0 ? Unpacked::inf(sign) : Unpacked::nan(sign, fraction << 12);
  }
  if (biased == 0 && fraction == 0) return Unpacked::zero(sign);
  if (biased == 0) {  // subnormal: normalize
    const int shift = std::countl_zero(fraction);
    return {NumClass::Finite, sign, -1022 - (shift - 11), fraction << shift};
  }
  return {NumClass::Finite, sign, biased - 1023, (uint64_t{1} << 63) | (fraction << 11)};
}

double to_double(const Unpacked& u) {
  switch (u.cls) {
    case NumClass::Zero: return u.sign ? -0.0 : 0.0;
    case NumClass::Inf: return u.sign ? -INFINITY : INFINITY;
    case NumClass::NaN: {
      const uint64_t quiet = uint64_t{1} << 51;
      const uint64_t payload = (u.significand << 1) >> 12;
      return std::bit_cast<double>((uint64_t{u.sign} << 63) | (uint64_t{0x7ff} << 52) | quiet | payload);
    }
    case NumClass::Finite: break;
  }
  // Exact: no format of this library has more than 53 significant bits.
  const double magnitude = std::ldexp(static_cast<double>(u.significand), u.exponent - 63);
  return u.sign ? -magnitude : magnitude;
}

RoundedInteger round_to_precision(const Unpacked& u, int precision, int min_exponent) {
  // Quantum (weight of the last kept bit): precision bits below the leading one,
  // but never finer than the subnormal quantum.
  const int32_t quantum_exponent =
      std::max(u.exponent, static_cast<int32_t>(min_exponent)) - (precision - 1);
  const int drop = quantum_exponent - (u.exponent - 63);  // bits of significand to drop
  if (drop > 64) return {0, quantum_exponent};  // below half the quantum: rounds to 0
  uint64_t kept, guard, sticky;
  if (drop == 64) {
    kept = 0;
    guard = u.significand >> 63;
    sticky = (u.significand << 1) != 0;
  } else {
    kept = u.significand >> drop;
    const uint64_t rest = drop == 0 ? 0 : u.significand << (64 - drop);
    guard = rest >> 63;
    sticky = (rest << 1) != 0;
  }
  if (guard && (sticky || (kept & 1))) ++kept;
  if (kept >> precision) return {kept >> 1, quantum_exponent + 1};  // carried into a new binade
  return {kept, quantum_exponent};
}

}  // namespace ws::golden
