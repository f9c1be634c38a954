// The ANS decoder engines behind one interface: the hls model, the RTL under
// Verilator and a golden engine all take a tensor's setup (registers, table,
// lane streams; golden/codec/lane_setup.hpp) and run one clock at a time
// through the contract's ports (golden/contract/ans_ports.hpp).
//
//   AnsEngine (concept)  what run_tensor (ans_harness.hpp) drives
//   AnsEngineBase        the same as a virtual interface, for a choice made
//                        at run time; make_ans_engine() is the one factory
//   EngineKind           golden | hls | rtl, parsed and named in one place
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "golden/codec/lane_setup.hpp"
#include "golden/contract/ans_ports.hpp"

namespace ws::sim {

template <class E>
concept AnsEngine = requires(E& engine, const E& view, const golden::TensorSetup& setup,
                             std::span<const contract::LaneInputs> in, bool out_ready,
                             std::span<contract::LaneOutputs> out, int lane) {
  { view.lanes() } -> std::convertible_to<int>;          // lanes built
  { view.width() } -> std::convertible_to<int>;          // PatternWidth
  { view.history_depth() } -> std::convertible_to<int>;  // largest REPEAT distance in lane symbols
  engine.load(setup);                                     // table, registers, start
  // One clock: in and out hold lanes() entries.
  { engine.cycle(in, out_ready, out) } -> std::same_as<contract::AnsRow>;
  { view.lane_error(lane) } -> std::same_as<contract::LaneError>;
};

class AnsEngineBase {
 public:
  virtual ~AnsEngineBase() = default;
  virtual int lanes() const = 0;
  virtual int width() const = 0;
  virtual int history_depth() const = 0;
  virtual void load(const golden::TensorSetup& setup) = 0;
  virtual contract::AnsRow cycle(std::span<const contract::LaneInputs> in, bool out_ready,
                                 std::span<contract::LaneOutputs> out) = 0;
  virtual contract::LaneError lane_error(int lane) const = 0;
};
static_assert(AnsEngine<AnsEngineBase>);

// Any engine as an AnsEngineBase.
template <AnsEngine E>
class AnsEngineAdapter final : public AnsEngineBase {
 public:
  template <class... Args>
  explicit AnsEngineAdapter(Args&&... args) : engine_(std::forward<Args>(args)...) {}
  int lanes() const override { return engine_.lanes(); }
  int width() const override { return engine_.width(); }
  int history_depth() const override { return engine_.history_depth(); }
  void load(const golden::TensorSetup& setup) override { engine_.load(setup); }
  contract::AnsRow cycle(std::span<const contract::LaneInputs> in, bool out_ready,
                         std::span<contract::LaneOutputs> out) override {
    return engine_.cycle(in, out_ready, out);
  }
  contract::LaneError lane_error(int lane) const override { return engine_.lane_error(lane); }

 private:
  E engine_;
};

enum class EngineKind : uint8_t { Golden, Hls, Rtl };

std::optional<EngineKind> parse_engine_kind(std::string_view name);  // "golden", "hls", "rtl"
const char* engine_name(EngineKind kind);
// Whether this build has the engine (rtl needs the Verilator component).
bool engine_available(EngineKind kind);

struct AnsEngineOptions {
  int lanes = 8;           // golden and hls: any of 1..32; rtl: its build's (16, or 8 at width 16)
  int width = 32;          // PatternWidth: 16 (bf16, fp16) or 32 (every dtype)
  std::string trace_path;  // rtl only: an FST waveform of the run
};

// The lanes an engine of this kind and width is built with: the rtl builds
// are fixed (16 lanes of 32-bit words, 8 of 16-bit words); the others take
// what they are asked for, up to contract::kMaxLanes.
int engine_max_lanes(EngineKind kind, int width);

// Throws golden::Error (code Usage) for an engine this build lacks, a width
// other than 16 or 32, a lane count outside 1..engine_max_lanes, or a trace
// asked of an engine that cannot write one.
std::unique_ptr<AnsEngineBase> make_ans_engine(EngineKind kind, const AnsEngineOptions& options);

}  // namespace ws::sim
