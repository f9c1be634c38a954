// The RTL decoders under Verilator against golden, with random stalls on both
// sides: every pattern of each format of at most 16 bits, every (N, ES) of the
// variable-precision decoders for N <= 16, and 1M random plus edge patterns
// for posit<32,2> and fp32. The first mismatch fails with seed, index,
// pattern, expected and actual.
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

void expect_run_ok(DecoderBankHarness& bank, BankUnit unit, const char* format_name,
                   const std::vector<uint32_t>& patterns, uint64_t seed, int n = 0, int es = 0) {
  const golden::FormatInfo* format = golden::find_format(format_name);
  ASSERT_NE(format, nullptr) << format_name;
  const BankRunResult r = bank.run(unit, *format, patterns, seed, StallProfile{}, n, es);
  ASSERT_TRUE(r.ok) << r.mismatch;
  ASSERT_EQ(r.beats, patterns.size());
}

TEST(RtlFormatDecoders, EveryPatternOfFixedPositsAndSmallFloats) {
  const uint64_t seed = test::seed_from_env();
  DecoderBankHarness bank;
  const struct {
    BankUnit unit;
    const char* format;
    int bits;
  } cases[] = {
      {BankUnit::Posit8Es0, "posit8es0", 8}, {BankUnit::Posit8Es2, "posit8es2", 8},
      {BankUnit::Posit16Es1, "posit16es1", 16}, {BankUnit::Posit16Es2, "posit16es2", 16},
      {BankUnit::E4M3, "e4m3", 8}, {BankUnit::E5M2, "e5m2", 8}, {BankUnit::E2M1, "e2m1", 4},
      {BankUnit::E2M3, "e2m3", 6}, {BankUnit::E3M2, "e3m2", 6}, {BankUnit::Fp16, "fp16", 16},
      {BankUnit::Bf16, "bf16", 16},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.format);
    expect_run_ok(bank, c.unit, c.format, every_pattern(c.bits), seed);
    if (HasFatalFailure()) return;
  }
}

TEST(RtlFormatDecoders, VariablePrecisionEveryNAndEsUpTo16) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  DecoderBankHarness bank;
  for (BankUnit unit : {BankUnit::PositVar16, BankUnit::PositVar32}) {
    for (int n = 2; n <= 16; ++n) {
      for (int es = 0; es <= 3; ++es) {
        // Random bits above the low n must be ignored.
        std::vector<uint32_t> patterns = every_pattern(n);
        for (uint32_t& p : patterns) p |= static_cast<uint32_t>(rng()) << n;
        const std::string name = "posit" + std::to_string(n) + "es" + std::to_string(es);
        expect_run_ok(bank, unit, name.c_str(), patterns, seed, n, es);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST(RtlFormatDecoders, VariablePrecisionRandomWidths17To32) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  DecoderBankHarness bank;
  for (int n = 17; n <= 32; ++n) {
    for (int es = 0; es <= 3; ++es) {
      const std::string name = "posit" + std::to_string(n) + "es" + std::to_string(es);
      expect_run_ok(bank, BankUnit::PositVar32, name.c_str(), edges_and_random(rng, 20'000), seed, n, es);
      if (HasFatalFailure()) return;
    }
  }
}

TEST(RtlFormatDecoders, Posit32Es2AndFp32MillionRandomPlusEdges) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  DecoderBankHarness bank;
  expect_run_ok(bank, BankUnit::Posit32Es2, "posit32es2", edges_and_random(rng, 1'000'000), seed);
  expect_run_ok(bank, BankUnit::Fp32, "fp32", edges_and_random(rng, 1'000'000), seed);
}

}  // namespace
}  // namespace ws::sim
