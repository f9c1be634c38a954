// A two's-complement integer of Bits bits in 32-bit limbs, as an adder of
// that width holds it: the token factory's accumulator (hls models use no
// 128-bit integers). Every operation wraps modulo 2^Bits.
#pragma once

#include <array>
#include <cstdint>

namespace ws::hls {

template <int Bits>
class WideInt {
 public:
  static constexpr int kLimbs = (Bits + 31) / 32;

  // value << shift, negated when `negative`.
  static WideInt shifted(uint32_t value, int shift, bool negative) {
    WideInt r;
    const int limb = shift / 32, offset = shift % 32;
    const uint64_t wide = uint64_t{value} << offset;
    if (limb < kLimbs) r.limb_[limb] = static_cast<uint32_t>(wide);
    if (limb + 1 < kLimbs) r.limb_[limb + 1] = static_cast<uint32_t>(wide >> 32);
    r.wrap();
    return negative ? r.negated() : r;
  }

  WideInt operator+(const WideInt& o) const {
    WideInt r;
    uint64_t carry = 0;
    for (int i = 0; i < kLimbs; ++i) {
      const uint64_t sum = uint64_t{limb_[i]} + o.limb_[i] + carry;
      r.limb_[i] = static_cast<uint32_t>(sum);
      carry = sum >> 32;
    }
    r.wrap();
    return r;
  }

  WideInt negated() const {
    WideInt inverted;
    for (int i = 0; i < kLimbs; ++i) inverted.limb_[i] = ~limb_[i];
    inverted.wrap();
    return inverted + shifted(1, 0, false);
  }

  bool negative() const { return bit(Bits - 1); }
  bool is_zero() const {
    bool zero = true;
    for (int i = 0; i < kLimbs; ++i) zero = zero && limb_[i] == 0;
    return zero;
  }
  bool bit(int i) const { return (limb_[i / 32] >> (i % 32)) & 1u; }
  // The highest set bit (-1 when zero): a priority encoder.
  int top_bit() const {
    int top = -1;
    for (int i = 0; i < Bits; ++i) {
      if (bit(i)) top = i;
    }
    return top;
  }
  // Whether any of bits [0, n) is set.
  bool any_below(int n) const {
    bool any = false;
    for (int i = 0; i < Bits && i < n; ++i) any = any || bit(i);
    return any;
  }
  // Bits [lo, lo + 32) as a word (bits past the top read 0, lo may be negative).
  uint32_t field(int lo) const {
    uint32_t r = 0;
    for (int i = 0; i < 32; ++i) {
      const int at = lo + i;
      if (at >= 0 && at < Bits && bit(at)) r |= 1u << i;
    }
    return r;
  }

 private:
  void wrap() {
    if constexpr (Bits % 32 != 0) limb_[kLimbs - 1] &= (1u << (Bits % 32)) - 1;
  }
  std::array<uint32_t, kLimbs> limb_{};
};

}  // namespace ws::hls
