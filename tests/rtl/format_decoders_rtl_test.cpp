// The RTL decoder units under Verilator against golden, with random stalls on
// both sides, every unit of the table golden/contract/decoder_units.json:
// every pattern of each format of at most 16 bits, 1M random plus edge
// patterns beyond; every (N, ES) of the variable-precision units. The first
// mismatch fails with seed, index, pattern, expected and actual.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "golden/formats/format_registry.hpp"
#include "sim/formats/decoder_bank_harness.hpp"
#include "tests/support/seed.hpp"

namespace ws::sim {
namespace {

std::vector<uint32_t> every_pattern(int bits) {
  std::vector<uint32_t> patterns(size_t{1} << bits);
  for (size_t i = 0; i < patterns.size(); ++i) patterns[i] = static_cast<uint32_t>(i);
  return patterns;
}

// Edge patterns of a 32-bit format, then `count` random ones.
std::vector<uint32_t> edges_and_random(std::mt19937_64& rng, size_t count) {
  std::vector<uint32_t> patterns;
  for (int r = 0; r < 32; ++r) {
    for (uint32_t base : {0x7fffffffu >> r, 0x40000000u >> r, 0x80000000u >> r, 0x00800000u >> (r % 24)}) {
      for (uint32_t p : {base - 1, base, base + 1}) {
        patterns.push_back(p);
        patterns.push_back(0u - p);
        patterns.push_back(p | 0x80000000u);
      }
    }
  }
  for (uint32_t p : {0u, 0xffffffffu, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u, 0x80000000u}) {
    patterns.push_back(p);
  }
  while (patterns.size() < count) patterns.push_back(static_cast<uint32_t>(rng()));
  return patterns;
}

void expect_run_ok(DecoderBankHarness& bank, const DecoderUnitSpec& unit, const std::string& format_name,
                   const std::vector<uint32_t>& patterns, uint64_t seed, int n = 0, int es = 0) {
  const golden::FormatInfo* format = golden::find_format(format_name);
  ASSERT_NE(format, nullptr) << format_name;
  const BankRunResult r = bank.run(unit, *format, patterns, seed, StallProfile{}, n, es);
  ASSERT_TRUE(r.ok()) << r.status.message();
  ASSERT_EQ(r.beats, patterns.size());
}

// Every fixed unit of the table (golden/contract/decoder_units.json): every
// pattern up to 16 bits, else 1M random plus edges.
TEST(RtlFormatDecoders, EveryFixedUnitOnEveryPatternOrAMillion) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  DecoderBankHarness bank;
  int units = 0;
  for (const DecoderUnitSpec& unit : kDecoderUnits) {
    if (unit.module == DecoderModule::PositVar) continue;
    SCOPED_TRACE(unit.name);
    expect_run_ok(bank, unit, unit.name,
                  unit.in_bits <= 16 ? every_pattern(unit.in_bits) : edges_and_random(rng, 1'000'000), seed);
    if (HasFatalFailure()) return;
    ++units;
  }
  EXPECT_GE(units, 13);
}

// Every variable-precision unit on every (n, es) it serves: every pattern
// for n <= 16 (with random bits above the low n, which must be ignored),
// 20k random plus edges beyond.
TEST(RtlFormatDecoders, EveryVariableUnitOnEveryWidthAndEs) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  DecoderBankHarness bank;
  int units = 0;
  for (const DecoderUnitSpec& unit : kDecoderUnits) {
    if (unit.module != DecoderModule::PositVar) continue;
    ++units;
    for (int n = 2; n <= unit.n; ++n) {
      for (int es = 0; es <= unit.es; ++es) {
        std::vector<uint32_t> patterns;
        if (n <= 16) {
          patterns = every_pattern(n);
          for (uint32_t& p : patterns) p |= static_cast<uint32_t>(rng()) << n;
        } else {
          patterns = edges_and_random(rng, 20'000);
        }
        const std::string name = "posit" + std::to_string(n) + "es" + std::to_string(es);
        SCOPED_TRACE(std::string(unit.name) + " " + name);
        expect_run_ok(bank, unit, name, patterns, seed, n, es);
        if (HasFatalFailure()) return;
      }
    }
  }
  EXPECT_GE(units, 2);
}

}  // namespace
}  // namespace ws::sim
