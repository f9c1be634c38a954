// The RTL ans_decoder under Verilator as an engine for run_tensor
// (sim/ans/ans_harness.hpp), in two builds:
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
#include "hls/ans/ans_decoder.hpp"

class Vans_decoder;
class Vans_decoder_w16;
class VerilatedContext;
class VerilatedFstC;

namespace ws::sim {

template <class Model, int Lanes, int Width>
class RtlAnsEngineT {
 public:
  static constexpr int kLanes = Lanes;
  static constexpr int kWidth = Width;
  static constexpr int kHistoryDepth = 64;
  using Row = typename hls::AnsDecoder<hls::AnsLaneConfig<Width>, Lanes>::Row;

  // trace_path: an FST file to write, or empty (only the 32-bit build traces).
  explicit RtlAnsEngineT(const std::string& trace_path = "");
  ~RtlAnsEngineT();

  int lanes() const { return kLanes; }
  int width() const { return kWidth; }
  int history_depth() const { return kHistoryDepth; }
  uint64_t simulated_cycles() const { return cycles_; }

  void load(const golden::TensorSetup& setup);
  Row cycle(std::span<const hls::LaneInputs> in, bool out_ready, std::span<hls::LaneOutputs> out);
  int lane_error(int k) const;

 private:
  void tick();

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
  std::unique_ptr<VerilatedFstC> trace_;
  uint64_t cycles_ = 0;
};

using RtlAnsEngine = RtlAnsEngineT<Vans_decoder, 16, 32>;
using RtlAnsEngine16 = RtlAnsEngineT<Vans_decoder_w16, 8, 16>;

}  // namespace ws::sim
