// Runs a stream of format patterns through one decoder engine and checks every
// decoded value against golden. Engines: hls (the C++ models) and rtl (the
// Verilator model of every unit, with random stalls on both sides).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "golden/common/error.hpp"
#include "golden/formats/format_registry.hpp"
#include "sim/ans/ans_engine.hpp"
#include "sim/formats/decoder_units.hpp"

namespace ws::sim {

// The hardware unit that decodes a format: the fixed unit of its name where
// the unit table has one, else the widest variable-precision posit unit;
// nullptr when no unit can.
const DecoderUnitSpec* decoder_unit_for(const golden::FormatInfo& format);

struct DecoderCheckResult {
  golden::Status status;
  uint64_t beats = 0;
  uint64_t cycles = 0;  // rtl only

  bool ok() const { return status.ok(); }
};

// Throws golden::Error (Usage) for a format without a unit or an engine that
// does not decode formats (golden) or is not in this build.
DecoderCheckResult check_decoder(EngineKind engine, const golden::FormatInfo& format,
                                 std::span<const uint32_t> patterns, uint64_t seed);

}  // namespace ws::sim
