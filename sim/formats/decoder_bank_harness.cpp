#include "sim/formats/decoder_bank_harness.hpp"

#include <verilated.h>

#include <sstream>

#include "Vdecoder_bank.h"
#include "sim/common/expected_unpacked.hpp"

namespace ws::sim {

int bank_sig_width(BankUnit unit, const golden::FormatInfo& format) {
  if (unit == BankUnit::PositVar16) return 16 - 2;
  if (unit == BankUnit::PositVar32) return 32 - 2;
  return format.sig_width;
}

DecoderBankHarness::DecoderBankHarness()
    : context_(std::make_unique<VerilatedContext>()), model_(std::make_unique<Vdecoder_bank>(context_.get())) {
  model_->clk_i = 0;
  model_->rst_ni = 0;
  model_->in_valid_i = 0;
  model_->out_ready_i = 0;
  model_->eval();
  tick();
  tick();
  model_->rst_ni = 1;
  model_->eval();
}

DecoderBankHarness::~DecoderBankHarness() { model_->final(); }

void DecoderBankHarness::tick() {
  model_->clk_i = 1;
  model_->eval();
  model_->clk_i = 0;
  model_->eval();
}

BankRunResult DecoderBankHarness::run(BankUnit unit, const golden::FormatInfo& format,
                                      std::span<const uint32_t> patterns, uint64_t seed, StallProfile stalls, int n,
                                      int es) {
  StallGenerator stall(seed, stalls);
  const int sig_width = bank_sig_width(unit, format);
  model_->select_i = static_cast<uint8_t>(unit);
  model_->in_n_i = static_cast<uint8_t>(n);
  model_->in_es_i = static_cast<uint8_t>(es);

  BankRunResult result;
  size_t sent = 0;
  bool offering = false;
  // Every beat needs at least a cycle; a decoder that stops answering is a hang.
  const uint64_t cycle_limit = 64 + patterns.size() * 64;
  while (result.beats < patterns.size()) {
    if (++result.cycles > cycle_limit) {
      result.ok = false;
      result.mismatch = "hang: " + std::to_string(result.beats) + " of " + std::to_string(patterns.size()) +
                        " beats after " + std::to_string(result.cycles) + " cycles";
      return result;
    }
    if (!offering && sent < patterns.size()) offering = stall.producer_offers();
    model_->in_valid_i = offering;
    model_->in_bits_i = offering ? patterns[sent] : 0xdeadbeefu;
    model_->out_ready_i = stall.consumer_ready();
    model_->eval();

    if (model_->out_valid_o && model_->out_ready_i) {
      const uint32_t pattern = patterns[result.beats];
      const hls::HwUnpacked expected = expected_hw(format.decode(pattern), sig_width);
      const hls::HwUnpacked actual{model_->out_class_o, model_->out_sign_o != 0,
                                   static_cast<int16_t>(model_->out_exp_o), model_->out_sig_o};
      if (!(actual == expected)) {
        std::ostringstream out;
        out << format.name << " seed " << seed << " index " << result.beats << " pattern 0x" << std::hex << pattern
            << " expected " << to_string(expected) << " actual " << to_string(actual);
        result.ok = false;
        result.mismatch = out.str();
        return result;
      }
      ++result.beats;
    }
    const bool taken = model_->in_valid_i && model_->in_ready_o;
    tick();
    if (taken) {
      ++sent;
      offering = false;
    }
  }
  // Nothing may come out beyond the beats that went in.
  model_->in_valid_i = 0;
  model_->out_ready_i = 1;
  for (int i = 0; i < 4; ++i) {
    model_->eval();
    if (model_->out_valid_o) {
      result.ok = false;
      result.mismatch = format.name + ": a beat came out that was never sent (duplicate)";
      return result;
    }
    tick();
  }
  return result;
}

}  // namespace ws::sim
