#include "sim/formats/decoder_check.hpp"

#include <sstream>

#include "sim/common/expected_unpacked.hpp"
#if WS_WITH_VERILATOR
#include "sim/formats/decoder_bank_harness.hpp"
#endif

namespace ws::sim {

const DecoderUnitSpec* decoder_unit_for(const golden::FormatInfo& format) {
  const DecoderUnitSpec* widest = nullptr;
  for (const DecoderUnitSpec& unit : kDecoderUnits) {
    if (unit.module != DecoderModule::PositVar && format.name == unit.name) return &unit;
    if (unit.module == DecoderModule::PositVar && (widest == nullptr || unit.n > widest->n)) widest = &unit;
  }
  const bool fits = widest != nullptr && format.family == golden::FormatFamily::Posit &&
                    format.posit.n <= widest->n && format.posit.es <= widest->es;
  return fits ? widest : nullptr;
}

DecoderCheckResult check_decoder(EngineKind engine, const golden::FormatInfo& format,
                                 std::span<const uint32_t> patterns, uint64_t seed) {
  using golden::ErrorCode;
  const DecoderUnitSpec* unit = decoder_unit_for(format);
  if (unit == nullptr) throw golden::Error(ErrorCode::Usage, "no hardware decoder for format " + format.name);
  const bool variable = unit->module == DecoderModule::PositVar;
  const int n = variable ? format.posit.n : 0, es = variable ? format.posit.es : 0;
  if (engine == EngineKind::Rtl) {
#if WS_WITH_VERILATOR
    DecoderBankHarness bank;
    const BankRunResult r = bank.run(*unit, format, patterns, seed, StallProfile{}, n, es);
    return {r.status, r.beats, r.cycles};
#else
    (void)seed;  // the stalls' seed: only the RTL run has stalls
    throw golden::Error(ErrorCode::Usage, "the rtl engine is not in this build (configure with -DWS_WITH_VERILATOR=ON)");
#endif
  }
  if (engine != EngineKind::Hls) {
    throw golden::Error(ErrorCode::Usage, std::string("the ") + engine_name(engine) + " engine decodes no formats");
  }
  DecoderCheckResult result;
  for (const uint32_t pattern : patterns) {
    const hls::HwUnpacked expected = expected_hw(format.decode(pattern), unit->sig_width);
    const hls::HwUnpacked actual = unit->hls_decode(pattern, n, es);
    if (!(actual == expected)) {
      std::ostringstream out;
      out << format.name << " on " << unit->name << " index " << result.beats << " pattern 0x" << std::hex << pattern
          << " expected " << to_string(expected) << " actual " << to_string(actual);
      result.status = {ErrorCode::Mismatch, out.str()};
      return result;
    }
    ++result.beats;
  }
  return result;
}

}  // namespace ws::sim
