// Table-based asymmetric numeral systems (tANS), in the steps a hardware
// lane takes.
//
// Table: 2^R states (R = table_log, 5..12). The decode table holds one 32-bit
// word per state u in [0, 2^R):
//   bits [11:0]  symbol s (the alphabet has at most 4096 symbols)
//   bits [15:12] num_bits: bits to read after emitting s (0..R)
//   bits [31:16] next_base: the next state is next_base + those bits
// Symbols are spread over the states with a fixed step (the FSE spread), so
// the table follows from the normalized counts alone.
//
// Lane stream (bytes, LSB-first bit order, see bit_stream.hpp):
//   R bits      initial decoder state
//   per symbol  the symbol's raw payload (raw_bits, chosen by the caller per
//               symbol; 0 for a pure entropy coder), then num_bits bits of
//               the entry just used
//   zero bits   padding to a whole byte
// After its last symbol a lane's state must be 0: the encoder started there.
// Decoding a lane: init_state(), then per symbol decode_symbol() (the table
// lookup), read_raw() (the payload) and advance() (read num_bits, form the
// next state).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "golden/common/error.hpp"
#include "golden/contract/hw_contract.hpp"
#include "golden/entropy/bit_stream.hpp"

namespace ws::golden {

struct TansEntry {
  uint16_t symbol;
  uint8_t num_bits;
  uint16_t next_base;

  uint32_t pack() const { return symbol | (uint32_t{num_bits} << 12) | (uint32_t{next_base} << 16); }
  static TansEntry unpack(uint32_t word) {
    return {static_cast<uint16_t>(word & 0xfff), static_cast<uint8_t>((word >> 12) & 0xf),
            static_cast<uint16_t>(word >> 16)};
  }
};

class TansTable {
 public:
  static constexpr int kMinTableLog = contract::kTableLogMin;
  static constexpr int kMaxTableLog = contract::kTableLogMax;
  static constexpr int kMaxSymbols = 4096;

  // normalized: counts per symbol summing to 2^table_log.
  TansTable(std::span<const uint32_t> normalized, int table_log);

  int table_log() const { return table_log_; }
  const std::vector<uint32_t>& decode_words() const { return decode_words_; }
  const std::vector<uint32_t>& normalized() const { return normalized_; }

  // Encoder side: the state whose decoding gives symbol s with next = count + occurrence.
  uint32_t encode_state(uint32_t symbol, uint32_t occurrence) const {
    return occurrence_states_[symbol_start_[symbol] + occurrence];
  }

 private:
  int table_log_;
  std::vector<uint32_t> normalized_;
  std::vector<uint32_t> decode_words_;       // one packed TansEntry per state
  std::vector<uint32_t> symbol_start_;       // index of a symbol's first occurrence state
  std::vector<uint16_t> occurrence_states_;  // states of each symbol, in increasing order
};

struct CodedSymbol {
  uint16_t symbol;
  uint8_t raw_bits;  // payload bits stored after the symbol
  uint32_t raw;
};

// Encodes a lane's symbols; every symbol must have a nonzero count.
std::vector<uint8_t> tans_encode_lane(const TansTable& table, std::span<const CodedSymbol> symbols);

// Decodes the symbols of one lane; finish() says whether the stream was
// consistent: not read past its end, no bytes left over, final state 0.
class TansLaneDecoder {
 public:
  TansLaneDecoder(const TansTable& table, std::span<const uint8_t> stream) : table_(table), reader_(stream) {}

  void init_state() { state_ = static_cast<uint32_t>(reader_.read(table_.table_log())); }
  TansEntry decode_symbol() const { return TansEntry::unpack(table_.decode_words()[state_]); }
  uint32_t read_raw(int bits) { return static_cast<uint32_t>(reader_.read(bits)); }
  void advance(const TansEntry& e) { state_ = e.next_base + static_cast<uint32_t>(reader_.read(e.num_bits)); }

  // The stream was read past its end.
  bool overrun() const { return reader_.overrun(); }
  // Checks the end of a lane after its last symbol: a BadInput status saying what is wrong.
  Status finish(size_t stream_bytes) const;

 private:
  const TansTable& table_;
  BitReader reader_;
  uint32_t state_ = 0;
};

}  // namespace ws::golden
