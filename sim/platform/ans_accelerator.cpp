#include "sim/platform/ans_accelerator.hpp"

#include <algorithm>

namespace ws::sim {

AnsAccelerator::AnsAccelerator(sc_core::sc_module_name name)
    : sc_module(name), clk("clk"), source("source"), results("results") {
  SC_METHOD(on_clock);
  sensitive << clk.pos();
  dont_initialize();
}

void AnsAccelerator::start(const golden::TensorSetup& setup) {
  engine_->load(setup);
  lanes_ = static_cast<int>(setup.lanes.size());
  left_.clear();
  for (const golden::LaneSetup& lane : setup.lanes) left_.push_back(lane.count);
  row_ = 0;
  counters_ = {};
  error_lane_ = -1;
  lane_error_ = contract::LaneError::None;
  in_.assign(static_cast<size_t>(engine_->lanes()), {});
  out_.assign(in_.size(), {});
  running_ = std::ranges::any_of(left_, [](uint64_t n) { return n > 0; });
}

void AnsAccelerator::on_clock() {
  if (!running_) return;
  ++counters_.cycles;
  source->advance();
  for (int k = 0; k < lanes_; ++k) in_[static_cast<size_t>(k)] = source->offer(k);
  const contract::AnsRow row = engine_->cycle(in_, true, out_);
  for (int k = 0; k < lanes_; ++k) {
    const auto u = static_cast<size_t>(k);
    if (in_[u].in_valid && out_[u].in_ready) source->take(k);
    counters_.stall_memory += out_[u].stall_input;
    counters_.stall_refill += out_[u].stall_refill;
    counters_.stall_output += out_[u].stall_output;
  }
  if (row.valid) {
    results->write_row(row_++, row, lanes_);
    for (int k = 0; k < lanes_; ++k) {
      if (!((row.mask >> k) & 1)) continue;
      ++counters_.weights;
      // A word beyond a lane's count is the decoder's error: it is written, and the host finds it.
      if (left_[static_cast<size_t>(k)] > 0) --left_[static_cast<size_t>(k)];
    }
  }
  for (int k = 0; k < lanes_ && error_lane_ < 0; ++k) {
    const contract::LaneError e = engine_->lane_error(k);
    if (e == contract::LaneError::None) continue;
    error_lane_ = k;
    lane_error_ = e;
    running_ = false;
  }
  if (std::ranges::all_of(left_, [](uint64_t n) { return n == 0; })) running_ = false;
}

}  // namespace ws::sim
