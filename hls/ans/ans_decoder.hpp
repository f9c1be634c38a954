// K ANS lanes behind one output: each clock, when every lane that still has
// words holds one, a row of up to K words leaves (out_mask marks the lanes in
// it; the last row of a tensor may be partial). Weight r*K + k of a tensor is
// lane k's word in row r. The table and the registers are written to all
// lanes at once.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "hls/ans/ans_lane.hpp"

namespace ws::hls {

template <class Config, int MaxLanes = 32>
class AnsDecoder {
 public:
  struct Row {
    bool valid = false;  // taken at this edge when the consumer is ready
    uint32_t mask = 0;
    std::array<uint32_t, MaxLanes> words{};
  };

  explicit AnsDecoder(int lanes) : lanes_(static_cast<size_t>(lanes)) {}

  int lanes() const { return static_cast<int>(lanes_.size()); }
  void write_table(uint32_t address, uint64_t word) {
    for (auto& lane : lanes_) lane.write_table(address, word);
  }
  void configure(const LaneRegisters& common, std::span<const uint64_t> counts) {
    for (size_t k = 0; k < lanes_.size(); ++k) {
      LaneRegisters r = common;
      r.count = k < counts.size() ? counts[k] : 0;
      lanes_[k].configure(r);
    }
  }
  void start() {
    for (auto& lane : lanes_) lane.start();
  }
  bool busy() const {
    for (const auto& lane : lanes_) {
      if (lane.has_more() && lane.phase() != LanePhase::Error) return true;
    }
    return false;
  }
  const AnsLane<Config>& lane(int k) const { return lanes_[static_cast<size_t>(k)]; }

  // One clock. `in` holds each lane's input offer; `lane_out` receives each
  // lane's outputs of this cycle (in_ready, stalls).
  Row cycle(std::span<const LaneInputs> in, bool out_ready, std::span<LaneOutputs> lane_out) {
    Row row;
    bool complete = true;
    for (size_t k = 0; k < lanes_.size(); ++k) {
      const AnsLane<Config>& lane = lanes_[k];
      if (lane.out_valid()) {
        row.mask |= 1u << k;
        row.words[k] = lane.out_word();
      } else if (lane.has_more()) {
        complete = false;
      }
    }
    row.valid = complete && row.mask != 0;
    const bool taken = row.valid && out_ready;
    for (size_t k = 0; k < lanes_.size(); ++k) {
      LaneInputs lane_in = in[k];
      lane_in.out_ready = taken;
      lane_out[k] = lanes_[k].cycle(lane_in);
    }
    return row;
  }

 private:
  std::vector<AnsLane<Config>> lanes_;
};

}  // namespace ws::hls
