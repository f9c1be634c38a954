// The token factory's second weight path: MXFP4 weights read raw, without
// ANS, as the RTL builds it (rtl/factory/mx_source.sv), cycle for cycle. It
// makes the same row beats as the ANS decoder (valid/ready, a prefix mask,
// bf16 words), from two streams on the first two lane ports
// (golden/factory/mx_stream.hpp):
//   lane 0  code words: one per beat, code k in bits [4k, 4k + 4)
//   lane 1  scale words: four E8M0 scales, one per block, the first in the low byte
// A beat never crosses a block: at column col of a row it has
// min(K, block end - col) weights, where blocks end every `block` columns and
// at the row's end. Each code goes through the E2M1 float decoder
// (hls/formats/float_decoder.hpp), its exponent plus the scale's makes the
// bf16 word: exact in the factory's window, 0 below it, NaN above it or for
// the NaN scale (the slots then stop with an operand error).
//   codes   a code word register: it takes the next word when it is empty
//           or its beat leaves at this edge, so beats leave one a clock and
//           no beat depends on the input port within the clock
//   scales  the current block's scale is a register loaded at the block's
//           first beat from the scale word register (its bytes used in
//           order); an empty word register takes the next word whenever one
//           is offered, so a block start waits only when the scale words
//           arrive late
// Invariants: 0 <= col < cols; scales_left <= 4; a beat leaves only while
// rows remain.
#pragma once

#include <array>
#include <cstdint>

#include "golden/contract/ans_ports.hpp"
#include "hls/formats/float_decoder.hpp"

namespace ws::hls {

// E2M1 code and E8M0 scale to the bf16 word the slots take.
inline uint16_t mx_weight_word(uint32_t code, uint32_t scale) {
  constexpr uint16_t kNan = 0x7FC0;
  const HwUnpacked u = decode_float<2, 1, 2>(code & 0xF);
  const uint16_t sign = u.sign ? 0x8000 : 0;
  const int exponent = u.exponent + static_cast<int>(scale) - 127;
  if (scale == 0xFF) return kNan;
  if (u.cls == NumClass::Zero || exponent < contract::kFactoryExpMin) return sign;
  if (exponent >= contract::kFactoryExpMax) return kNan;
  return static_cast<uint16_t>(sign | static_cast<uint32_t>(exponent + 127) << 7 | (u.significand & 1u) << 6);
}

template <int Lanes>
class MxSource {
 public:
  static_assert(Lanes >= 2 && Lanes <= 8, "a beat's codes fill one 32-bit word; scales use lane 1's port");

  void start(bool active, uint32_t rows, uint32_t cols, uint32_t block) {
    active_ = active && rows > 0 && cols > 0 && block > 0;
    rows_left_ = rows;
    cols_ = cols;
    block_ = block;
    col_ = 0;
    block_left_ = 0;
    scales_left_ = 0;
    code_valid_ = false;
  }

  bool active() const { return active_; }

  // One clock: the lane ports' offers in, their answers out; returns the beat offered.
  contract::AnsRow cycle(const std::array<contract::LaneInputs, Lanes>& in, bool out_ready,
                         std::array<contract::LaneOutputs, Lanes>& out) {
    out = {};
    contract::AnsRow beat;
    if (!active_) return beat;
    const bool block_start = block_left_ == 0;
    const uint32_t block_end = block_start ? (col_ + block_ < cols_ ? col_ + block_ : cols_) : col_ + block_left_;
    const uint32_t count = block_end - col_ < static_cast<uint32_t>(Lanes) ? block_end - col_ : Lanes;
    const bool scale_ok = !block_start || scales_left_ > 0;
    const uint32_t scale = block_start ? (scale_word_ >> (8 * ((4 - scales_left_) & 3))) & 0xFF : scale_;

    beat.valid = scale_ok && code_valid_;
    beat.mask = (1u << count) - 1;
    for (int k = 0; k < Lanes; ++k) {
      beat.words[k] = static_cast<uint32_t>(k) < count ? mx_weight_word(code_ >> (4 * k), scale) : 0;
    }
    const bool take = beat.valid && out_ready;
    out[0].in_ready = !code_valid_ || take;
    out[1].in_ready = scales_left_ == 0;
    out[0].stall_input = !code_valid_ && !in[0].in_valid;

    // The edge.
    if (out[0].in_ready && in[0].in_valid) {
      code_ = in[0].in_word;
      code_valid_ = true;
    } else if (take) {
      code_valid_ = false;
    }
    if (out[1].in_ready && in[1].in_valid) {
      scale_word_ = in[1].in_word;
      scales_left_ = 4;
    }
    if (take) {
      if (block_start) {
        scale_ = scale;
        --scales_left_;
      }
      block_left_ = block_end - col_ - count;
      col_ += count;
      if (col_ == cols_) {
        col_ = 0;
        block_left_ = 0;
        --rows_left_;
        active_ = rows_left_ != 0;
      }
    }
    return beat;
  }

 private:
  bool active_ = false;
  uint32_t rows_left_ = 0, cols_ = 0, block_ = 0;
  uint32_t col_ = 0;         // the next beat's first column
  uint32_t block_left_ = 0;  // weights of the current block still to come (0: the next beat starts a block)
  uint32_t scale_ = 0;       // the current block's scale
  uint32_t scale_word_ = 0;
  uint32_t scales_left_ = 0;  // unused scales in scale_word_, used from the low byte up
  uint32_t code_ = 0;         // the next beat's codes
  bool code_valid_ = false;
};

}  // namespace ws::hls
