// Runs one tensor through an ANS decoder engine (the hls model or the RTL
// under Verilator): loads its table and registers through the configuration
// port, serves the lane streams from a LaneMemory, takes output rows with
// random back-pressure, and checks every weight against golden in order.
// Stops at the first mismatch or lane error; a decoder that stops making
// progress is reported as a hang.
//
// Engine interface:
//   int lanes() const;                    // physical lanes
//   int history_depth() const;            // largest REPEAT distance in lane symbols
//   void load(const golden::TensorSetup&); // table, registers, start
//   Row cycle(span<const LaneInputs>, bool out_ready, span<LaneOutputs>);
//   int lane_error(int k) const;           // 0 none, else hls::LaneError
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "sim/ans/memory_model.hpp"

namespace ws::sim {

struct AnsRunOptions {
  double bytes_per_clock = 0;  // 0: unlimited
  double input_stall = 0;      // chance a lane's next word is held back a cycle
  double output_stall = 0;     // chance the consumer is not ready
  uint64_t seed = 1;
  uint64_t hang_cycles = 10000;  // cycles without a row before a run is called a hang
  bool compare = true;           // false: only run (golden could not decode the tensor)
};

struct AnsRunStats {
  bool ok = true;
  std::string error;
  uint64_t weights = 0;
  uint64_t cycles = 0;
  uint64_t stall_input = 0;   // lane-cycles waiting for stream bits with none offered
  uint64_t stall_refill = 0;  // lane-cycles waiting for stream bits while a word arrives
  uint64_t stall_output = 0;  // lane-cycles with a symbol ready and the output full

  void add(const AnsRunStats& s) {
    weights += s.weights;
    cycles += s.cycles;
    stall_input += s.stall_input;
    stall_refill += s.stall_refill;
    stall_output += s.stall_output;
  }
};

inline const char* lane_error_text(int code) {
  switch (code) {
    case 1: return "stream ends early";
    case 2: return "final state is not the initial one";
    case 3: return "REPEAT with nothing to repeat";
    default: return "unknown error";
  }
}

template <class Engine>
AnsRunStats run_tensor(Engine& engine, const std::string& name, const golden::TensorSetup& setup,
                       std::span<const uint32_t> expected, const AnsRunOptions& o) {
  AnsRunStats stats;
  const size_t lanes = setup.lanes.size();
  if (lanes > static_cast<size_t>(engine.lanes())) {
    stats.ok = false;
    stats.error = "tensor '" + name + "' has " + std::to_string(lanes) + " lanes, the decoder " +
                  std::to_string(engine.lanes());
    return stats;
  }
  if (setup.repeat && setup.repeat_lane_distance > static_cast<uint64_t>(engine.history_depth())) {
    stats.ok = false;
    stats.error = "tensor '" + name + "': REPEAT distance of " + std::to_string(setup.repeat_lane_distance) +
                  " lane symbols exceeds the decoder's history of " + std::to_string(engine.history_depth());
    return stats;
  }
  engine.load(setup);
  LaneMemory memory(setup, o.bytes_per_clock, o.input_stall, o.seed);
  std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ull);
  std::vector<hls::LaneInputs> in(static_cast<size_t>(engine.lanes()));
  std::vector<hls::LaneOutputs> out(in.size());
  uint64_t row = 0, idle = 0;
  while (stats.weights < expected.size()) {
    const std::vector<hls::LaneInputs> offers = memory.offers();
    std::copy(offers.begin(), offers.end(), in.begin());
    const bool out_ready = o.output_stall <= 0 || std::uniform_real_distribution<double>(0, 1)(rng) >= o.output_stall;
    const auto r = engine.cycle(in, out_ready, out);
    ++stats.cycles;
    for (size_t k = 0; k < lanes; ++k) {
      memory.taken(k, out[k].in_ready);
      stats.stall_input += out[k].stall_input;
      stats.stall_refill += out[k].stall_refill;
      stats.stall_output += out[k].stall_output;
      if (const int e = engine.lane_error(static_cast<int>(k))) {
        stats.ok = false;
        stats.error = "tensor '" + name + "' lane " + std::to_string(k) + ": decode error: " + lane_error_text(e);
        return stats;
      }
    }
    if (r.valid && out_ready) {
      idle = 0;
      for (size_t k = 0; k < lanes; ++k) {
        const uint64_t index = row * lanes + k;
        const bool expected_in_row = index < expected.size();
        const bool wrong = ((r.mask >> k) & 1) != expected_in_row || (expected_in_row && r.words[k] != expected[index]);
        if (o.compare && wrong) {
          std::ostringstream msg;
          msg << "tensor '" << name << "' seed " << o.seed << " weight " << index << " (lane " << k << ", row " << row
              << "): expected " << (expected_in_row ? "0x" : "no word") << std::hex;
          if (expected_in_row) msg << expected[index];
          msg << ", actual " << (((r.mask >> k) & 1) ? "0x" : "no word");
          if ((r.mask >> k) & 1) msg << r.words[k];
          stats.ok = false;
          stats.error = msg.str();
          return stats;
        }
        stats.weights += expected_in_row;
      }
      ++row;
    } else if (++idle > o.hang_cycles) {
      stats.ok = false;
      stats.error = "tensor '" + name + "': hang, no output for " + std::to_string(o.hang_cycles) + " cycles after " +
                    std::to_string(stats.weights) + " of " + std::to_string(expected.size()) + " weights";
      return stats;
    }
  }
  return stats;
}

}  // namespace ws::sim
