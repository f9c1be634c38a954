// Drives the decoder_bank Verilator model (generated from the decoder unit
// table, golden/contract/decoder_units.json): streams patterns into one unit
// with random stalls on both sides and checks every output beat, in order,
// against the golden decode of its pattern. Stops at the first mismatch and
// describes it (seed, index, pattern, expected, actual).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "golden/common/error.hpp"
#include "golden/formats/format_registry.hpp"
#include "sim/common/stream_stimulus.hpp"
#include "sim/formats/decoder_units.hpp"

class Vdecoder_bank;

namespace ws::sim {

template <class Model>
class VerilatedDut;

struct BankRunResult {
  golden::Status status;  // Mismatch (or Hang) with the first disagreement
  uint64_t beats = 0;
  uint64_t cycles = 0;

  bool ok() const { return status.ok(); }
};

class DecoderBankHarness {
 public:
  DecoderBankHarness();
  ~DecoderBankHarness();

  // Decodes `patterns` on `unit` as `format`, passing (n, es) to a
  // variable-precision unit, and checks every beat.
  BankRunResult run(const DecoderUnitSpec& unit, const golden::FormatInfo& format, std::span<const uint32_t> patterns,
                    uint64_t seed, StallProfile stalls, int n = 0, int es = 0);

 private:
  std::unique_ptr<VerilatedDut<Vdecoder_bank>> dut_;
};

}  // namespace ws::sim
