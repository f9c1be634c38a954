// The hls posit and float decoders against golden: exhaustively for every
// format of at most 16 bits, randomly (seed printed) for 32-bit formats.
// Each check stops at the first mismatch and prints seed, pattern, expected
// and actual.
#include <gtest/gtest.h>

#include <random>
#include <utility>

#include "golden/formats/float_format.hpp"
#include "golden/formats/posit.hpp"
#include "hls/formats/float_decoder.hpp"
#include "hls/formats/posit_decoder.hpp"
#include "sim/common/expected_unpacked.hpp"
#include "tests/support/seed.hpp"

namespace ws {
namespace {

template <class Golden, class Decode>
bool matches(uint32_t pattern, int sig_width, int exp_width, Decode decode, const char* what, uint64_t seed) {
  const hls::HwUnpacked expected = sim::expected_hw(Golden::decode(pattern), sig_width);
  const hls::HwUnpacked actual = decode(pattern);
  if (sim::exponent_fits(expected.exponent, exp_width) && actual == expected) return true;
  ADD_FAILURE() << what << " seed " << seed << " pattern 0x" << std::hex << pattern << " expected "
                << sim::to_string(expected) << " actual " << sim::to_string(actual) << " exp width " << std::dec
                << exp_width;
  return false;
}

template <int N, int ES>
bool posit_exhaustive() {
  using Config = hls::PositDecoderConfig<N, ES>;
  for (uint32_t p = 0; p < (1u << N); ++p) {
    if (!matches<golden::Posit<N, ES>>(p, Config::kSigWidth, Config::kExpWidth, hls::decode_posit<N, ES>, "posit",
                                       0)) {
      return false;
    }
  }
  return true;
}

template <int... Offsets>
bool posits_4_to_16(std::integer_sequence<int, Offsets...>) {
  return (posit_exhaustive<Offsets / 4 + 4, Offsets % 4>() && ...);
}

TEST(HlsPositDecoder, EveryPatternOfEveryWidth4To16) {
  EXPECT_TRUE(posits_4_to_16(std::make_integer_sequence<int, 13 * 4>{}));
}

TEST(HlsPositDecoder, Posit32Es2RandomAndEdges) {
  using Config = hls::PositDecoderConfig<32, 2>;
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  auto check = [&](uint32_t p) {
    return matches<golden::Posit<32, 2>>(p, Config::kSigWidth, Config::kExpWidth, hls::decode_posit<32, 2>,
                                         "posit32es2", seed);
  };
  for (uint32_t edge : {0u, 0x80000000u, 0x7fffffffu, 0x80000001u, 1u, 0xffffffffu, 0x40000000u, 0xc0000000u}) {
    ASSERT_TRUE(check(edge));
  }
  for (int r = 0; r < 32; ++r) {
    for (uint32_t base : {0x7fffffffu >> r, 0x40000000u >> r}) {
      for (uint32_t p : {base - 1, base, base + 1}) {
        ASSERT_TRUE(check(p));
        ASSERT_TRUE(check(0u - p));
      }
    }
  }
  for (int i = 0; i < 1'000'000; ++i) ASSERT_TRUE(check(static_cast<uint32_t>(rng())));
}

// Every pattern for N <= 16 (when exhaustive), else 20,000 random patterns
// whose bits above the low N must be ignored.
template <int NMax, int ESMax, int N, int ES>
bool var_width(uint64_t seed, std::mt19937_64& rng, bool exhaustive) {
  using Config = hls::PositVarDecoderConfig<NMax, ESMax>;
  auto decode = [](uint32_t p) { return hls::decode_posit_var<NMax, ESMax>(p, N, ES); };
  auto check = [&](uint32_t p) {
    return matches<golden::Posit<N, ES>>(p, Config::kSigWidth, Config::kExpWidth, decode, "var posit", seed);
  };
  if (exhaustive && N <= 16) {
    for (uint32_t p = 0; p < (uint32_t{1} << (N % 32)); ++p) {
      if (!check(p)) return false;
    }
    return true;
  }
  for (int i = 0; i < 20'000; ++i) {
    if (!check(static_cast<uint32_t>(rng()))) return false;
  }
  return true;
}

template <int NMax, int ESMax, int... Offsets>
bool var_all(uint64_t seed, std::mt19937_64& rng, bool exhaustive, std::integer_sequence<int, Offsets...>) {
  return (var_width<NMax, ESMax, Offsets / 4 + 2, Offsets % 4>(seed, rng, exhaustive) && ...);
}

TEST(HlsPositVarDecoder, EveryNAndEsExhaustiveUpTo16RandomUpTo32) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  EXPECT_TRUE((var_all<16, 3>(seed, rng, true, std::make_integer_sequence<int, 15 * 4>{})));
  EXPECT_TRUE((var_all<32, 3>(seed, rng, true, std::make_integer_sequence<int, 31 * 4>{})));
  EXPECT_TRUE((var_all<32, 3>(seed, rng, false, std::make_integer_sequence<int, 31 * 4>{})));
}

template <class Golden, int E, int M, int Flavor>
bool float_exhaustive(const char* name) {
  using Config = hls::FloatDecoderConfig<E, M, Flavor>;
  static_assert(Golden::kSigWidth == Config::kSigWidth && Golden::kExpWidth == Config::kExpWidth);
  for (uint32_t p = 0; p < (1u << (1 + E + M)); ++p) {
    if (!matches<Golden>(p, Config::kSigWidth, Config::kExpWidth, hls::decode_float<E, M, Flavor>, name, 0)) {
      return false;
    }
  }
  return true;
}

TEST(HlsFloatDecoder, EveryPatternOfEveryFormatUpTo16Bits) {
  EXPECT_TRUE((float_exhaustive<golden::E4M3, 4, 3, 1>("e4m3")));
  EXPECT_TRUE((float_exhaustive<golden::E5M2, 5, 2, 0>("e5m2")));
  EXPECT_TRUE((float_exhaustive<golden::E3M2, 3, 2, 2>("e3m2")));
  EXPECT_TRUE((float_exhaustive<golden::E2M3, 2, 3, 2>("e2m3")));
  EXPECT_TRUE((float_exhaustive<golden::E2M1, 2, 1, 2>("e2m1")));
  EXPECT_TRUE((float_exhaustive<golden::Fp16, 5, 10, 0>("fp16")));
  EXPECT_TRUE((float_exhaustive<golden::Bf16, 8, 7, 0>("bf16")));
}

TEST(HlsFloatDecoder, Fp32RandomAndEdges) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  auto check = [&](uint32_t p) {
    return matches<golden::Fp32>(p, golden::Fp32::kSigWidth, golden::Fp32::kExpWidth, hls::decode_float<8, 23, 0>,
                                 "fp32", seed);
  };
  for (uint32_t edge : {0u, 0x80000000u, 1u, 0x807fffffu, 0x00800000u, 0x7f7fffffu, 0x7f800000u, 0xff800000u,
                        0x7f800001u, 0x7fc00000u, 0xffffffffu}) {
    ASSERT_TRUE(check(edge));
  }
  for (int i = 0; i < 1'000'000; ++i) ASSERT_TRUE(check(static_cast<uint32_t>(rng())));
}

}  // namespace
}  // namespace ws
