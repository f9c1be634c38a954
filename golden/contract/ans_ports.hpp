// The ports of the ANS decoder, one clock at a time, as every engine (the hls
// model, the RTL under Verilator, the golden engine) presents them: what a
// lane is offered and answers, and the row the decoder emits. The RTL's ports
// (rtl/ans/ans_decoder.sv) carry the same signals; the registers and the
// table word are the contract's (hw_contract.hpp).
#pragma once

#include <array>
#include <cstdint>

#include "golden/contract/hw_contract.hpp"

namespace ws::contract {

// A lane's input word stream and the row stream's ready, offered this cycle.
struct LaneInputs {
  bool in_valid = false;
  uint32_t in_word = 0;
  bool in_last = false;    // this word is the stream's last
  bool out_ready = false;  // the consumer takes the lane's output word
};

// What a lane answers this cycle.
struct LaneOutputs {
  bool in_ready = false;      // the input word is taken at this edge when in_valid
  bool out_valid = false;     // an output word is taken at this edge when out_ready
  uint32_t out_word = 0;
  bool decoded = false;       // a symbol was decoded this cycle
  bool stall_input = false;   // waiting for stream bits, none offered
  bool stall_refill = false;  // waiting for stream bits, a word arrives now
  bool stall_output = false;  // a symbol is ready but the output register is full
};

// The decoder's row output this cycle: weight r*K + k of a tensor is lane
// k's word in row r; mask marks the lanes in the row.
struct AnsRow {
  bool valid = false;  // taken at this edge when the consumer is ready
  uint32_t mask = 0;
  std::array<uint32_t, kMaxLanes> words{};
};
static_assert(kMaxLanes <= 32, "AnsRow::mask holds one bit per lane");

// A decode table word of a decoder of pattern width W: {TableCtrl, pattern[W-2:0]}.
constexpr int table_word_bits(int pattern_width) { return pattern_width - 1 + TableCtrl::kBits; }
constexpr uint64_t pack_table_word(int pattern_width, const TableCtrl& ctrl, uint32_t pattern) {
  return ctrl.pack() << (pattern_width - 1) | (pattern & ((uint64_t{1} << (pattern_width - 1)) - 1));
}
constexpr TableCtrl table_word_ctrl(int pattern_width, uint64_t word) {
  return TableCtrl::unpack(word >> (pattern_width - 1));
}
constexpr uint32_t table_word_pattern(int pattern_width, uint64_t word) {
  return static_cast<uint32_t>(word & ((uint64_t{1} << (pattern_width - 1)) - 1));
}

}  // namespace ws::contract
