#include "sim/formats/decoder_check.hpp"

#include <sstream>

#include "hls/formats/float_decoder.hpp"
#include "hls/formats/posit_decoder.hpp"
#include "sim/common/expected_unpacked.hpp"

namespace ws::sim {
namespace {

template <int N, int ES>
hls::HwUnpacked fixed_posit(uint32_t bits, int, int) { return hls::decode_posit<N, ES>(bits); }
template <int E, int M, int Flavor>
hls::HwUnpacked fixed_float(uint32_t bits, int, int) { return hls::decode_float<E, M, Flavor>(bits); }
hls::HwUnpacked var_posit(uint32_t bits, int n, int es) { return hls::decode_posit_var<32, 3>(bits, n, es); }

struct FixedUnit {
  const char* format;
  BankUnit unit;
  hls::HwUnpacked (*decode)(uint32_t, int, int);
};

// Mirrors the units of sim/formats/decoder_bank.sv.
const FixedUnit kFixedUnits[] = {
    {"posit8es0", BankUnit::Posit8Es0, fixed_posit<8, 0>},   {"posit8es2", BankUnit::Posit8Es2, fixed_posit<8, 2>},
    {"posit16es1", BankUnit::Posit16Es1, fixed_posit<16, 1>}, {"posit16es2", BankUnit::Posit16Es2, fixed_posit<16, 2>},
    {"posit32es2", BankUnit::Posit32Es2, fixed_posit<32, 2>}, {"e4m3", BankUnit::E4M3, fixed_float<4, 3, 1>},
    {"e5m2", BankUnit::E5M2, fixed_float<5, 2, 0>},           {"e2m1", BankUnit::E2M1, fixed_float<2, 1, 2>},
    {"e2m3", BankUnit::E2M3, fixed_float<2, 3, 2>},           {"e3m2", BankUnit::E3M2, fixed_float<3, 2, 2>},
    {"fp16", BankUnit::Fp16, fixed_float<5, 10, 0>},          {"bf16", BankUnit::Bf16, fixed_float<8, 7, 0>},
    {"fp32", BankUnit::Fp32, fixed_float<8, 23, 0>},
};

}  // namespace

std::optional<DecoderUnit> decoder_unit_for(const golden::FormatInfo& format) {
  for (const FixedUnit& u : kFixedUnits) {
    if (format.name == u.format) return DecoderUnit{u.unit, format.sig_width, 0, 0, u.decode};
  }
  if (format.family == golden::FormatFamily::Posit) {
    return DecoderUnit{BankUnit::PositVar32, bank_sig_width(BankUnit::PositVar32, format), format.param_a,
                       format.param_b, var_posit};
  }
  return std::nullopt;
}

DecoderCheckResult check_decoder(DecoderEngine engine, const golden::FormatInfo& format,
                                 std::span<const uint32_t> patterns, uint64_t seed) {
  DecoderCheckResult result;
  const std::optional<DecoderUnit> unit = decoder_unit_for(format);
  if (!unit) {
    result.ok = false;
    result.mismatch = "no hardware decoder for format " + format.name;
    return result;
  }
  if (engine == DecoderEngine::Rtl) {
    DecoderBankHarness bank;
    const BankRunResult r = bank.run(unit->bank_unit, format, patterns, seed, StallProfile{}, unit->n, unit->es);
    return {r.ok, r.beats, r.cycles, r.mismatch};
  }
  for (const uint32_t pattern : patterns) {
    const hls::HwUnpacked expected = expected_hw(format.decode(pattern), unit->sig_width);
    const hls::HwUnpacked actual = unit->hls_decode(pattern, unit->n, unit->es);
    if (!(actual == expected)) {
      std::ostringstream out;
      out << format.name << " index " << result.beats << " pattern 0x" << std::hex << pattern << " expected "
          << to_string(expected) << " actual " << to_string(actual);
      result.ok = false;
      result.mismatch = out.str();
      return result;
    }
    ++result.beats;
  }
  return result;
}

}  // namespace ws::sim
