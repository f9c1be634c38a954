// How the lossless codec splits a weight's bit pattern: the coded symbol is
// the exponent field followed by the top `joint_bits` fraction bits; the raw
// field is the sign followed by the remaining fraction bits.
//
//   pattern:  [ sign | exponent (E) | fraction (F) ]
//   symbol:   [ exponent | fraction[F-1 : F-joint_bits] ]          E + joint_bits bits
//   raw:      [ sign | fraction[F-joint_bits-1 : 0] ]              1 + F - joint_bits bits
// merge(symbol(p), raw(p)) == p for every pattern p.
//
// A REPEAT weight takes its top `top_bits` bits from the weight a row above
// and stores only the bits below them raw:
//   repeat_merge(above, p & repeat_raw_mask(top_bits), top_bits) == p
// whenever repeats(p, above, top_bits).
#pragma once

#include <cstdint>

#include "golden/model/tensor.hpp"

namespace ws::golden {

struct FieldLayout {
  int exponent_bits = 8;
  int fraction_bits = 7;
  int joint_bits = 0;

  static FieldLayout of(DType dtype, int joint_bits) {
    switch (dtype) {
      case DType::F32: return {8, 23, joint_bits};
      case DType::F16: return {5, 10, joint_bits};
      case DType::BF16: return {8, 7, joint_bits};
    }
    return {};
  }

  int symbol_bits() const { return exponent_bits + joint_bits; }
  int low_fraction_bits() const { return fraction_bits - joint_bits; }
  int raw_bits() const { return 1 + low_fraction_bits(); }
  int pattern_bits() const { return 1 + exponent_bits + fraction_bits; }

  uint32_t symbol(uint32_t pattern) const {
    return (pattern >> low_fraction_bits()) & ((1u << symbol_bits()) - 1);
  }
  uint32_t raw(uint32_t pattern) const {
    const uint32_t sign = (pattern >> (pattern_bits() - 1)) & 1;
    return (sign << low_fraction_bits()) | (pattern & ((1u << low_fraction_bits()) - 1));
  }
  uint32_t repeat_raw_mask(int top_bits) const {
    const int low = pattern_bits() - top_bits;
    return low >= 32 ? ~0u : (1u << low) - 1;
  }
  bool repeats(uint32_t p, uint32_t above, int top_bits) const {
    return ((p ^ above) & ~repeat_raw_mask(top_bits) & pattern_mask()) == 0;
  }
  uint32_t repeat_merge(uint32_t above, uint32_t raw, int top_bits) const {
    return (above & ~repeat_raw_mask(top_bits) & pattern_mask()) | raw;
  }
  uint32_t pattern_mask() const { return pattern_bits() == 32 ? ~0u : (1u << pattern_bits()) - 1; }

  uint32_t merge(uint32_t symbol, uint32_t raw) const {
    const uint32_t sign = raw >> low_fraction_bits();
    return (sign << (pattern_bits() - 1)) | (symbol << low_fraction_bits()) |
           (raw & ((1u << low_fraction_bits()) - 1));
  }
};

}  // namespace ws::golden
