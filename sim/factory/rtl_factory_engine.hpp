// The RTL token factory (rtl/factory/token_factory.sv) under Verilator as a
// factory engine (factory_engine.hpp), in the build sim/CMakeLists.txt
// verilates: FactoryBuild's 8 lanes, 16 slots, 256-word banks, FST tracing
// compiled in. Every call is whole clocks of the model:
//   write             one clock of the write ports (between runs: the lane
//                     inputs stay as the last cycle left them, a word offered
//                     stays offered until the start; an activation lane or
//                     address outside the build: no write, as the hls model
//                     drops it)
//   start             one clock with start_i: the ANS registers, every lane's
//                     count (missing ones 0) and the run registers (a value
//                     wider than its port is driven as 0, a bad configuration
//                     as the hls model finds it; source as min(source, 3),
//                     2 and up bad). A source 1 run with rows, cols or block
//                     too wide for its port is a Config error in both models,
//                     but the hls MX source still answers the scale port
//                     (in_ready on lane 1) where the RTL's, started with 0,
//                     stays idle. act_half above 1 is driven as period 0
//   status, result    the registered outputs before the next edge
//   cycle             lane inputs, result_ready_i and the write ports set,
//                     evaluated, the lane answers read, one clock
// The lane outputs' out_valid and out_word are not ports of the token
// factory: they are reported false and 0.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "sim/factory/factory_engine.hpp"

class Vtoken_factory;

namespace ws::sim {

template <class Model>
class VerilatedDut;

class RtlFactoryEngine final : public FactoryEngineBase {
 public:
  // trace_path: an FST file to write, or empty for none.
  explicit RtlFactoryEngine(const std::string& trace_path = "");
  ~RtlFactoryEngine() override;
  RtlFactoryEngine(const RtlFactoryEngine&) = delete;
  RtlFactoryEngine& operator=(const RtlFactoryEngine&) = delete;

  using FactoryEngineBase::cycle;
  void write(const FactoryWrites& writes) override;
  void start(const contract::AnsCfg& cfg, std::span<const uint64_t> counts, const FactoryJob& job) override;
  FactoryStatus status() const override;
  FactoryResultBeat result() const override;
  void cycle(std::span<const contract::LaneInputs> in, bool result_ready, std::span<contract::LaneOutputs> out,
             const FactoryWrites& writes) override;
  contract::LaneError lane_error(int lane) const override;

  // Clocks the model has run since its reset.
  uint64_t simulated_cycles() const;

 private:
  void idle_inputs();
  void set_writes(const FactoryWrites& writes);

  std::unique_ptr<VerilatedDut<Vtoken_factory>> dut_;
};

}  // namespace ws::sim
