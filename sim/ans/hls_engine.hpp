// The hls model as an engine for run_tensor (sim/ans/ans_harness.hpp).
#pragma once

#include <span>

#include "golden/codec/lane_setup.hpp"
#include "hls/ans/ans_decoder.hpp"

namespace ws::sim {

template <class Config>
class HlsAnsEngine {
 public:
  explicit HlsAnsEngine(int lanes) : decoder_(lanes) {}

  int lanes() const { return decoder_.lanes(); }
  int width() const { return Config::kPatternWidth; }
  int history_depth() const { return Config::kHistoryDepth; }

  void load(const golden::TensorSetup& s) {
    for (size_t u = 0; u < s.table.size(); ++u) decoder_.write_table(static_cast<uint32_t>(u), s.table[u]);
    hls::LaneRegisters r;
    r.pattern_bits = s.pattern_bits;
    r.table_log = s.table_log;
    r.raw_bits = s.raw_bits;
    r.low_bits = s.low_bits;
    r.repeat = s.repeat;
    r.repeat_raw_bits = s.repeat_raw_bits;
    r.repeat_distance = static_cast<uint32_t>(s.repeat_lane_distance);
    std::vector<uint64_t> counts;
    for (const auto& lane : s.lanes) counts.push_back(lane.count);
    decoder_.configure(r, counts);
    decoder_.start();
  }

  auto cycle(std::span<const hls::LaneInputs> in, bool out_ready, std::span<hls::LaneOutputs> out) {
    return decoder_.cycle(in, out_ready, out);
  }

  int lane_error(int k) const { return static_cast<int>(decoder_.lane(k).error()); }

 private:
  hls::AnsDecoder<Config> decoder_;
};

}  // namespace ws::sim
