// The RTL ans_decoder under Verilator as an ANS decoder engine
// (sim/ans/ans_engine.hpp), in two builds:
//   RtlAnsEngine     16 lanes of 32-bit words: every dtype, any container of
//                    up to 16 lanes; an optional FST trace records every signal
//   RtlAnsEngine16   8 lanes of 16-bit words: the configuration `make synth`
//                    measures (bf16 and fp16)
// Lanes a tensor does not use get a count of 0.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "golden/codec/lane_setup.hpp"
#include "golden/contract/ans_ports.hpp"

class Vans_decoder;
class Vans_decoder_w16;

namespace ws::sim {

template <class Model>
class VerilatedDut;

template <class Model, int Lanes, int Width>
class RtlAnsEngineT {
 public:
  static constexpr int kLanes = Lanes;
  static constexpr int kWidth = Width;
  static constexpr int kHistoryDepth = 64;  // the builds' HistoryDepth parameter

  // trace_path: an FST file to write, or empty (only the 32-bit build traces).
  explicit RtlAnsEngineT(const std::string& trace_path = "");
  ~RtlAnsEngineT();
  RtlAnsEngineT(RtlAnsEngineT&&) noexcept;

  int lanes() const { return kLanes; }
  int width() const { return kWidth; }
  int history_depth() const { return kHistoryDepth; }
  uint64_t simulated_cycles() const;

  void load(const golden::TensorSetup& setup);
  contract::AnsRow cycle(std::span<const contract::LaneInputs> in, bool out_ready,
                         std::span<contract::LaneOutputs> out);
  contract::LaneError lane_error(int k) const;

 private:
  std::unique_ptr<VerilatedDut<Model>> dut_;
};

using RtlAnsEngine = RtlAnsEngineT<Vans_decoder, 16, 32>;
using RtlAnsEngine16 = RtlAnsEngineT<Vans_decoder_w16, 8, 16>;

}  // namespace ws::sim
