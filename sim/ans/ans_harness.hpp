// Runs one tensor through an ANS decoder engine (sim/ans/ans_engine.hpp):
// loads its table and registers through the configuration port, serves the
// lane streams from a LaneMemory, takes output rows with random
// back-pressure, and checks every weight, and every lane error, against
// golden in order. Stops at the first disagreement; a decoder that stops
// making progress is reported as a hang.
//
// Outcome (AnsRunStats::status):
//   None       every weight as golden says, no lane error
//   BadInput   a lane reported the error golden finds in its stream (a
//              corrupt stream, caught by the hardware as it should be)
//   Mismatch   a weight, a row mask or a lane error differs from golden
//   Hang       nothing moved for hang_cycles cycles in which the test bench
//              did not hold the decoder back: no word taken, no symbol
//              decoded, no row given out (a slow memory or consumer is not a hang)
//   Usage      the decoder cannot take the tensor (lanes, REPEAT history)
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "golden/common/error.hpp"
#include "sim/ans/ans_engine.hpp"
#include "sim/ans/memory_model.hpp"

namespace ws::sim {

struct AnsRunOptions {
  double bytes_per_clock = 0;    // 0: unlimited
  double input_stall = 0;        // chance a lane's next word is held back a cycle
  double output_stall = 0;       // chance the consumer is not ready
  uint64_t seed = 1;
  uint64_t hang_cycles = 10000;  // cycles in which nothing moves (no word taken, no symbol, no row) before a hang
};

struct AnsRunStats {
  golden::Status status;
  int error_lane = -1;  // the lane a decode error or a lane mismatch is about
  uint64_t weights = 0;
  uint64_t cycles = 0;
  uint64_t stall_input = 0;   // lane-cycles waiting for stream bits with none offered
  uint64_t stall_refill = 0;  // lane-cycles waiting for stream bits while a word arrives
  uint64_t stall_output = 0;  // lane-cycles with a symbol ready and the output full

  bool ok() const { return status.ok(); }
  void add(const AnsRunStats& s) {
    weights += s.weights;
    cycles += s.cycles;
    stall_input += s.stall_input;
    stall_refill += s.stall_refill;
    stall_output += s.stall_output;
  }
};

// What golden expects of a tensor: its weights in order, as the original
// tensor gives them (no lane fails).
inline golden::SetupDecode expect_weights(std::span<const uint32_t> weights, const golden::TensorSetup& setup) {
  golden::SetupDecode d;
  d.weights.assign(weights.begin(), weights.end());
  d.lane_errors.assign(setup.lanes.size(), contract::LaneError::None);
  for (const golden::LaneSetup& lane : setup.lanes) d.lane_decoded.push_back(lane.count);
  return d;
}

// The verdict on a lane error `actual` that `who` (the decoder, the card)
// reports on lane k, golden expecting `wanted`: BadInput when golden finds
// the same error in the stream, else Mismatch.
inline golden::Status lane_error_verdict(const std::string& name, size_t k, const char* who, contract::LaneError actual,
                                         contract::LaneError wanted) {
  const std::string where = "tensor '" + name + "' lane " + std::to_string(k) + ": ";
  if (actual == wanted) return {golden::ErrorCode::BadInput, where + "decode error: " + contract::to_text(actual)};
  return {golden::ErrorCode::Mismatch,
          where + who + " reports \"" + contract::to_text(actual) + "\", golden " +
              (wanted == contract::LaneError::None ? std::string("decodes the lane")
                                                   : "\"" + std::string(contract::to_text(wanted)) + "\"")};
}

template <AnsEngine Engine>
AnsRunStats run_tensor(Engine& engine, const std::string& name, const golden::TensorSetup& setup,
                       const golden::SetupDecode& expected, const AnsRunOptions& o) {
  using golden::ErrorCode;
  AnsRunStats stats;
  auto stop = [&](ErrorCode code, const std::string& message, int lane = -1) {
    stats.status = golden::Status(code, message);
    stats.error_lane = lane;
    return stats;
  };
  const size_t lanes = setup.lanes.size();
  if (lanes > static_cast<size_t>(engine.lanes())) {
    return stop(ErrorCode::Usage, "tensor '" + name + "' has " + std::to_string(lanes) + " lanes, the decoder " +
                                      std::to_string(engine.lanes()));
  }
  if (setup.cfg.repeat_enable && setup.cfg.repeat_distance > static_cast<uint64_t>(engine.history_depth())) {
    return stop(ErrorCode::Usage, "tensor '" + name + "': REPEAT distance of " +
                                      std::to_string(setup.cfg.repeat_distance) +
                                      " lane symbols exceeds the decoder's history of " +
                                      std::to_string(engine.history_depth()));
  }
  engine.load(setup);
  LaneMemory memory(setup, o.bytes_per_clock, o.input_stall, o.seed);
  std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ull);
  std::vector<contract::LaneInputs> in(static_cast<size_t>(engine.lanes()));
  std::vector<contract::LaneOutputs> out(in.size());
  const uint64_t total = expected.weights.size();
  uint64_t row = 0, idle = 0;
  const auto lane_done = [&] {
    for (size_t k = 0; k < lanes; ++k) {
      if (row < expected.lane_decoded[k]) return false;
    }
    return true;
  };
  // A lane golden finds corrupt must report its error: the run goes on until it does.
  bool golden_errors = false;
  for (const contract::LaneError e : expected.lane_errors) golden_errors = golden_errors || e != contract::LaneError::None;
  while (!lane_done() || golden_errors) {
    const std::vector<contract::LaneInputs> offers = memory.offers();
    std::copy(offers.begin(), offers.end(), in.begin());
    const bool out_ready = o.output_stall <= 0 || std::uniform_real_distribution<double>(0, 1)(rng) >= o.output_stall;
    const contract::AnsRow r = engine.cycle(in, out_ready, out);
    ++stats.cycles;
    bool moved = false;
    // A cycle in which the test bench held the decoder back (its row refused,
    // or a lane ready for a word it still has not served) is not idle: a slow
    // consumer or memory is not a hang.
    bool held_back = r.valid && !out_ready;
    for (size_t k = 0; k < lanes; ++k) {
      moved = moved || (in[k].in_valid && out[k].in_ready) || out[k].decoded;
      held_back = held_back || (out[k].in_ready && !in[k].in_valid && memory.has_words(k));
      memory.taken(k, out[k].in_ready);
      stats.stall_input += out[k].stall_input;
      stats.stall_refill += out[k].stall_refill;
      stats.stall_output += out[k].stall_output;
    }
    if (moved) {
      idle = 0;
    } else if (!held_back) {
      ++idle;
    }
    if (r.valid && out_ready) {
      idle = 0;
      for (size_t k = 0; k < lanes; ++k) {
        const uint64_t index = row * lanes + k;
        const bool expected_in_row = index < total && row < expected.lane_decoded[k];
        const bool in_row = (r.mask >> k) & 1;
        if (in_row != expected_in_row || (expected_in_row && r.words[k] != expected.weights[index])) {
          std::ostringstream msg;
          msg << "tensor '" << name << "' seed " << o.seed << " weight " << index << " (lane " << k << ", row " << row
              << "): expected " << (expected_in_row ? "0x" : "no word") << std::hex;
          if (expected_in_row) msg << expected.weights[index];
          msg << ", actual " << (in_row ? "0x" : "no word");
          if (in_row) msg << r.words[k];
          return stop(ErrorCode::Mismatch, msg.str(), static_cast<int>(k));
        }
        stats.weights += expected_in_row;
      }
      ++row;
    } else if (idle > o.hang_cycles) {
      for (size_t k = 0; k < lanes && lane_done(); ++k) {
        if (expected.lane_errors[k] != contract::LaneError::None) {
          return stop(ErrorCode::Mismatch,
                      "tensor '" + name + "' lane " + std::to_string(k) + ": golden reports \"" +
                          contract::to_text(expected.lane_errors[k]) + "\", the decoder reports no error",
                      static_cast<int>(k));
        }
      }
      return stop(ErrorCode::Hang, "tensor '" + name + "': hang, nothing moved for " +
                                       std::to_string(o.hang_cycles) + " cycles after " +
                                       std::to_string(stats.weights) + " of " + std::to_string(total) + " weights");
    }
    for (size_t k = 0; k < lanes; ++k) {
      const contract::LaneError actual = engine.lane_error(static_cast<int>(k));
      if (actual == contract::LaneError::None) continue;
      const golden::Status verdict = lane_error_verdict(name, k, "the decoder", actual, expected.lane_errors[k]);
      return stop(verdict.code(), verdict.message(), static_cast<int>(k));
    }
  }
  return stats;
}

}  // namespace ws::sim
