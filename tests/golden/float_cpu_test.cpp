// The golden fp16, bf16 and fp32 against the CPU's own conversions: every
// 16-bit pattern, and a large random sample of fp32 and fp64 inputs.
#include <gtest/gtest.h>
#include <immintrin.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <random>

#include "golden/formats/float_format.hpp"
#include "tests/support/seed.hpp"

namespace ws::golden {
namespace {

// --- CPU references ---------------------------------------------------------
bool cpu_has_f16c() { return __builtin_cpu_supports("f16c"); }

__attribute__((target("f16c"))) float f16c_to_float(uint16_t h) { return _cvtsh_ss(h); }
__attribute__((target("f16c"))) uint16_t f16c_from_float(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}
float soft_to_float(uint16_t h) { return static_cast<float>(std::bit_cast<_Float16>(h)); }
uint16_t soft_from_float(float f) { return std::bit_cast<uint16_t>(static_cast<_Float16>(f)); }

float cpu_half_to_float(uint16_t h) { return cpu_has_f16c() ? f16c_to_float(h) : soft_to_float(h); }
uint16_t cpu_float_to_half(float f) { return cpu_has_f16c() ? f16c_from_float(f) : soft_from_float(f); }

// bf16 rounding done by the FPU: Veltkamp's split keeps the top 8 significant
// bits of a normal float with the FPU's round-to-nearest-even; below the
// normal range, adding and subtracting 1.5 * 2^-110 rounds to multiples of
// 2^-133, the bf16 subnormal quantum.
uint16_t fpu_float_to_bf16(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  if (std::isnan(f)) return static_cast<uint16_t>((bits >> 16) | 0x0040);
  if (std::isinf(f)) return static_cast<uint16_t>(bits >> 16);
  float rounded;
  if (std::fabs(f) < 0x1p-126f) {
    volatile float big = 0x1.8p-110f;
    volatile float sum = f + big;
    rounded = sum - big;
    rounded = std::copysign(rounded, f);
  } else {
    // Scale huge values down first so that f * (2^16 + 1) cannot overflow;
    // scaling by a power of two is exact both ways.
    const float scale = std::fabs(f) >= 0x1p100f ? 0x1p-32f : 1.0f;
    volatile float scaled = f * scale;
    volatile float split = scaled * 65537.0f;  // 2^16 + 1
    volatile float diff = split - scaled;
    rounded = (split - diff) / scale;
  }
  return static_cast<uint16_t>(std::bit_cast<uint32_t>(rounded) >> 16);
}

// --- Tests ------------------------------------------------------------------
TEST(FloatCpu, Fp16DecodeEveryPattern) {
  std::printf("fp16 reference: %s\n", cpu_has_f16c() ? "F16C instructions" : "_Float16");
  for (uint32_t p = 0; p < 0x10000; ++p) {
    const uint32_t expected = std::bit_cast<uint32_t>(cpu_half_to_float(static_cast<uint16_t>(p)));
    ASSERT_EQ(to_fp32_bits(Fp16::decode(p)), expected) << "pattern " << std::hex << p;
    if (!std::isnan(std::bit_cast<float>(expected))) {
      ASSERT_EQ(to_double(Fp16::decode(p)), static_cast<double>(std::bit_cast<float>(expected)));
    }
  }
}

TEST(FloatCpu, Bf16DecodeEveryPattern) {
  for (uint32_t p = 0; p < 0x10000; ++p) {
    const float reference = std::bit_cast<float>(p << 16);
    const uint32_t actual = to_fp32_bits(Bf16::decode(p));
    if (std::isnan(reference)) {  // IEEE conversion quiets a signaling NaN
      ASSERT_EQ(actual, (p << 16) | 0x00400000u) << "pattern " << std::hex << p;
    } else {
      ASSERT_EQ(actual, p << 16) << "pattern " << std::hex << p;
      ASSERT_EQ(to_double(Bf16::decode(p)), static_cast<double>(reference));
    }
  }
}

TEST(FloatCpu, Fp32DecodeEncodeRandomSample) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 2'000'000; ++i) {
    const auto bits = static_cast<uint32_t>(rng());
    const float f = std::bit_cast<float>(bits);
    const Unpacked u = Fp32::decode(bits);
    if (std::isnan(f)) {
      ASSERT_EQ(u.cls, NumClass::NaN);
      ASSERT_EQ(std::bit_cast<uint64_t>(to_double(u)), std::bit_cast<uint64_t>(static_cast<double>(f)))
          << "seed " << seed << " index " << i << " pattern " << std::hex << bits;
      ASSERT_EQ(Fp32::encode(u), bits | 0x00400000u);
    } else {
      ASSERT_EQ(to_double(u), static_cast<double>(f)) << "seed " << seed << " index " << i;
      ASSERT_EQ(Fp32::encode(u), bits) << "seed " << seed << " index " << i;
    }
  }
}

TEST(FloatCpu, EncodeFromFp64MatchesCpuNarrowing) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> exponent(-160, 140);
  for (int i = 0; i < 2'000'000; ++i) {
    // Random sign and fraction, exponents across and beyond fp32's range.
    const uint64_t fraction = rng() & ((uint64_t{1} << 52) - 1);
    const uint64_t biased = static_cast<uint64_t>(1023 + exponent(rng));
    const uint64_t bits = (rng() & (uint64_t{1} << 63)) | (biased << 52) | fraction;
    const double d = std::bit_cast<double>(bits);
    ASSERT_EQ(Fp32::encode(d), std::bit_cast<uint32_t>(static_cast<float>(d)))
        << "seed " << seed << " index " << i << " input " << std::hex << bits;
  }
}

TEST(FloatCpu, Fp16AndBf16EncodeFromRandomFp32) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 4'000'000; ++i) {
    const auto bits = static_cast<uint32_t>(rng());
    const float f = std::bit_cast<float>(bits);
    const Unpacked u = unpack_double(static_cast<double>(f));
    ASSERT_EQ(Fp16::encode(u), cpu_float_to_half(f)) << "seed " << seed << " index " << i << " fp32 "
                                                      << std::hex << bits;
    ASSERT_EQ(Bf16::encode(u), fpu_float_to_bf16(f)) << "seed " << seed << " index " << i << " fp32 "
                                                      << std::hex << bits;
  }
}

TEST(FloatCpu, Fp16AndBf16EncodeEdges) {
  const float edges[] = {0.0f, -0.0f, 65504.0f, 65519.99f, 65520.0f, 0x1p-24f, 0x1p-25f, 0x1.000002p-25f,
                         0x1p-14f, 0x1.ff8p-15f, 3.3895314e38f, 3.4028235e38f, 0x1p-133f, 0x1p-134f,
                         0x1.8p-134f, 0x1p-149f, 1.0f + 0x1p-8f, 1.0f + 0x1.8p-8f, INFINITY, -INFINITY};
  for (const float f : edges) {
    for (const float s : {f, -f}) {
      const Unpacked u = unpack_double(static_cast<double>(s));
      EXPECT_EQ(Fp16::encode(u), cpu_float_to_half(s)) << s;
      EXPECT_EQ(Bf16::encode(u), fpu_float_to_bf16(s)) << s;
    }
  }
}

}  // namespace
}  // namespace ws::golden
