// Drives the decoder_bank Verilator model: streams patterns into one selected
// decoder with random stalls on both sides and checks every output beat, in
// order, against the golden decode of its pattern. Stops at the first
// mismatch and describes it (seed, index, pattern, expected, actual).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "golden/formats/format_registry.hpp"
#include "sim/common/stream_stimulus.hpp"

class Vdecoder_bank;
class VerilatedContext;

namespace ws::sim {

// Select values of the bank's units (see sim/formats/decoder_bank.sv).
enum class BankUnit : uint8_t {
  Posit8Es0 = 0, Posit8Es2, Posit16Es1, Posit16Es2, Posit32Es2,
  PositVar16, PositVar32,
  E4M3, E5M2, E2M1, E2M3, E3M2, Fp16, Bf16, Fp32,
};

struct BankRunResult {
  bool ok = true;
  uint64_t beats = 0;
  uint64_t cycles = 0;
  std::string mismatch;  // set when !ok
};

class DecoderBankHarness {
 public:
  DecoderBankHarness();
  ~DecoderBankHarness();

  // Decodes `patterns` on `unit` as `format` (golden name, e.g. "posit16es1"),
  // passing (n, es) on the variable-precision units, and checks every beat.
  BankRunResult run(BankUnit unit, const golden::FormatInfo& format, std::span<const uint32_t> patterns,
                    uint64_t seed, StallProfile stalls, int n = 0, int es = 0);

 private:
  void tick();

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vdecoder_bank> model_;
};

// Sig width a unit emits for a format: the fixed decoders use the format's
// own width, the variable-precision units NMax - 2.
int bank_sig_width(BankUnit unit, const golden::FormatInfo& format);

}  // namespace ws::sim
