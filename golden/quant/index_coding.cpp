#include "golden/quant/index_coding.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "golden/entropy/normalize.hpp"
#include "golden/entropy/table_codec.hpp"
#include "golden/entropy/tans.hpp"

namespace ws::golden {
namespace {

std::vector<uint64_t> histogram_of(std::span<const uint32_t> indices, int alphabet) {
  std::vector<uint64_t> histogram(static_cast<size_t>(alphabet), 0);
  for (uint32_t i : indices) ++histogram[i];
  return histogram;
}

}  // namespace

CodedIndices code_indices_at(std::span<const uint32_t> indices, int alphabet, int table_log) {
  const std::vector<uint32_t> normalized = normalize_counts(histogram_of(indices, alphabet), table_log);
  CodedIndices coded;
  coded.table_log = table_log;
  BitWriter table_bits;
  write_table(table_bits, normalized, table_log);
  coded.table = table_bits.finish();
  std::vector<CodedSymbol> symbols;
  symbols.reserve(indices.size());
  for (uint32_t i : indices) symbols.push_back({static_cast<uint16_t>(i), 0, 0});
  coded.lane = tans_encode_lane(TansTable(normalized, table_log), symbols);
  return coded;
}

std::optional<CodedIndices> code_indices(std::span<const uint32_t> indices, int alphabet, int raw_bits) {
  const std::vector<uint64_t> histogram = histogram_of(indices, alphabet);
  const auto present = static_cast<uint64_t>(std::ranges::count_if(histogram, [](uint64_t n) { return n > 0; }));
  if (present < 2) return std::nullopt;  // one symbol: nothing for a table to gain over raw bits worth coding
  // The table log with the fewest estimated bits (table and stream), then coded for real.
  int best_log = 0;
  double best_bits = INFINITY;
  for (int log = std::max<int>(TansTable::kMinTableLog, std::bit_width(present - 1)); log <= TansTable::kMaxTableLog;
       ++log) {
    const std::vector<uint32_t> normalized = normalize_counts(histogram, log);
    BitWriter table_bits;
    write_table(table_bits, normalized, log);
    const double bits = static_cast<double>(table_bits.bit_count()) + coded_bits(histogram, normalized, log) + log;
    if (bits < best_bits) best_bits = bits, best_log = log;
  }
  if (best_log == 0) return std::nullopt;
  CodedIndices coded = code_indices_at(indices, alphabet, best_log);
  const uint64_t raw_bytes = (static_cast<uint64_t>(indices.size()) * static_cast<uint64_t>(raw_bits) + 7) / 8;
  if (coded.bytes() >= raw_bytes) return std::nullopt;
  return coded;
}

std::vector<uint32_t> decode_indices(int table_log, std::span<const uint8_t> table, std::span<const uint8_t> lane,
                                     int alphabet, uint64_t count, const std::string& source) {
  BitReader reader(table);
  std::vector<uint32_t> normalized;
  if (const Status s = read_table(reader, table_log, static_cast<size_t>(alphabet), normalized); !s.ok()) {
    throw InputError(source + ": index table: " + s.message());
  }
  const TansTable tans(normalized, table_log);
  TansLaneDecoder decoder(tans, lane);
  decoder.init_state();
  std::vector<uint32_t> indices(count);
  for (uint32_t& index : indices) {
    const TansEntry e = decoder.decode_symbol();
    index = e.symbol;
    decoder.advance(e);
    if (decoder.overrun())
      throw InputError(source + ": index lane ends before its " + std::to_string(count) + " indices");
  }
  if (const Status s = decoder.finish(lane.size()); !s.ok()) throw InputError(source + ": index lane: " + s.message());
  return indices;
}

}  // namespace ws::golden
