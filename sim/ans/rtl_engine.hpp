// The RTL ans_decoder under Verilator as an engine for run_tensor
// (sim/ans/ans_harness.hpp). The model is built with 16 lanes and 32-bit
// words, so it serves every dtype and any container of up to 16 lanes; lanes
// a tensor does not use get a count of 0. An optional FST trace records
// every signal.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "golden/codec/lane_setup.hpp"
#include "hls/ans/ans_decoder.hpp"

class Vans_decoder;
class VerilatedContext;
class VerilatedFstC;

namespace ws::sim {

class RtlAnsEngine {
 public:
  static constexpr int kLanes = 16;
  static constexpr int kWidth = 32;
  static constexpr int kHistoryDepth = 64;

  // trace_path: an FST file to write, or empty.
  explicit RtlAnsEngine(const std::string& trace_path = "");
  ~RtlAnsEngine();

  int lanes() const { return kLanes; }
  int width() const { return kWidth; }
  int history_depth() const { return kHistoryDepth; }
  uint64_t simulated_cycles() const { return cycles_; }

  void load(const golden::TensorSetup& setup);
  hls::AnsDecoder<hls::AnsLaneConfig<kWidth>, kLanes>::Row cycle(std::span<const hls::LaneInputs> in,
                                                                  bool out_ready,
                                                                  std::span<hls::LaneOutputs> out);
  int lane_error(int k) const;

 private:
  void tick();

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vans_decoder> model_;
  std::unique_ptr<VerilatedFstC> trace_;
  uint64_t cycles_ = 0;
};

}  // namespace ws::sim
