// One ANS decoder lane, cycle by cycle, as the RTL builds it (rtl/ans/ans_lane.sv).
// Per clock the lane decodes one symbol when it has the bits and its output
// register is free:
//   lookup   entry = table[state | table_slot * 2^TableSlotLog] (the table
//            RAM's address register is the state register, so the entry of
//            the current state is always ready; table slots let other tables
//            be written while this one decodes)
//   extract  window = the bit buffer from the read pointer; raw field =
//            its low keep_hi - keep_lo + has_sign bits (all from the entry),
//            then num_bits state bits
//   advance  state = next_base + state bits; pointer += raw field + num_bits
//   merge    output = the raw field's first keep_hi - keep_lo bits at
//            [keep_lo, keep_hi) | the other bits from the entry's pattern
//            bits, or for a REPEAT from the word C/K symbols back (history
//            RAM) | the raw field's last bit at bit pattern_bits-1 when the
//            entry has a sign
// The bit buffer holds WindowWords 32-bit words (2 for PatternWidth 16, 4 for
// 32: a power of two, the RTL keeps them as a ring of word slots); a word is
// taken from the input when there is room for it, and every word the symbol
// read to its end leaves the buffer at the same edge. The model keeps them in
// order (buffer_[0] the oldest); the RTL writes each word once into a free
// slot and keeps a read and a write position (bits consumed, words taken),
// which decodes the same bits in the same cycles. Invariants: 0 <= pointer <
// 32; a lane never reads past the word flagged last (it stops with
// StreamEndsEarly instead of waiting), and it ends in state 0 or stops with
// FinalState. Registers, table word and error codes are the hardware
// contract's (golden/contract/hw_contract.json); the table words are those
// golden writes (keep_lo <= keep_hi, a symbol's raw field and state bits at
// most 36 bits, so that they fit the window; the RTL's limits are narrower,
// rtl/ans/ans_lane.sv).
#pragma once

#include <array>
#include <cstdint>

#include "golden/contract/ans_ports.hpp"
#include "hls/common/bit_ops.hpp"

namespace ws::hls {

using contract::AnsCfg;
using contract::LaneError;
using contract::LaneInputs;
using contract::LaneOutputs;

// Sizing of a lane (CONFIG_T style).
template <int PatternWidthT, int WindowWordsT = (PatternWidthT > 16 ? 4 : 2), int HistoryDepthT = 64>
struct AnsLaneConfig {
  static constexpr int kPatternWidth = PatternWidthT;  // 16: bf16/fp16; 32: fp32
  static constexpr int kTableLogMax = contract::kTableLogMax;
  static constexpr int kWindowWords = WindowWordsT;    // bit buffer words, a power of two
  static_assert(WindowWordsT >= 2 && WindowWordsT <= 4 && (WindowWordsT & (WindowWordsT - 1)) == 0,
                "the RTL's ring of word slots needs a power of two, and window() reads at most 4 words");
  static constexpr int kHistoryDepth = HistoryDepthT;  // largest REPEAT distance in lane symbols
  static_assert(HistoryDepthT >= 2 && HistoryDepthT < (1 << AnsCfg::kRepeatDistanceWidth));
  static constexpr int kTableWordBits = contract::table_word_bits(kPatternWidth);
};

enum class LanePhase : uint8_t { Idle, Init, Run, Done, Error };

template <class Config>
class AnsLane {
 public:
  static constexpr int kW = Config::kPatternWidth;

  // The configuration port: table writes and registers, then start().
  void write_table(uint32_t address, uint64_t word) { table_[address & low_mask<Config::kTableLogMax>()] = word; }
  void configure(const AnsCfg& cfg, uint64_t count) {
    cfg_ = cfg;
    count_ = count;
  }
  void start() {
    phase_ = count_ == 0 ? LanePhase::Done : LanePhase::Init;
    error_ = LaneError::None;
    words_ = 0;
    pointer_ = 0;
    last_taken_ = false;
    remaining_ = count_;
    produced_ = 0;
    out_valid_ = false;
    state_ = 0;
  }

  LanePhase phase() const { return phase_; }
  LaneError error() const { return error_; }
  bool out_valid() const { return out_valid_; }
  uint32_t out_word() const { return out_word_; }
  // More output words will come (or one is waiting in the output register).
  bool has_more() const { return out_valid_ || phase_ == LanePhase::Init || phase_ == LanePhase::Run; }

  // One clock: the outputs of this cycle, then the rising edge.
  LaneOutputs cycle(const LaneInputs& in) {
    LaneOutputs o;
    o.in_ready = words_ < Config::kWindowWords && !last_taken_ &&
                 (phase_ == LanePhase::Init || phase_ == LanePhase::Run);
    o.out_valid = out_valid_;
    o.out_word = out_word_;
    const bool word_arrives = in.in_valid && o.in_ready;
    const bool out_taken = out_valid_ && in.out_ready;
    const bool out_free = !out_valid_ || out_taken;
    const uint32_t available = words_ * 32u - pointer_;

    uint32_t consumed = 0;
    if (phase_ == LanePhase::Init) {
      if (available >= cfg_.table_log) {
        state_ = static_cast<uint32_t>(window() & ((uint64_t{1} << cfg_.table_log) - 1));
        consumed = cfg_.table_log;
        phase_ = LanePhase::Run;
      } else {
        note_starved(o, word_arrives);
      }
    } else if (phase_ == LanePhase::Run) {
      const uint64_t entry =
          table_[(state_ | uint32_t{cfg_.table_slot} << contract::kTableSlotLog) & low_mask<Config::kTableLogMax>()];
      const uint32_t high = contract::table_word_pattern(kW, entry);
      const contract::TableCtrl ctrl = contract::table_word_ctrl(kW, entry);
      const bool repeat = ctrl.repeat_symbol != 0;
      const uint32_t kept_bits = ctrl.keep_hi - ctrl.keep_lo;  // keep_lo <= keep_hi in every setup golden writes
      const uint32_t raw_bits = kept_bits + ctrl.has_sign;
      const uint32_t need = raw_bits + ctrl.num_bits;
      if (available < need) {
        note_starved(o, word_arrives);
      } else if (!out_free) {
        o.stall_output = true;
      } else if (repeat && produced_ < cfg_.repeat_distance) {
        fail(LaneError::RepeatTooEarly);
      } else {
        const uint64_t bits = window();
        const auto raw = static_cast<uint32_t>(bits & ((uint64_t{1} << raw_bits) - 1));
        const auto state_bits = static_cast<uint32_t>((bits >> raw_bits) & ((uint64_t{1} << ctrl.num_bits) - 1));
        const auto keep_mask = static_cast<uint32_t>((uint64_t{1} << ctrl.keep_hi) - (uint64_t{1} << ctrl.keep_lo));
        const uint32_t base =
            repeat ? history_[(produced_ - cfg_.repeat_distance) % Config::kHistoryDepth] : high;
        const uint32_t sign = ctrl.has_sign & (raw >> kept_bits);
        const uint32_t word = (static_cast<uint32_t>(uint64_t{raw} << ctrl.keep_lo) & keep_mask) |
                              (base & ~keep_mask) | (sign << ((cfg_.pattern_bits - 1) & 31));
        history_[produced_ % Config::kHistoryDepth] = word;
        ++produced_;
        out_word_ = word;
        out_valid_ = true;
        o.decoded = true;
        consumed = need;
        state_ = ctrl.next_base + state_bits;
        if (--remaining_ == 0) {
          if (state_ != 0) {
            fail(LaneError::FinalState);
          } else {
            phase_ = LanePhase::Done;
          }
        }
      }
    }
    if (out_taken && !o.decoded) out_valid_ = false;

    // The bit buffer: consume, drop the words read to their end (a symbol
    // reads at most 36 bits, so at most two), append the arriving word.
    pointer_ += consumed;
    for (int drop = 0; drop < 2; ++drop) {
      if (pointer_ < 32) break;
      for (int i = 0; i + 1 < Config::kWindowWords; ++i) buffer_[i] = buffer_[i + 1];
      --words_;
      pointer_ -= 32;
    }
    if (word_arrives) {
      buffer_[words_++] = in.in_word;
      last_taken_ = in.in_last;
    }
    return o;
  }

 private:
  // 64 stream bits from the read pointer (a symbol needs at most 36), from
  // the buffer words; bits past the filled words are 0 (the RTL's are stale
  // ring bits, but a symbol only reads filled ones).
  uint64_t window() const {
    uint64_t bits = 0;
    for (int i = 0; i < Config::kWindowWords; ++i) {
      const int shift = 32 * i - static_cast<int>(pointer_);  // pointer_ < 32
      if (i < static_cast<int>(words_) && shift < 64) {
        bits |= shift >= 0 ? uint64_t{buffer_[i]} << shift : uint64_t{buffer_[i]} >> -shift;
      }
    }
    return bits;
  }
  void note_starved(LaneOutputs& o, bool word_arrives) {
    if (last_taken_ && !word_arrives) {
      fail(LaneError::StreamEndsEarly);
    } else if (word_arrives) {
      o.stall_refill = true;
    } else {
      o.stall_input = true;
    }
  }
  void fail(LaneError e) {
    phase_ = LanePhase::Error;
    error_ = e;
  }

  std::array<uint64_t, size_t{1} << Config::kTableLogMax> table_{};  // the table RAM
  AnsCfg cfg_;
  uint64_t count_ = 0;
  LanePhase phase_ = LanePhase::Idle;
  LaneError error_ = LaneError::None;
  std::array<uint32_t, Config::kWindowWords> buffer_{};
  uint32_t words_ = 0;
  uint32_t pointer_ = 0;
  bool last_taken_ = false;
  uint32_t state_ = 0;
  uint64_t remaining_ = 0;
  uint64_t produced_ = 0;
  bool out_valid_ = false;
  uint32_t out_word_ = 0;
  std::array<uint32_t, Config::kHistoryDepth> history_{};
};

}  // namespace ws::hls
