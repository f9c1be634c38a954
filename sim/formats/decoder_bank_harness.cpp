#include "sim/formats/decoder_bank_harness.hpp"

#include <sstream>

#include "Vdecoder_bank.h"
#include "sim/common/expected_unpacked.hpp"
#include "sim/common/verilated_dut.hpp"

namespace ws::sim {

DecoderBankHarness::DecoderBankHarness() : dut_(std::make_unique<VerilatedDut<Vdecoder_bank>>()) {
  dut_->io().in_valid_i = 0;
  dut_->io().out_ready_i = 0;
  dut_->reset();
}

DecoderBankHarness::~DecoderBankHarness() = default;

BankRunResult DecoderBankHarness::run(const DecoderUnitSpec& unit, const golden::FormatInfo& format,
                                      std::span<const uint32_t> patterns, uint64_t seed, StallProfile stalls, int n,
                                      int es) {
  using golden::ErrorCode;
  StallGenerator stall(seed, stalls);
  Vdecoder_bank& m = dut_->io();
  m.select_i = unit.select;
  m.in_n_i = static_cast<uint8_t>(n);
  m.in_es_i = static_cast<uint8_t>(es);

  BankRunResult result;
  size_t sent = 0;
  bool offering = false;
  // Every beat needs at least a cycle; a decoder that stops answering is a hang.
  const uint64_t cycle_limit = 64 + patterns.size() * 64;
  while (result.beats < patterns.size()) {
    if (++result.cycles > cycle_limit) {
      result.status = {ErrorCode::Hang, format.name + ": hang: " + std::to_string(result.beats) + " of " +
                                            std::to_string(patterns.size()) + " beats after " +
                                            std::to_string(result.cycles) + " cycles"};
      return result;
    }
    if (!offering && sent < patterns.size()) offering = stall.producer_offers();
    m.in_valid_i = offering;
    m.in_bits_i = offering ? patterns[sent] : 0xdeadbeefu;
    m.out_ready_i = stall.consumer_ready();
    dut_->eval();

    if (m.out_valid_o && m.out_ready_i) {
      const uint32_t pattern = patterns[result.beats];
      const hls::HwUnpacked expected = expected_hw(format.decode(pattern), unit.sig_width);
      const hls::HwUnpacked actual{static_cast<contract::NumClass>(m.out_class_o), m.out_sign_o != 0,
                                   static_cast<int16_t>(m.out_exp_o), m.out_sig_o};
      if (!(actual == expected)) {
        std::ostringstream out;
        out << format.name << " on " << unit.name << " seed " << seed << " index " << result.beats << " pattern 0x"
            << std::hex << pattern << " expected " << to_string(expected) << " actual " << to_string(actual);
        result.status = {ErrorCode::Mismatch, out.str()};
        return result;
      }
      ++result.beats;
    }
    const bool taken = m.in_valid_i && m.in_ready_o;
    dut_->tick();
    if (taken) {
      ++sent;
      offering = false;
    }
  }
  // Nothing may come out beyond the beats that went in.
  m.in_valid_i = 0;
  m.out_ready_i = 1;
  for (int i = 0; i < 4; ++i) {
    dut_->eval();
    if (m.out_valid_o) {
      result.status = {ErrorCode::Mismatch, format.name + ": a beat came out that was never sent (duplicate)"};
      return result;
    }
    dut_->tick();
  }
  return result;
}

}  // namespace ws::sim
