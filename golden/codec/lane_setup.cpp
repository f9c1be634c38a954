#include "golden/codec/lane_setup.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ws::golden {

TensorSetup tensor_setup(const EncodedTensor& t, const TansTable& table, int hardware_width) {
  const FieldLayout layout = t.layout();
  if (layout.pattern_bits() > hardware_width) {
    throw std::invalid_argument("tensor '" + t.name + "': " + std::to_string(layout.pattern_bits()) +
                                "-bit weights do not fit a decoder of width " + std::to_string(hardware_width));
  }
  TensorSetup s;
  s.hardware_width = hardware_width;
  const uint64_t lanes = t.lane_streams.size();
  contract::AnsCfg& cfg = s.cfg;
  cfg.pattern_bits = static_cast<uint32_t>(layout.pattern_bits());
  cfg.table_log = static_cast<uint32_t>(t.table_log);
  cfg.raw_bits = static_cast<uint32_t>(layout.raw_bits());
  cfg.low_bits = static_cast<uint32_t>(layout.low_fraction_bits());
  cfg.repeat_enable = t.repeat_distance != 0;
  cfg.repeat_raw_bits = cfg.repeat_enable ? static_cast<uint32_t>(layout.pattern_bits() - t.repeat_bits) : 0;
  // Kept whole: an engine refuses a distance beyond its history (or the register).
  cfg.repeat_distance = static_cast<uint32_t>(lanes ? std::min<uint64_t>(t.repeat_distance / lanes, UINT32_MAX) : 0);

  const uint32_t repeat_symbol = 1u << layout.symbol_bits();
  for (const uint32_t word : table.decode_words()) {
    const TansEntry e = TansEntry::unpack(word);
    const bool is_repeat = cfg.repeat_enable && e.symbol == repeat_symbol;
    const contract::TableCtrl ctrl{is_repeat, e.next_base, e.num_bits};
    s.table.push_back(contract::pack_table_word(hardware_width, ctrl, is_repeat ? 0 : layout.merge(e.symbol, 0)));
  }
  for (uint64_t k = 0; k < lanes; ++k) {
    LaneSetup lane;
    lane.count = k < t.count ? (t.count - k + lanes - 1) / lanes : 0;
    const std::vector<uint8_t>& bytes = t.lane_streams[k];
    lane.stream_bytes = bytes.size();
    lane.words.assign((bytes.size() + 3) / 4, 0);
    for (size_t b = 0; b < bytes.size(); ++b) lane.words[b / 4] |= uint32_t{bytes[b]} << (8 * (b % 4));
    s.lanes.push_back(std::move(lane));
  }
  return s;
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
      const uint32_t raw_bits = ctrl.repeat_symbol ? cfg.repeat_raw_bits : cfg.raw_bits;
      if (!in.can_read(raw_bits + ctrl.num_bits)) {
        error = LaneError::StreamEndsEarly;
        break;
      }
      if (ctrl.repeat_symbol && j < cfg.repeat_distance) {
        error = LaneError::RepeatTooEarly;
        break;
      }
      const uint32_t raw = in.read(raw_bits);
      const uint32_t low_mask = (1u << (ctrl.repeat_symbol ? raw_bits : cfg.low_bits)) - 1;
      uint32_t word;
      if (ctrl.repeat_symbol) {
        word = (decoded[j - cfg.repeat_distance] & ~low_mask) | raw;
      } else {
        word = contract::table_word_pattern(w, entry) | (raw & low_mask) | ((raw >> cfg.low_bits) & 1 ? sign_bit : 0);
      }
      decoded.push_back(word);
      state = ctrl.next_base + in.read(ctrl.num_bits);
      if (j + 1 == lane.count && state != 0) error = LaneError::FinalState;
    }
    d.lane_decoded[k] = decoded.size();
    for (size_t j = 0; j < decoded.size(); ++j) d.weights[j * lanes + k] = decoded[j];
  }
  return d;
}

}  // namespace ws::golden
