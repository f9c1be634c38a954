// One ANS decoder lane, cycle by cycle, as the RTL builds it (rtl/ans/ans_lane.sv).
// Per clock the lane decodes one symbol when it has the bits and its output
// register is free:
//   lookup   entry = table[state]  (the table RAM's address register is the
//            state register, so the entry of the current state is always ready)
//   extract  window = the bit buffer from the read pointer; raw field =
//            low raw_bits (raw_bits from the entry's kind), then num_bits
//            state bits
//   advance  state = next_base + state bits; pointer += raw_bits + num_bits
//   merge    output = the entry's pattern bits | low raw bits | raw sign at
//            bit pattern_bits-1; a REPEAT takes the top bits of the word C/K symbols back
//            (history RAM) and the raw bits below them
// The bit buffer holds WindowWords 32-bit words (2 for PatternWidth 16, 4 for
// 32: a power of two, the RTL keeps them as a ring of word slots); a word is
// taken from the input when there is room for it, and every word the symbol
// read to its end leaves the buffer at the same edge. The model keeps them in
// order (buffer_[0] the oldest); the RTL writes each word once into a free
// slot and keeps a read and a write position (bits consumed, words taken),
// which decodes the same bits in the same cycles. Invariants: 0 <= pointer <
// 32; a lane never reads past the word flagged last (it stops with
// StreamEndsEarly instead of waiting), and it ends in state 0 or stops with
// FinalState.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "hls/common/bit_ops.hpp"

namespace ws::hls {

// Sizing of a lane (CONFIG_T style).
template <int PatternWidthT, int WindowWordsT = (PatternWidthT > 16 ? 4 : 2), int HistoryDepthT = 64>
struct AnsLaneConfig {
  static constexpr int kPatternWidth = PatternWidthT;  // 16: bf16/fp16; 32: fp32
  static constexpr int kTableLogMax = 12;
  static constexpr int kWindowWords = WindowWordsT;    // bit buffer words, a power of two
  static_assert(WindowWordsT >= 2 && WindowWordsT <= 4 && (WindowWordsT & (WindowWordsT - 1)) == 0,
                "the RTL's ring of word slots needs a power of two, and window() reads at most 4 words");
  static constexpr int kHistoryDepth = HistoryDepthT;  // largest REPEAT distance in lane symbols
  static constexpr int kTableWordBits = kPatternWidth + 16;
};

enum class LanePhase : uint8_t { Idle, Init, Run, Done, Error };
enum class LaneError : uint8_t { None = 0, StreamEndsEarly = 1, FinalState = 2, RepeatTooEarly = 3 };

// The configuration registers of a lane (static while a tensor is decoded).
struct LaneRegisters {
  int pattern_bits = 16;  // the tensor's pattern width: the raw sign goes to bit pattern_bits-1
  int table_log = 0;
  int raw_bits = 0;
  int low_bits = 0;
  bool repeat = false;
  int repeat_raw_bits = 0;
  uint32_t repeat_distance = 0;  // in lane symbols
  uint64_t count = 0;            // symbols to decode
};

struct LaneInputs {
  bool in_valid = false;
  uint32_t in_word = 0;
  bool in_last = false;  // this word is the stream's last
  bool out_ready = false;
};

struct LaneOutputs {
  bool in_ready = false;     // the input word is taken at this edge when in_valid
  bool out_valid = false;    // an output word is taken at this edge when out_ready
  uint32_t out_word = 0;
  bool decoded = false;      // a symbol was decoded this cycle
  bool stall_input = false;  // waiting for stream bits, none offered
  bool stall_refill = false; // waiting for stream bits, a word arrives now
  bool stall_output = false; // a symbol is ready but the output register is full
};

template <class Config>
class AnsLane {
 public:
  static constexpr int kW = Config::kPatternWidth;

  AnsLane() : table_(size_t{1} << Config::kTableLogMax, 0) {}

  // The configuration port: table writes and registers, then start().
  void write_table(uint32_t address, uint64_t word) { table_[address & low_mask<Config::kTableLogMax>()] = word; }
  void configure(const LaneRegisters& r) { regs_ = r; }
  void start() {
    phase_ = regs_.count == 0 ? LanePhase::Done : LanePhase::Init;
    error_ = LaneError::None;
    words_ = 0;
    pointer_ = 0;
    last_taken_ = false;
    remaining_ = regs_.count;
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
      if (available >= static_cast<uint32_t>(regs_.table_log)) {
        state_ = static_cast<uint32_t>(window() & ((uint64_t{1} << regs_.table_log) - 1));
        consumed = static_cast<uint32_t>(regs_.table_log);
        phase_ = LanePhase::Run;
      } else {
        note_starved(o, word_arrives);
      }
    } else if (phase_ == LanePhase::Run) {
      const uint64_t entry = table_[state_];
      const auto high = static_cast<uint32_t>(entry & low_mask<kW - 1>());
      const auto num_bits = static_cast<uint32_t>((entry >> (kW - 1)) & 0xf);
      const auto next_base = static_cast<uint32_t>((entry >> (kW + 3)) & 0xfff);
      const bool repeat = (entry >> (kW + 15)) & 1;
      const auto raw_bits = static_cast<uint32_t>(repeat ? regs_.repeat_raw_bits : regs_.raw_bits);
      const uint32_t need = raw_bits + num_bits;
      if (available < need) {
        note_starved(o, word_arrives);
      } else if (!out_free) {
        o.stall_output = true;
      } else if (repeat && produced_ < regs_.repeat_distance) {
        fail(LaneError::RepeatTooEarly);
      } else {
        const uint64_t bits = window();
        const auto raw = static_cast<uint32_t>(bits & ((uint64_t{1} << raw_bits) - 1));
        const auto state_bits = static_cast<uint32_t>((bits >> raw_bits) & ((uint64_t{1} << num_bits) - 1));
        uint32_t word;
        if (repeat) {
          const uint32_t above = history_[(produced_ - regs_.repeat_distance) % Config::kHistoryDepth];
          word = (above & ~static_cast<uint32_t>((uint64_t{1} << raw_bits) - 1)) | raw;
        } else {
          const uint32_t sign = (raw >> regs_.low_bits) & 1;
          word = high | (raw & ((1u << regs_.low_bits) - 1)) | (sign << (regs_.pattern_bits - 1));
        }
        history_[produced_ % Config::kHistoryDepth] = word;
        ++produced_;
        out_word_ = word;
        out_valid_ = true;
        o.decoded = true;
        consumed = need;
        state_ = next_base + state_bits;
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

    // The bit buffer: consume, drop the words read to their end, append the
    // arriving word.
    pointer_ += consumed;
    while (pointer_ >= 32) {
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
  // 64 stream bits from the read pointer, from the buffer words (at most 4;
  // a symbol needs at most 36 bits); bits past the filled words are 0 (the
  // RTL's are stale ring bits, but a symbol only reads filled ones).
  uint64_t window() const {
    unsigned __int128 bits = 0;
    for (int i = 0; i < Config::kWindowWords && i < 4; ++i) {
      if (i < static_cast<int>(words_)) bits |= static_cast<unsigned __int128>(buffer_[i]) << (32 * i);
    }
    return static_cast<uint64_t>(bits >> pointer_);
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

  std::vector<uint64_t> table_;
  LaneRegisters regs_;
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
