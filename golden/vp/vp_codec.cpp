#include "golden/vp/vp_codec.hpp"

#include <algorithm>
#include <stdexcept>

#include "golden/entropy/bit_stream.hpp"
#include "golden/entropy/normalize.hpp"
#include "golden/entropy/table_codec.hpp"

namespace ws::golden::vp {

std::vector<VpCode> encode_codes(const Tensor& t, const VpEncoder& encoder) {
  if (t.dtype != encoder.table().dtype) throw std::invalid_argument("encode_codes: the table is for another dtype");
  const std::vector<float> values = t.to_floats();
  std::vector<VpCode> codes(values.size());
  for (size_t i = 0; i < values.size(); ++i) codes[i] = encoder.encode(values[i]);
  return codes;
}

EncodedTensor encode_vp(const Tensor& t, const VpTable& table, const std::vector<VpCode>& codes,
                        const VpCodingOptions& o) {
  if (o.lanes < 1 || o.lanes > 32) throw std::invalid_argument("lanes must be 1..32");
  if (codes.size() != t.size()) throw std::invalid_argument("encode_vp: one code per weight");
  EncodedTensor e;
  e.name = t.name;
  e.dtype = t.dtype;
  e.shape = t.shape;
  e.count = t.size();
  e.vp = table;

  std::vector<uint64_t> h(table.symbols.size(), 0);
  for (const VpCode& c : codes) ++h[c.symbol];
  if (t.size() == 0) h[0] = 1;  // an empty tensor still has a valid table
  const size_t present = static_cast<size_t>(std::ranges::count_if(h, [](uint64_t n) { return n != 0; }));
  std::vector<uint32_t> best_normalized;
  double best_bits = 1e300;
  const int low = o.table_log ? o.table_log : TansTable::kMinTableLog;
  const int high = o.table_log ? o.table_log : TansTable::kMaxTableLog;
  for (int log = low; log <= high; ++log) {
    if (present > (size_t{1} << log)) continue;
    std::vector<uint32_t> normalized = normalize_counts(h, log);
    BitWriter w;
    write_table(w, normalized, log);
    std::vector<uint8_t> bytes = w.finish();
    const double bits = coded_bits(h, normalized, log) + 8.0 * static_cast<double>(bytes.size());
    if (bits < best_bits) {
      best_bits = bits;
      best_normalized = std::move(normalized);
      e.table_log = log;
      e.table_bytes = std::move(bytes);
    }
  }
  if (best_normalized.empty()) {
    throw InputError("tensor '" + t.name + "': " + std::to_string(present) +
                     " variable-precision symbols do not fit a table of log " + std::to_string(high));
  }
  if (t.size() == 0) return e;

  const uint64_t by_size = std::max<uint64_t>(1, t.size() / static_cast<uint64_t>(o.min_weights_per_lane));
  const auto lanes = static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(o.lanes), by_size));
  const TansTable tans(best_normalized, e.table_log);
  std::vector<uint8_t> raw_bits(table.symbols.size());
  for (size_t s = 0; s < raw_bits.size(); ++s) {
    raw_bits[s] = static_cast<uint8_t>(placement(table, table.symbols[s]).raw_bits());
  }
  for (size_t lane = 0; lane < lanes; ++lane) {
    std::vector<CodedSymbol> coded;
    coded.reserve(t.size() / lanes + 1);
    for (size_t i = lane; i < t.size(); i += lanes) {
      coded.push_back({codes[i].symbol, raw_bits[codes[i].symbol], raw_field(table, codes[i])});
    }
    e.lane_streams.push_back(tans_encode_lane(tans, coded));
  }
  return e;
}

}  // namespace ws::golden::vp
