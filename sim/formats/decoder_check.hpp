// Runs a stream of format patterns through one decoder engine and checks every
// decoded value against golden. Engines: hls (the C++ models) and rtl (the
// Verilator model, with random stalls on both sides).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "golden/formats/format_registry.hpp"
#include "hls/formats/unpacked_hw.hpp"
#include "sim/formats/decoder_bank_harness.hpp"

namespace ws::sim {

enum class DecoderEngine : uint8_t { Hls, Rtl };

// The hardware unit that decodes a format: a fixed decoder when one is built
// for it, else the 32-bit variable-precision posit decoder.
struct DecoderUnit {
  BankUnit bank_unit;
  int sig_width;  // of the unit's significand output
  int n;          // per-beat width and es for the variable-precision unit
  int es;
  hls::HwUnpacked (*hls_decode)(uint32_t bits, int n, int es);
};

std::optional<DecoderUnit> decoder_unit_for(const golden::FormatInfo& format);

struct DecoderCheckResult {
  bool ok = true;
  uint64_t beats = 0;
  uint64_t cycles = 0;  // rtl only
  std::string mismatch;
};

DecoderCheckResult check_decoder(DecoderEngine engine, const golden::FormatInfo& format,
                                 std::span<const uint32_t> patterns, uint64_t seed);

}  // namespace ws::sim
