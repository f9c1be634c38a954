// The token factory engines behind one interface: the hls model
// (hls/factory/token_factory.hpp) and the RTL under Verilator
// (rtl/factory/token_factory.sv) take a table, activation bank words and a
// start with the ANS registers, lane counts and run registers, then run one
// clock at a time through the ANS lane ports and the result stream. The two
// write ports (a table word, an activation bank word) take a word each per
// clock, between runs (write) or during one (cycle's writes: the halves the
// run does not read, so that the next job's loads overlap this one).
// make_factory_engine() is the one factory; the build's sizing is
// FactoryBuild (8 lanes of bf16 weights, 16 slots, 256-word banks).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "golden/contract/ans_ports.hpp"
#include "hls/factory/token_factory.hpp"
#include "sim/ans/ans_engine.hpp"

namespace ws::sim {

using FactoryBuild = hls::TokenFactoryConfig<8, 16, 256>;
using hls::FactoryCounters;
using hls::FactoryJob;

struct FactoryStatus {
  bool busy = false;
  bool done = false;
  contract::FactoryError error = contract::FactoryError::None;
  FactoryCounters counters;
};

// One clock of the write ports.
struct FactoryWrites {
  bool table = false;
  uint32_t table_address = 0;
  uint64_t table_word = 0;
  bool activation = false;
  int lane = 0;  // the bank written
  uint32_t act_address = 0;
  std::array<uint16_t, FactoryBuild::kSlots> act_word{};  // slot b's bf16 activation in act_word[b]
};

struct FactoryResultBeat {
  bool valid = false;
  std::array<uint32_t, FactoryBuild::kSlots> words{};  // fp32 bits, slot b's in words[b]
};

class FactoryEngineBase {
 public:
  static constexpr int kLanes = FactoryBuild::kLanes;
  static constexpr int kSlots = FactoryBuild::kSlots;
  static constexpr int kBankDepth = FactoryBuild::kBankDepth;

  virtual ~FactoryEngineBase() = default;
  // One clock of the write ports and nothing else (between runs).
  virtual void write(const FactoryWrites& writes) = 0;
  // The start pulse: ANS registers and lane counts (kLanes of them), run registers.
  virtual void start(const contract::AnsCfg& cfg, std::span<const uint64_t> counts, const FactoryJob& job) = 0;
  // Before the clock edge: the status, the result beat offered.
  virtual FactoryStatus status() const = 0;
  virtual FactoryResultBeat result() const = 0;
  // One clock: in and out hold kLanes entries; result_ready takes the result beat offered;
  // `writes` go to the write ports at the same edge.
  virtual void cycle(std::span<const contract::LaneInputs> in, bool result_ready, std::span<contract::LaneOutputs> out,
                     const FactoryWrites& writes) = 0;
  void cycle(std::span<const contract::LaneInputs> in, bool result_ready, std::span<contract::LaneOutputs> out) {
    cycle(in, result_ready, out, FactoryWrites{});
  }
  // Lane k's error (the ANS decoder's).
  virtual contract::LaneError lane_error(int lane) const = 0;
};

// rtl needs the Verilator component; trace_path: an FST file (rtl only).
std::unique_ptr<FactoryEngineBase> make_factory_engine(EngineKind kind, const std::string& trace_path = "");

// The hls model as a factory engine.
class HlsFactoryEngine final : public FactoryEngineBase {
 public:
  using Model = hls::TokenFactory<FactoryBuild>;
  HlsFactoryEngine() : model_(std::make_unique<Model>()) {}

  using FactoryEngineBase::cycle;
  void write(const FactoryWrites& w) override {
    if (w.table) model_->write_table(w.table_address, w.table_word);
    if (w.activation) model_->write_activation(w.lane, w.act_address, w.act_word);
  }
  void start(const contract::AnsCfg& cfg, std::span<const uint64_t> counts, const FactoryJob& job) override {
    std::array<uint64_t, kLanes> c{};
    for (size_t k = 0; k < c.size() && k < counts.size(); ++k) c[k] = counts[k];
    model_->start(cfg, c, job);
  }
  FactoryStatus status() const override {
    return {model_->busy(), model_->done(), model_->error(), model_->counters()};
  }
  FactoryResultBeat result() const override {
    FactoryResultBeat beat;
    beat.valid = model_->result().valid;
    beat.words = model_->result().words;
    return beat;
  }
  void cycle(std::span<const contract::LaneInputs> in, bool result_ready, std::span<contract::LaneOutputs> out,
             const FactoryWrites& writes) override {
    Model::LaneArray lane_in{};
    Model::LaneOutputArray lane_out{};
    std::copy(in.begin(), in.begin() + kLanes, lane_in.begin());
    model_->cycle(lane_in, result_ready, lane_out);
    write(writes);  // after the clock's reads: the RAMs' read-before-write at one edge
    std::copy(lane_out.begin(), lane_out.begin() + kLanes, out.begin());
  }
  contract::LaneError lane_error(int lane) const override { return model_->decoder().lane(lane).error(); }

 private:
  std::unique_ptr<Model> model_;
};

}  // namespace ws::sim
