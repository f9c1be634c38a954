// A Verilated model with its context, reset, clock and optional FST trace:
// the boilerplate every RTL harness shares. The model's clock and reset ports
// are clk_i and rst_ni (active low). An assertion that fails inside the
// model (built with --assert) is reported by Verilator on stderr and makes
// eval() throw golden::Error with code Mismatch, so that a harness stops at
// the failing cycle instead of the process being aborted.
// Include only where the Verilated model's header is included.
#pragma once

#include <verilated.h>
#include <verilated_fst_c.h>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>

#include "golden/common/error.hpp"

namespace ws::sim {

template <class Model>
class VerilatedDut {
  // Models verilated with --trace-fst; the others never touch the FST library.
  static constexpr bool kTraced = requires(Model& m, VerilatedFstC* t) { m.trace(t, 99); };
  struct NoTrace {};

 public:
  // trace_path: an FST file to write, or empty for none.
  explicit VerilatedDut(const std::string& trace_path = "")
      : context_(std::make_unique<VerilatedContext>()) {
    context_->fatalOnError(false);
    if (!trace_path.empty()) context_->traceEverOn(true);
    model_ = std::make_unique<Model>(context_.get());
    if (!trace_path.empty()) {
      if constexpr (kTraced) {
        trace_ = std::make_unique<VerilatedFstC>();
        model_->trace(trace_.get(), 99);
        trace_->open(trace_path.c_str());
      } else {
        throw golden::Error(golden::ErrorCode::Usage, "this RTL build has no tracing");
      }
    }
  }
  ~VerilatedDut() {
    model_->final();
    if constexpr (kTraced) {
      if (trace_) trace_->close();
    }
  }
  VerilatedDut(const VerilatedDut&) = delete;
  VerilatedDut& operator=(const VerilatedDut&) = delete;

  Model& io() { return *model_; }
  const Model& io() const { return *model_; }
  uint64_t cycles() const { return cycles_; }

  // Holds rst_ni low for `cycles` clocks, then releases it.
  void reset(int cycles = 2) {
    model_->clk_i = 0;
    model_->rst_ni = 0;
    eval();
    for (int i = 0; i < cycles; ++i) tick();
    model_->rst_ni = 1;
    eval();
  }
  // Settles the combinational logic after inputs change.
  void eval() {
    model_->eval();
    check();
  }
  // One clock: rising edge, falling edge.
  void tick() {
    model_->clk_i = 1;
    eval();
    dump(2 * cycles_ + 1);
    model_->clk_i = 0;
    eval();
    ++cycles_;
    dump(2 * cycles_);
  }

 private:
  void dump(uint64_t time) {
    if constexpr (kTraced) {
      if (trace_) trace_->dump(time);
    }
  }
  void check() {
    if (context_->gotError()) {
      throw golden::Error(golden::ErrorCode::Mismatch,
                          "an RTL assertion failed at cycle " + std::to_string(cycles_) + " (Verilator's message above)");
    }
  }

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
  std::conditional_t<kTraced, std::unique_ptr<VerilatedFstC>, NoTrace> trace_;
  uint64_t cycles_ = 0;
};

}  // namespace ws::sim
