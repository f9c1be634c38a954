// What a hardware ANS decoder needs to decode one tensor of a .wsc container:
// its configuration registers, the decode table in the hardware word layout,
// and each lane's stream as 32-bit words. Generated here, from the golden
// tables, for the hls model, the RTL and the vector files alike; the
// registers and the table word are the hardware contract's
// (golden/contract/hw_contract.json, docs/FORMAT.md 12.1). Each table word
// says where its symbol's raw bits go (SymbolWord), so any weight type whose
// raw field depends on the symbol builds its setup with the same entry point.
//
// decode_tensor_setup() is golden's reading of such a setup, step for step
// what a hardware lane does (table lookup, raw field, state bits) and with
// the same end-of-stream checks: the oracle for the hardware on any stream,
// damaged ones included.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "golden/codec/lossless_codec.hpp"
#include "golden/contract/ans_ports.hpp"

namespace ws::golden {

struct LaneSetup {
  uint64_t count = 0;                // symbols of this lane
  uint64_t stream_bytes = 0;
  std::vector<uint32_t> words;       // the stream, 32-bit little-endian words, the last zero-padded
};

struct TensorSetup {
  int hardware_width = 16;           // W, the decoder's PatternWidth
  contract::AnsCfg cfg;              // the configuration registers
  std::vector<uint64_t> table;       // 2^table_log hardware table words
  std::vector<LaneSetup> lanes;
};

// What the table word says about one symbol (docs/FORMAT.md 12.1).
struct SymbolWord {
  uint32_t pattern = 0;   // the symbol's bits in place in the output word (0 for REPEAT)
  bool repeat = false;    // REPEAT: the bits outside [keep_lo, keep_hi) are the word repeat_distance lane symbols back
  bool has_sign = false;  // the raw field ends with a sign, which goes to bit pattern_bits - 1
  int keep_lo = 0;        // raw bits land at output bits [keep_lo, keep_hi), the first raw bit at keep_lo
  int keep_hi = 0;
  int raw_bits() const { return keep_hi - keep_lo + (has_sign ? 1 : 0); }
};

// What a setup needs besides the table and the words of its symbols.
struct SetupShape {
  std::string name;                  // the tensor, for messages
  int hardware_width = 16;           // W, the decoder's PatternWidth
  int pattern_bits = 16;             // P: at most W; a raw sign goes to bit P-1
  uint64_t count = 0;                // weights; weight i is in lane i mod K (K = the number of lane streams)
  bool repeat_enable = false;        // the table has a REPEAT symbol
  uint64_t repeat_distance = 0;      // in lane symbols (C / K)
};

// The setup of any tANS-coded tensor: words_by_symbol[s] is the word of tANS
// symbol s (the table's symbols index it). Throws std::invalid_argument when
// the patterns are wider than W, a symbol of the table has no word, or a word
// breaks the table word's rules (keep_lo <= keep_hi, no sign inside or below
// the kept bits, REPEAT words without pattern bits or sign and only with
// repeat_enable, every field in its width).
TensorSetup tensor_setup(const SetupShape& shape, const TansTable& table, std::span<const SymbolWord> words_by_symbol,
                         const std::vector<std::vector<uint8_t>>& lane_streams);

// The lossless codec's words (docs/FORMAT.md 8.1): a normal symbol keeps its
// low F - J fraction bits raw at [0, F - J) and a sign; a REPEAT keeps the
// P - repeat_bits bits below its repeated top bits, no sign.
std::vector<SymbolWord> lossless_symbol_words(const EncodedTensor& t);

// The variable-precision type's words (docs/FORMAT.md 16.1): a symbol's
// mantissa at [F - j - m, F - j), its sign when it has one.
std::vector<SymbolWord> vp_symbol_words(const vp::VpTable& table);

// The words of a coded tensor's alphabet: vp_symbol_words or lossless_symbol_words.
std::vector<SymbolWord> symbol_words(const EncodedTensor& t);

// tensor_setup of a losslessly or variable-precision coded tensor. Throws std::invalid_argument
// when its patterns are wider than W.
TensorSetup tensor_setup(const EncodedTensor& t, const TansTable& table, int hardware_width);

// Golden's decode of a setup, lane by lane as the hardware reads it. A lane
// that fails stops with the hardware's error code (reading past its last
// word, a final state other than 0, a REPEAT with nothing to repeat) and
// keeps the words decoded before the failure.
struct SetupDecode {
  std::vector<uint32_t> weights;                  // weight r*K + k = lane k's r-th word, 0 past a failure
  std::vector<contract::LaneError> lane_errors;   // per lane
  std::vector<uint64_t> lane_decoded;             // words each lane decoded

  bool ok() const;
};
SetupDecode decode_tensor_setup(const TensorSetup& setup);

}  // namespace ws::golden
