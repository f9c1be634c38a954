// The memory side of an ANS decoder run: each lane's compressed words, served
// at `bytes_per_clock` shared by all lanes (0: unlimited), with random input
// stalls. An offered word stays offered, unchanged, until the lane takes it;
// its bandwidth is spent when it is offered. Lanes are served round-robin.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "golden/contract/ans_ports.hpp"

namespace ws::sim {

class LaneMemory {
 public:
  LaneMemory(const golden::TensorSetup& setup, double bytes_per_clock, double stall, uint64_t seed)
      : setup_(setup), bytes_per_clock_(bytes_per_clock), stall_(stall), rng_(seed),
        next_(setup.lanes.size(), 0), offering_(setup.lanes.size(), false) {}

  // True while lane k has a word to offer (offered now or still to come).
  bool has_words(size_t k) const { return offering_[k] || next_[k] < setup_.lanes[k].words.size(); }

  // This cycle's offers, one per lane.
  std::vector<contract::LaneInputs> offers() {
    const size_t lanes = setup_.lanes.size();
    if (bytes_per_clock_ > 0) credit_ = std::min(credit_ + bytes_per_clock_, bytes_per_clock_ + 4.0);
    for (size_t i = 0; i < lanes; ++i) {
      const size_t k = (first_ + i) % lanes;
      if (offering_[k] || next_[k] >= setup_.lanes[k].words.size()) continue;
      if (stall_ > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < stall_) continue;
      if (bytes_per_clock_ > 0) {
        if (credit_ < 4.0) break;
        credit_ -= 4.0;
      }
      offering_[k] = true;
    }
    first_ = (first_ + 1) % std::max<size_t>(lanes, 1);
    std::vector<contract::LaneInputs> in(lanes);
    for (size_t k = 0; k < lanes; ++k) {
      if (!offering_[k]) continue;
      in[k].in_valid = true;
      in[k].in_word = setup_.lanes[k].words[next_[k]];
      in[k].in_last = next_[k] + 1 == setup_.lanes[k].words.size();
    }
    return in;
  }

  // The lanes' answers to this cycle's offers.
  void taken(size_t lane, bool in_ready) {
    if (offering_[lane] && in_ready) {
      offering_[lane] = false;
      ++next_[lane];
    }
  }

 private:
  const golden::TensorSetup& setup_;
  double bytes_per_clock_;
  double stall_;
  std::mt19937_64 rng_;
  double credit_ = 0;
  size_t first_ = 0;
  std::vector<size_t> next_;
  std::vector<bool> offering_;
};

}  // namespace ws::sim
