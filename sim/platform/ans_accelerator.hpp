// The ANS decoder as a clocked SystemC module: on each rising edge of `clk`
// it advances the DMA, offers each lane its FIFO head, runs one clock of the
// decoder engine (the Verilated RTL, or the hls model; sim/ans/ans_engine.hpp)
// and hands the output row to the result sink. The engine is the Verilated
// C++ model the rest of the project drives, stepped by this module's clock
// process rather than regenerated with `verilator --sc`: one model build
// serves the bare harness and the platform.
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "sim/ans/ans_engine.hpp"
#include "sim/platform/lane_dma.hpp"

namespace ws::sim {

struct AcceleratorCounters {
  uint64_t cycles = 0;        // clocks from start to done
  uint64_t stall_memory = 0;  // lane-clocks the decoder wanted a word the DMA did not have
  uint64_t stall_refill = 0;  // lane-clocks waiting while a word arrives
  uint64_t stall_output = 0;  // lane-clocks with a symbol and a full output register
  uint64_t weights = 0;       // weights given to the result sink
};

class AnsAccelerator : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk;
  sc_core::sc_port<LaneSource> source;
  sc_core::sc_port<ResultSink> results;

  SC_HAS_PROCESS(AnsAccelerator);
  explicit AnsAccelerator(sc_core::sc_module_name name);

  void set_engine(std::unique_ptr<AnsEngineBase> engine) { engine_ = std::move(engine); }
  const AnsEngineBase* engine() const { return engine_.get(); }

  // A job: the setup's table, registers and lane counts (its stream words
  // are the DMA's to fetch); `lanes` lanes in use.
  void start(const golden::TensorSetup& setup);
  void abort() { running_ = false; }
  bool running() const { return running_; }
  const AcceleratorCounters& counters() const { return counters_; }
  int error_lane() const { return error_lane_; }  // -1: none
  contract::LaneError lane_error() const { return lane_error_; }

 private:
  void on_clock();

  std::unique_ptr<AnsEngineBase> engine_;
  bool running_ = false;
  int lanes_ = 0;
  std::vector<uint64_t> left_;  // words each lane has still to give
  uint64_t row_ = 0;
  AcceleratorCounters counters_;
  int error_lane_ = -1;
  contract::LaneError lane_error_ = contract::LaneError::None;
  std::vector<contract::LaneInputs> in_;
  std::vector<contract::LaneOutputs> out_;
};

}  // namespace ws::sim
