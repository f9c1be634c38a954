#include "golden/codec/lossless_codec.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "golden/codec/lane_setup.hpp"
#include "golden/entropy/bit_stream.hpp"
#include "golden/entropy/normalize.hpp"
#include "golden/entropy/table_codec.hpp"
#include "golden/quant/quantized_payload.hpp"

namespace ws::golden {
namespace {

struct RepeatRule {
  uint64_t distance = 0;  // 0: no REPEAT symbol
  int top_bits = 0;
};

// The coded symbol of every weight under one layout and repeat rule.
std::vector<uint16_t> symbols_of(const Tensor& t, const FieldLayout& layout, RepeatRule rule) {
  const auto repeat = static_cast<uint16_t>(1u << layout.symbol_bits());
  std::vector<uint16_t> symbols(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    const bool repeats =
        rule.distance && i >= rule.distance && layout.repeats(t.bits[i], t.bits[i - rule.distance], rule.top_bits);
    symbols[i] = repeats ? repeat : static_cast<uint16_t>(layout.symbol(t.bits[i]));
  }
  return symbols;
}

std::vector<uint64_t> histogram(std::span<const uint16_t> symbols, size_t alphabet_size) {
  std::vector<uint64_t> h(alphabet_size, 0);
  for (uint16_t s : symbols) ++h[s];
  return h;
}

std::vector<uint8_t> serialize_table(std::span<const uint32_t> normalized, int table_log) {
  BitWriter w;
  write_table(w, normalized, table_log);
  return w.finish();
}

// normalize_counts over the symbols that occur only, placed back in the
// alphabet: the same counts (the order of the symbols is kept), without
// passes over the unused part of an alphabet of up to 2^11 + 1 symbols.
std::vector<uint32_t> normalize_used(std::span<const uint64_t> h, std::span<const uint32_t> used, int table_log) {
  std::vector<uint64_t> compact;
  for (const uint32_t s : used) compact.push_back(h[s]);
  const std::vector<uint32_t> counts = normalize_counts(compact, table_log);
  std::vector<uint32_t> normalized(h.size(), 0);
  for (size_t i = 0; i < used.size(); ++i) normalized[used[i]] = counts[i];
  return normalized;
}

// Earlier tables a tensor may try to reuse: the most recent ones.
constexpr size_t kReuseCandidates = 64;

// An empty tensor: no lanes, and the smallest table (one symbol, every slot).
EncodedTensor empty_tensor(const Tensor& t) {
  EncodedTensor e;
  e.name = t.name;
  e.dtype = t.dtype;
  e.shape = t.shape;
  e.table_log = TansTable::kMinTableLog;
  std::vector<uint32_t> normalized(e.alphabet_size(), 0);
  normalized[0] = 1u << e.table_log;
  e.table_bytes = serialize_table(normalized, e.table_log);
  return e;
}

int lanes_for(uint64_t count, const LosslessOptions& o) {
  const uint64_t by_size = std::max<uint64_t>(1, count / static_cast<uint64_t>(o.min_weights_per_lane));
  return static_cast<int>(std::min<uint64_t>(static_cast<uint64_t>(o.lanes), by_size));
}

// The cheapest coding of one tensor found by the ideal-size estimate.
struct Choice {
  double bits = 1e300;
  int joint_bits = 0;
  RepeatRule repeat;
  int table_log = 0;
  int table_source = -1;
  std::vector<uint32_t> normalized;
  std::vector<uint8_t> table_bytes;
};

// The raw field's width after each symbol of the tensor's alphabet, as its table words say.
std::vector<int> raw_bits_by_symbol(const EncodedTensor& t) {
  std::vector<int> bits;
  for (const SymbolWord& w : symbol_words(t)) bits.push_back(w.raw_bits());
  return bits;
}

}  // namespace

uint64_t EncodedTensor::payload_bytes() const {
  if (quantized) return quantized_payload_bytes(*quantized);
  uint64_t bytes = table_bytes.size();
  for (const auto& lane : lane_streams) bytes += lane.size();
  return bytes;
}

TensorBound tensor_bound(const Tensor& t) {
  const FieldLayout layout = FieldLayout::of(t.dtype, 0);
  const double entropy = entropy_bits(histogram(symbols_of(t, layout, {}), size_t{1} << layout.symbol_bits()));
  TensorBound b;
  b.exponent_entropy_bits = t.size() == 0 ? 0 : entropy / static_cast<double>(t.size());
  b.bound_bits = entropy + static_cast<double>(t.size()) * layout.raw_bits();
  return b;
}

std::vector<EncodedTensor> encode_lossless(std::span<const Tensor> tensors, const LosslessOptions& o,
                                           const std::function<void(size_t)>& progress) {
  if (o.lanes < 1 || o.lanes > 32) throw std::invalid_argument("lanes must be 1..32");
  if (o.table_log != 0 && (o.table_log < TansTable::kMinTableLog || o.table_log > TansTable::kMaxTableLog)) {
    throw std::invalid_argument("table log must be 5..12");
  }
  if (o.max_table_log < 8 || o.max_table_log > TansTable::kMaxTableLog) {
    throw std::invalid_argument("the largest table log must be 8..12");
  }
  std::vector<EncodedTensor> out;
  std::vector<std::vector<uint32_t>> own_tables(tensors.size());  // normalized counts of tensors with own tables
  std::vector<size_t> with_own_table;                             // their indices, in order
  for (size_t index = 0; index < tensors.size(); ++index) {
    const Tensor& t = tensors[index];
    if (t.size() == 0) {
      out.push_back(empty_tensor(t));
      with_own_table.push_back(index);
      own_tables[index] = {1u << TansTable::kMinTableLog};
      if (progress) progress(index + 1);
      continue;
    }
    const int lanes = lanes_for(t.size(), o);
    const uint64_t row = t.shape.size() >= 2 ? static_cast<uint64_t>(t.shape.back()) : 0;
    std::vector<RepeatRule> repeat_options = {{}};
    if (o.allow_repeat && row > 0 && row < t.size() && row % static_cast<uint64_t>(lanes) == 0) {
      const FieldLayout plain = FieldLayout::of(t.dtype, 0);
      for (int less = 0; less <= 16; less += 4) {
        const int top = plain.pattern_bits() - less;
        if (top >= 1 + plain.exponent_bits) repeat_options.push_back({row, top});
      }
    }

    Choice best;
    const int max_joint = std::min(o.max_joint_bits, FieldLayout::of(t.dtype, 0).fraction_bits);
    for (int joint = 0; joint <= max_joint; ++joint) {
      const FieldLayout layout = FieldLayout::of(t.dtype, joint);
      for (const RepeatRule repeat : repeat_options) {
        const size_t alphabet = (size_t{1} << layout.symbol_bits()) + (repeat.distance ? 1 : 0);
        if (alphabet > TansTable::kMaxSymbols) continue;
        const std::vector<uint16_t> symbols = symbols_of(t, layout, repeat);
        const std::vector<uint64_t> h = histogram(symbols, alphabet);
        std::vector<uint32_t> used;  // the symbols that occur, in increasing order
        for (size_t s = 0; s < h.size(); ++s) {
          if (h[s] != 0) used.push_back(static_cast<uint32_t>(s));
        }
        const uint64_t present = used.size();
        // The coded size with a table, summed as coded_bits does over the
        // symbols that occur (a small tensor uses few of up to 2^11 + 1);
        // none when the table lacks one of them.
        const auto cost_with = [&](std::span<const uint32_t> normalized, int log) -> std::optional<double> {
          if (normalized.size() != h.size()) return std::nullopt;
          double bits = 0;
          for (const uint32_t sym : used) {
            if (normalized[sym] == 0) return std::nullopt;
            bits += static_cast<double>(h[sym]) * (log - std::log2(static_cast<double>(normalized[sym])));
          }
          return bits;
        };
        const uint64_t repeats = repeat.distance ? h.back() : 0;
        const double raw = static_cast<double>(t.size() - repeats) * layout.raw_bits() +
                           static_cast<double>(repeats) * (layout.pattern_bits() - repeat.top_bits);
        const int low = o.table_log ? o.table_log : 8, high = o.table_log ? o.table_log : o.max_table_log;
        for (int log = low; log <= high; ++log) {
          if (present > (uint64_t{1} << log)) continue;
          std::vector<uint32_t> normalized = normalize_used(h, used, log);
          std::vector<uint8_t> table = serialize_table(normalized, log);
          const double bits = *cost_with(normalized, log) + 8.0 * static_cast<double>(table.size()) + raw;
          if (bits < best.bits) best = {bits, joint, repeat, log, -1, std::move(normalized), std::move(table)};
          if (!o.reuse_tables) continue;
          // The most recent tables only: the search stays linear in the tensor count.
          const size_t first = with_own_table.size() > kReuseCandidates ? with_own_table.size() - kReuseCandidates : 0;
          for (size_t c = first; c < with_own_table.size(); ++c) {
            const size_t earlier = with_own_table[c];
            const EncodedTensor& e = out[earlier];
            if (e.table_source != -1 || e.dtype != t.dtype || e.joint_bits != joint || e.table_log != log) continue;
            const std::optional<double> cost = cost_with(own_tables[earlier], log);
            if (!cost) continue;
            const double reuse_bits = *cost + raw;
            if (reuse_bits < best.bits) {
              best = {reuse_bits, joint, repeat, log, static_cast<int>(earlier), own_tables[earlier], {}};
            }
          }
        }
      }
    }
    if (best.table_log == 0) {
      throw InputError("tensor '" + t.name + "': its symbols do not fit a table of log " +
                       std::to_string(o.table_log) + " (2^" + std::to_string(o.table_log) +
                       " slots); give a larger --table-log or none");
    }

    EncodedTensor e{t.name,
                    t.dtype,
                    t.shape,
                    t.size(),
                    best.joint_bits,
                    best.repeat.distance,
                    best.repeat.top_bits,
                    best.table_log,
                    best.table_source,
                    std::move(best.table_bytes),
                    {},
                    std::nullopt,
                    std::nullopt};
    const FieldLayout layout = e.layout();
    const std::vector<uint16_t> symbols = symbols_of(t, layout, best.repeat);
    const auto repeat = static_cast<uint16_t>(1u << layout.symbol_bits());
    const auto repeat_raw_bits = static_cast<uint8_t>(layout.pattern_bits() - e.repeat_bits);
    const TansTable table(best.normalized, best.table_log);
    for (int lane = 0; lane < lanes; ++lane) {
      std::vector<CodedSymbol> coded;
      for (size_t i = static_cast<size_t>(lane); i < t.size(); i += static_cast<size_t>(lanes)) {
        const uint32_t p = t.bits[i];
        if (symbols[i] == repeat) {
          coded.push_back({symbols[i], repeat_raw_bits, p & layout.repeat_raw_mask(e.repeat_bits)});
        } else {
          coded.push_back({symbols[i], static_cast<uint8_t>(layout.raw_bits()), layout.raw(p)});
        }
      }
      e.lane_streams.push_back(tans_encode_lane(table, coded));
    }
    if (e.table_source == -1) {
      own_tables[index] = std::move(best.normalized);
      with_own_table.push_back(index);
    }
    out.push_back(std::move(e));
    if (progress) progress(index + 1);
  }
  return out;
}

std::vector<std::shared_ptr<const TansTable>> build_tables(std::span<const EncodedTensor> tensors,
                                                           const std::string& source) {
  std::vector<std::shared_ptr<const TansTable>> tables(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const EncodedTensor& t = tensors[i];
    const std::string where = source + ": tensor '" + t.name + "': ";
    if (t.quantized) continue;
    if (t.table_source >= 0) {
      if (static_cast<size_t>(t.table_source) >= i) {
        throw InputError(where + "table source " + std::to_string(t.table_source) + " is not an earlier tensor");
      }
      const EncodedTensor& from = tensors[static_cast<size_t>(t.table_source)];
      if (from.quantized || from.table_source != -1 || from.table_log != t.table_log || from.alphabet_size() != t.alphabet_size()) {
        throw InputError(where + "cannot reuse the table of '" + from.name + "' (another table log or alphabet)");
      }
      tables[i] = tables[static_cast<size_t>(t.table_source)];
      continue;
    }
    BitReader reader(t.table_bytes);
    std::vector<uint32_t> normalized;
    if (const Status s = read_table(reader, t.table_log, t.alphabet_size(), normalized); !s.ok()) {
      throw InputError(where + s.message());
    }
    tables[i] = std::make_shared<const TansTable>(normalized, t.table_log);
  }
  return tables;
}

void check_lane_backing(const EncodedTensor& t, const TansTable& table, const std::string& source) {
  const uint64_t lanes = t.lane_streams.size();
  if (lanes == 0) return;
  const FieldLayout layout = t.layout();
  const uint32_t repeat = t.vp ? UINT32_MAX : 1u << layout.symbol_bits();
  const uint64_t lane_repeat = t.repeat_distance / lanes;
  const std::vector<int> raw_bits = raw_bits_by_symbol(t);
  for (uint64_t lane = 0; lane < lanes; ++lane) {
    const uint64_t count = lane < t.count ? (t.count - lane + lanes - 1) / lanes : 0;
    const std::span<const uint8_t> stream = t.lane_streams[lane];
    if (count <= 8 * static_cast<uint64_t>(stream.size())) continue;  // at least a bit a weight: plausible
    // Fewer bits than weights: decode without keeping anything until the
    // stream runs out (a symbol costs at least a bit every 2^L symbols, so
    // this ends within 2^L steps per stream bit).
    TansLaneDecoder decoder(table, stream);
    decoder.init_state();
    for (uint64_t j = 0; j < count; ++j) {
      const TansEntry e = decoder.decode_symbol();
      if (e.symbol == repeat && j < lane_repeat) break;  // decode reports it
      (void)decoder.read_raw(raw_bits.at(e.symbol));
      decoder.advance(e);
      if (decoder.overrun()) {
        throw InputError(source + ": tensor '" + t.name + "': lane " + std::to_string(lane) + ": its " +
                         std::to_string(stream.size()) + " bytes end after " + std::to_string(j) + " of the " +
                         std::to_string(count) + " weights the directory declares");
      }
    }
  }
}

Tensor decode_lossless(const EncodedTensor& t, const TansTable& table, const std::string& source) {
  check_lane_backing(t, table, source);
  const FieldLayout layout = t.layout();
  const uint64_t lanes = t.lane_streams.size();
  const std::string where = source + ": tensor '" + t.name + "': ";
  if (lanes == 0 && t.count != 0) throw InputError(where + "no lane streams");
  if (t.repeat_distance % std::max<uint64_t>(lanes, 1) != 0) {
    throw InputError(where + "repeat distance " + std::to_string(t.repeat_distance) + " is not a multiple of " +
                     std::to_string(lanes) + " lanes");
  }
  const uint32_t repeat = t.vp ? UINT32_MAX : 1u << layout.symbol_bits();
  const uint64_t lane_repeat = lanes ? t.repeat_distance / lanes : 0;
  const std::vector<int> raw_bits = raw_bits_by_symbol(t);
  Tensor out{t.name, t.dtype, t.shape, std::vector<uint32_t>(t.count)};
  for (uint64_t lane = 0; lane < lanes; ++lane) {
    TansLaneDecoder decoder(table, t.lane_streams[lane]);
    decoder.init_state();
    uint64_t j = 0;
    for (uint64_t i = lane; i < t.count; i += lanes, ++j) {
      const TansEntry e = decoder.decode_symbol();
      if (e.symbol == repeat && j < lane_repeat) {
        throw InputError(where + "lane " + std::to_string(lane) + ": REPEAT at weight " + std::to_string(i) +
                         " has nothing to repeat");
      }
      const uint32_t raw = decoder.read_raw(raw_bits.at(e.symbol));
      if (t.vp) {
        const int m = t.vp->symbols[e.symbol].mantissa_bits;
        out.bits[i] = vp::pattern_of(*t.vp, {e.symbol, ((raw >> m) & 1) != 0, raw & ((1u << m) - 1)});
      } else if (e.symbol == repeat) {
        out.bits[i] = layout.repeat_merge(out.bits[i - t.repeat_distance], raw, t.repeat_bits);
      } else {
        out.bits[i] = layout.merge(e.symbol, raw);
      }
      decoder.advance(e);
    }
    if (const Status s = decoder.finish(t.lane_streams[lane].size()); !s.ok()) {
      throw InputError(where + "lane " + std::to_string(lane) + ": " + s.message());
    }
  }
  return out;
}

}  // namespace ws::golden
