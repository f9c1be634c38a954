#include "golden/codec/lane_setup.hpp"

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
  s.pattern_bits = layout.pattern_bits();
  s.table_log = t.table_log;
  s.raw_bits = layout.raw_bits();
  s.low_bits = layout.low_fraction_bits();
  s.repeat = t.repeat_distance != 0;
  s.repeat_raw_bits = s.repeat ? layout.pattern_bits() - t.repeat_bits : 0;
  const uint64_t lanes = t.lane_streams.size();
  s.repeat_lane_distance = lanes ? t.repeat_distance / lanes : 0;

  const uint32_t repeat_symbol = 1u << layout.symbol_bits();
  const int w = hardware_width;
  for (const uint32_t word : table.decode_words()) {
    const TansEntry e = TansEntry::unpack(word);
    const bool is_repeat = s.repeat && e.symbol == repeat_symbol;
    const uint64_t high = is_repeat ? 0 : layout.merge(e.symbol, 0);
    s.table.push_back(high | (uint64_t{e.num_bits} << (w - 1)) | (uint64_t{e.next_base} << (w + 3)) |
                      (uint64_t{is_repeat} << (w + 15)));
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

}  // namespace ws::golden
