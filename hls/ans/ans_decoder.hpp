// K ANS lanes behind one output: each clock, when every lane that still has
// words holds one, a row of up to K words leaves (mask marks the lanes in it;
// the last row of a tensor may be partial). Weight r*K + k of a tensor is
// lane k's word in row r. The table and the registers are written to all
// lanes at once. MaxLanes lanes are built; the first `lanes` are used (every
// loop is bounded by MaxLanes and stops at `lanes`).
#pragma once

#include <array>
#include <cstdint>

#include "hls/ans/ans_lane.hpp"

namespace ws::hls {

using contract::AnsRow;

template <class Config, int MaxLanes = contract::kMaxLanes>
class AnsDecoder {
 public:
  static_assert(MaxLanes >= 1 && MaxLanes <= contract::kMaxLanes);
  using LaneArray = std::array<LaneInputs, MaxLanes>;
  using LaneOutputArray = std::array<LaneOutputs, MaxLanes>;

  explicit AnsDecoder(int lanes) : lanes_(lanes < 1 ? 1 : lanes > MaxLanes ? MaxLanes : lanes) {}

  int lanes() const { return lanes_; }
  void write_table(uint32_t address, uint64_t word) {
    for (int k = 0; k < MaxLanes && k < lanes_; ++k) lane_[k].write_table(address, word);
  }
  // counts[k]: the symbols of lane k (0: the lane stays idle).
  void configure(const AnsCfg& cfg, const std::array<uint64_t, MaxLanes>& counts) {
    for (int k = 0; k < MaxLanes && k < lanes_; ++k) lane_[k].configure(cfg, counts[k]);
  }
  void start() {
    for (int k = 0; k < MaxLanes && k < lanes_; ++k) lane_[k].start();
  }
  bool busy() const {
    bool any = false;
    for (int k = 0; k < MaxLanes && k < lanes_; ++k) any = any || (lane_[k].has_more() && lane_[k].phase() != LanePhase::Error);
    return any;
  }
  const AnsLane<Config>& lane(int k) const { return lane_[k]; }

  // One clock: `in` holds each lane's input offer, `out` receives each
  // lane's answers of this cycle (in_ready, stalls); returns the row offered.
  AnsRow cycle(const LaneArray& in, bool out_ready, LaneOutputArray& out) {
    AnsRow row;
    bool complete = true;
    for (int k = 0; k < MaxLanes && k < lanes_; ++k) {
      const AnsLane<Config>& lane = lane_[k];
      if (lane.out_valid()) {
        row.mask |= 1u << k;
        row.words[k] = lane.out_word();
      } else if (lane.has_more()) {
        complete = false;
      }
    }
    row.valid = complete && row.mask != 0;
    const bool taken = row.valid && out_ready;
    for (int k = 0; k < MaxLanes && k < lanes_; ++k) {
      LaneInputs lane_in = in[k];
      lane_in.out_ready = taken;
      out[k] = lane_[k].cycle(lane_in);
    }
    return row;
  }

 private:
  int lanes_;
  std::array<AnsLane<Config>, MaxLanes> lane_;
};

}  // namespace ws::hls
