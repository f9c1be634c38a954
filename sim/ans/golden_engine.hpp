// The golden model as an ANS decoder engine (sim/ans/ans_engine.hpp): an ideal
// decoder. load() decodes every lane with golden (decode_tensor_setup, the
// hardware's reading of the streams); then each clock a row of the lanes'
// next words leaves when the consumer is ready, and every word offered on a
// lane's input is taken at once. No stalls of its own: its cycle count is the
// floor any hardware decoder of as many lanes can reach. A lane that golden
// finds corrupt reports the hardware's error code once its good words are out.
#pragma once

#include <span>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "golden/contract/ans_ports.hpp"

namespace ws::sim {

class GoldenAnsEngine {
 public:
  GoldenAnsEngine(int lanes, int width) : lanes_(lanes), width_(width) {}

  int lanes() const { return lanes_; }
  int width() const { return width_; }
  int history_depth() const { return (1 << contract::AnsCfg::kRepeatDistanceWidth) - 1; }

  void load(const golden::TensorSetup& setup) {
    decode_ = golden::decode_tensor_setup(setup);
    words_in_.clear();
    for (const golden::LaneSetup& lane : setup.lanes) words_in_.push_back(lane.words.size());
    taken_.assign(setup.lanes.size(), 0);
    row_ = 0;
  }

  contract::AnsRow cycle(std::span<const contract::LaneInputs> in, bool out_ready,
                         std::span<contract::LaneOutputs> out) {
    contract::AnsRow row;
    const size_t used = decode_.lane_decoded.size();
    for (size_t k = 0; k < used; ++k) {
      if (row_ < decode_.lane_decoded[k]) {
        row.mask |= 1u << k;
        row.words[k] = decode_.weights[row_ * used + k];
      }
    }
    row.valid = row.mask != 0;
    const bool taken = row.valid && out_ready;
    for (size_t k = 0; k < static_cast<size_t>(lanes_); ++k) {
      contract::LaneOutputs& o = out[k];
      o = {};
      if (k < used) {
        o.in_ready = taken_[k] < words_in_[k];
        if (in[k].in_valid && o.in_ready) ++taken_[k];
        o.out_valid = (row.mask >> k) & 1;
        o.out_word = row.words[k];
        o.decoded = taken && o.out_valid;
      }
    }
    if (taken) ++row_;
    return row;
  }

  contract::LaneError lane_error(int k) const {
    const auto lane = static_cast<size_t>(k);
    if (lane >= decode_.lane_errors.size() || row_ < decode_.lane_decoded[lane]) return contract::LaneError::None;
    return decode_.lane_errors[lane];
  }

 private:
  int lanes_;
  int width_;
  golden::SetupDecode decode_;
  std::vector<uint64_t> words_in_;
  std::vector<uint64_t> taken_;
  uint64_t row_ = 0;
};

}  // namespace ws::sim
