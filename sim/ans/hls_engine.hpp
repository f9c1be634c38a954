// The hls model as an ANS decoder engine (sim/ans/ans_engine.hpp).
#pragma once

#include <memory>
#include <span>

#include "golden/codec/lane_setup.hpp"
#include "hls/ans/ans_decoder.hpp"

namespace ws::sim {

template <class Config>
class HlsAnsEngine {
 public:
  using Decoder = hls::AnsDecoder<Config>;

  // The model holds a table RAM per lane: on the heap, not the stack.
  explicit HlsAnsEngine(int lanes) : decoder_(std::make_unique<Decoder>(lanes)) {}

  int lanes() const { return decoder_->lanes(); }
  int width() const { return Config::kPatternWidth; }
  int history_depth() const { return Config::kHistoryDepth; }

  void load(const golden::TensorSetup& s) {
    for (size_t u = 0; u < s.table.size(); ++u) decoder_->write_table(static_cast<uint32_t>(u), s.table[u]);
    std::array<uint64_t, contract::kMaxLanes> counts{};
    for (size_t k = 0; k < s.lanes.size() && k < counts.size(); ++k) counts[k] = s.lanes[k].count;
    decoder_->configure(s.cfg, counts);
    decoder_->start();
  }

  contract::AnsRow cycle(std::span<const contract::LaneInputs> in, bool out_ready,
                         std::span<contract::LaneOutputs> out) {
    typename Decoder::LaneArray lane_in{};
    typename Decoder::LaneOutputArray lane_out{};
    std::copy(in.begin(), in.begin() + lanes(), lane_in.begin());
    const contract::AnsRow row = decoder_->cycle(lane_in, out_ready, lane_out);
    std::copy(lane_out.begin(), lane_out.begin() + lanes(), out.begin());
    return row;
  }

  contract::LaneError lane_error(int k) const { return decoder_->lane(k).error(); }

 private:
  std::unique_ptr<Decoder> decoder_;
};

}  // namespace ws::sim
