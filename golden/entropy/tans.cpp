#include "golden/entropy/tans.hpp"

#include <bit>
#include <numeric>
#include <stdexcept>

namespace ws::golden {

TansTable::TansTable(std::span<const uint32_t> normalized, int table_log)
    : table_log_(table_log), normalized_(normalized.begin(), normalized.end()) {
  if (table_log < kMinTableLog || table_log > kMaxTableLog) throw std::invalid_argument("table log out of range");
  if (normalized.size() > kMaxSymbols) throw std::invalid_argument("alphabet too large");
  const uint32_t size = 1u << table_log;
  if (std::accumulate(normalized.begin(), normalized.end(), uint64_t{0}) != size) {
    throw std::invalid_argument("normalized counts do not sum to the table size");
  }

  // Spread: walk the states with an odd step co-prime to the size, so each
  // symbol's states scatter over the whole table.
  std::vector<uint16_t> symbol_of_state(size);
  const uint32_t step = (size >> 1) + (size >> 3) + 3;
  uint32_t position = 0;
  for (size_t s = 0; s < normalized.size(); ++s) {
    for (uint32_t i = 0; i < normalized[s]; ++i) {
      symbol_of_state[position] = static_cast<uint16_t>(s);
      position = (position + step) & (size - 1);
    }
  }

  symbol_start_.resize(normalized.size());
  std::exclusive_scan(normalized.begin(), normalized.end(), symbol_start_.begin(), 0u);
  occurrence_states_.resize(size);
  std::vector<uint32_t> next(normalized.begin(), normalized.end());  // next = count + occurrence
  decode_words_.resize(size);
  for (uint32_t u = 0; u < size; ++u) {
    const uint16_t s = symbol_of_state[u];
    const uint32_t x = next[s]++;
    occurrence_states_[symbol_start_[s] + (x - normalized[s])] = static_cast<uint16_t>(u);
    const int num_bits = table_log - (std::bit_width(x) - 1);
    decode_words_[u] = TansEntry{s, static_cast<uint8_t>(num_bits), static_cast<uint16_t>((x << num_bits) - size)}.pack();
  }
}

std::vector<uint8_t> tans_encode_lane(const TansTable& table, std::span<const CodedSymbol> symbols) {
  const int r = table.table_log();
  const uint32_t size = 1u << r;
  // Encode backwards; the decoder reads forwards, so the chunks are written
  // out in the reverse of the order they are produced.
  struct Chunk {
    uint32_t value;
    uint8_t bits;
  };
  std::vector<Chunk> chunks(symbols.size());
  uint32_t x = size;  // encoder state in [size, 2 size); starts at decoder state 0
  for (size_t i = symbols.size(); i-- > 0;) {
    const uint32_t s = symbols[i].symbol;
    const uint32_t count = table.normalized()[s];
    const int high = r - (std::bit_width(count) - 1);  // bits to emit unless x is small
    const int bits = x < (count << high) ? high - 1 : high;
    chunks[i] = {x & ((1u << bits) - 1), static_cast<uint8_t>(bits)};
    x >>= bits;  // now in [count, 2 count)
    x = size + table.encode_state(s, x - count);
  }
  BitWriter writer;
  writer.write(x - size, r);
  for (size_t i = 0; i < symbols.size(); ++i) {
    writer.write(symbols[i].raw, symbols[i].raw_bits);
    writer.write(chunks[i].value, chunks[i].bits);
  }
  return writer.finish();
}

Status TansLaneDecoder::finish(size_t stream_bytes) const {
  if (reader_.overrun()) return {ErrorCode::BadInput, "stream ends early"};
  if ((reader_.bits_consumed() + 7) / 8 != stream_bytes) {
    return {ErrorCode::BadInput,
            "stream has " + std::to_string(stream_bytes * 8 - reader_.bits_consumed()) + " bits left over"};
  }
  if (state_ != 0) return {ErrorCode::BadInput, "final state " + std::to_string(state_) + " is not the initial one"};
  return {};
}

}  // namespace ws::golden
