#include "golden/codec/lane_setup.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ws::golden {

namespace {

[[noreturn]] void refuse(const SetupShape& shape, const std::string& what) {
  throw std::invalid_argument("tensor '" + shape.name + "': " + what);
}

// The table word's rules (docs/FORMAT.md 12.1) for the word of symbol s.
void check_word(const SetupShape& shape, size_t s, const SymbolWord& w) {
  const std::string where = "the word of symbol " + std::to_string(s);
  if (w.keep_lo < 0 || w.keep_lo > w.keep_hi) refuse(shape, where + " has keep_lo outside 0..keep_hi");
  const contract::TableCtrl ctrl{.repeat_symbol = w.repeat,
                                 .has_sign = w.has_sign,
                                 .keep_hi = static_cast<uint32_t>(w.keep_hi),
                                 .keep_lo = static_cast<uint32_t>(w.keep_lo)};
  if (!ctrl.fits()) refuse(shape, where + " has a field wider than the table word's");
  // The sign goes to bit P-1, above the kept bits; the pattern lies below it.
  if (w.keep_hi + (w.has_sign ? 1 : 0) > shape.pattern_bits) refuse(shape, where + " keeps bits at or above its sign");
  if ((uint64_t{w.pattern} >> (shape.pattern_bits - 1)) != 0) refuse(shape, where + " has pattern bits at or above bit P-1");
  const uint64_t kept = (uint64_t{1} << w.keep_hi) - (uint64_t{1} << w.keep_lo);
  if ((w.pattern & kept) != 0) refuse(shape, where + " has pattern bits under its raw bits");
  if (w.repeat && (w.has_sign || w.pattern != 0 || !shape.repeat_enable)) {
    refuse(shape, where + " is a REPEAT with a sign or pattern bits, or without repeat_enable");
  }
}

}  // namespace

TensorSetup tensor_setup(const SetupShape& shape, const TansTable& table, std::span<const SymbolWord> words_by_symbol,
                         const std::vector<std::vector<uint8_t>>& lane_streams) {
  const int w = shape.hardware_width;
  if (shape.pattern_bits < 1 || shape.pattern_bits > w) {
    refuse(shape, std::to_string(shape.pattern_bits) + "-bit weights do not fit a decoder of width " + std::to_string(w));
  }
  for (size_t s = 0; s < words_by_symbol.size(); ++s) check_word(shape, s, words_by_symbol[s]);
  TensorSetup setup;
  setup.hardware_width = w;
  const uint64_t lanes = lane_streams.size();
  contract::AnsCfg& cfg = setup.cfg;
  cfg.pattern_bits = static_cast<uint32_t>(shape.pattern_bits);
  cfg.table_log = static_cast<uint32_t>(table.table_log());
  cfg.repeat_enable = shape.repeat_enable;
  // Kept whole: an engine refuses a distance beyond its history (or the register).
  cfg.repeat_distance = static_cast<uint32_t>(std::min<uint64_t>(shape.repeat_distance, UINT32_MAX));

  for (const uint32_t packed : table.decode_words()) {
    const TansEntry e = TansEntry::unpack(packed);
    if (e.symbol >= words_by_symbol.size()) refuse(shape, "symbol " + std::to_string(e.symbol) + " of the table has no word");
    const SymbolWord& word = words_by_symbol[e.symbol];
    const contract::TableCtrl ctrl{.repeat_symbol = word.repeat,
                                   .has_sign = word.has_sign,
                                   .keep_hi = static_cast<uint32_t>(word.keep_hi),
                                   .keep_lo = static_cast<uint32_t>(word.keep_lo),
                                   .next_base = e.next_base,
                                   .num_bits = e.num_bits};
    setup.table.push_back(contract::pack_table_word(w, ctrl, word.pattern));
  }
  for (uint64_t k = 0; k < lanes; ++k) {
    LaneSetup lane;
    lane.count = k < shape.count ? (shape.count - k + lanes - 1) / lanes : 0;
    const std::vector<uint8_t>& bytes = lane_streams[k];
    lane.stream_bytes = bytes.size();
    lane.words.assign((bytes.size() + 3) / 4, 0);
    for (size_t b = 0; b < bytes.size(); ++b) lane.words[b / 4] |= uint32_t{bytes[b]} << (8 * (b % 4));
    setup.lanes.push_back(std::move(lane));
  }
  return setup;
}

std::vector<SymbolWord> lossless_symbol_words(const EncodedTensor& t) {
  const FieldLayout layout = t.layout();
  std::vector<SymbolWord> words;
  for (uint32_t s = 0; s < (1u << layout.symbol_bits()); ++s) {
    words.push_back({.pattern = layout.merge(s, 0), .has_sign = true, .keep_hi = layout.low_fraction_bits()});
  }
  if (t.repeat_distance != 0) words.push_back({.repeat = true, .keep_hi = layout.pattern_bits() - t.repeat_bits});
  return words;
}

std::vector<SymbolWord> vp_symbol_words(const vp::VpTable& table) {
  std::vector<SymbolWord> words;
  for (const vp::VpSymbol& s : table.symbols) {
    const vp::SymbolPlacement p = vp::placement(table, s);
    words.push_back({.pattern = p.pattern, .has_sign = p.has_sign, .keep_lo = p.keep_lo, .keep_hi = p.keep_hi});
  }
  return words;
}

std::vector<SymbolWord> symbol_words(const EncodedTensor& t) {
  return t.vp ? vp_symbol_words(*t.vp) : lossless_symbol_words(t);
}

TensorSetup tensor_setup(const EncodedTensor& t, const TansTable& table, int hardware_width) {
  const FieldLayout layout = t.layout();
  const uint64_t lanes = t.lane_streams.size();
  const SetupShape shape{.name = t.name,
                         .hardware_width = hardware_width,
                         .pattern_bits = layout.pattern_bits(),
                         .count = t.count,
                         .repeat_enable = t.repeat_distance != 0,
                         .repeat_distance = lanes ? t.repeat_distance / lanes : 0};
  return tensor_setup(shape, table, symbol_words(t), t.lane_streams);
}

namespace {

// A lane's word stream read least significant bit first; reading past the
// last word is what the hardware calls "stream ends early".
class WordReader {
 public:
  explicit WordReader(std::span<const uint32_t> words) : words_(words) {}
  bool can_read(uint32_t bits) const { return position_ + bits <= 32 * words_.size(); }
  uint32_t read(uint32_t bits) {
    uint64_t value = 0;
    for (uint32_t b = 0; b < bits; ++b, ++position_) {
      value |= uint64_t{(words_[position_ / 32] >> (position_ % 32)) & 1u} << b;
    }
    return static_cast<uint32_t>(value);
  }

 private:
  std::span<const uint32_t> words_;
  uint64_t position_ = 0;
};

}  // namespace

bool SetupDecode::ok() const {
  return std::all_of(lane_errors.begin(), lane_errors.end(),
                     [](contract::LaneError e) { return e == contract::LaneError::None; });
}

SetupDecode decode_tensor_setup(const TensorSetup& s) {
  using contract::LaneError;
  const contract::AnsCfg& cfg = s.cfg;
  const int w = s.hardware_width;
  const size_t lanes = s.lanes.size();
  uint64_t total = 0;
  for (const LaneSetup& lane : s.lanes) total += lane.count;
  SetupDecode d{std::vector<uint32_t>(total, 0), std::vector<LaneError>(lanes, LaneError::None),
                std::vector<uint64_t>(lanes, 0)};
  const uint32_t sign_bit = cfg.pattern_bits ? 1u << (cfg.pattern_bits - 1) : 0;
  for (size_t k = 0; k < lanes; ++k) {
    const LaneSetup& lane = s.lanes[k];
    WordReader in(lane.words);
    std::vector<uint32_t> decoded;
    LaneError& error = d.lane_errors[k];
    uint32_t state = 0;
    if (lane.count > 0) {
      if (!in.can_read(cfg.table_log)) {
        error = LaneError::StreamEndsEarly;
      } else {
        state = in.read(cfg.table_log);
      }
    }
    for (uint64_t j = 0; j < lane.count && error == LaneError::None; ++j) {
      const uint64_t entry = s.table.at(state);
      const contract::TableCtrl ctrl = contract::table_word_ctrl(w, entry);
      if (ctrl.keep_lo > ctrl.keep_hi) throw std::invalid_argument("a table word with keep_lo above keep_hi");
      const uint32_t kept_bits = ctrl.keep_hi - ctrl.keep_lo;
      const uint32_t raw_bits = kept_bits + ctrl.has_sign;
      if (!in.can_read(raw_bits + ctrl.num_bits)) {
        error = LaneError::StreamEndsEarly;
        break;
      }
      if (ctrl.repeat_symbol && j < cfg.repeat_distance) {
        error = LaneError::RepeatTooEarly;
        break;
      }
      // The raw field: kept_bits bits to output bits [keep_lo, keep_hi), then the sign.
      const uint64_t raw = in.read(raw_bits);
      const auto keep_mask = static_cast<uint32_t>((uint64_t{1} << ctrl.keep_hi) - (uint64_t{1} << ctrl.keep_lo));
      const uint32_t base = ctrl.repeat_symbol ? decoded[j - cfg.repeat_distance] : contract::table_word_pattern(w, entry);
      const bool sign = ctrl.has_sign && ((raw >> kept_bits) & 1) != 0;
      decoded.push_back((static_cast<uint32_t>(raw << ctrl.keep_lo) & keep_mask) | (base & ~keep_mask) |
                        (sign ? sign_bit : 0));
      state = ctrl.next_base + in.read(ctrl.num_bits);
      if (j + 1 == lane.count && state != 0) error = LaneError::FinalState;
    }
    d.lane_decoded[k] = decoded.size();
    for (size_t j = 0; j < decoded.size(); ++j) d.weights[j * lanes + k] = decoded[j];
  }
  return d;
}

}  // namespace ws::golden
