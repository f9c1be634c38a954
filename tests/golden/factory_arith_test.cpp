// The token factory's arithmetic (golden/factory/factory_arith.hpp) against
// the CPU's double arithmetic: operands exactly as bf16 reads them, products
// exact, sums exact, and the one rounding to fp32 within half an ulp of the
// fp64 sum (fp64 is itself within its own rounding of the exact sum).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <vector>

#include "golden/factory/factory_arith.hpp"
#include "golden/formats/float_format.hpp"
#include "tests/support/seed.hpp"

namespace ws::golden::factory {
namespace {

uint64_t test_seed() { return test::seed_from_env(); }

double bf16_value(uint16_t p) { return std::bit_cast<float>(uint32_t{p} << 16); }

// The operand's value in the window: 0 below, the bf16 value inside.
double operand_value(const Operand& op) {
  const double v = std::ldexp(static_cast<double>(op.sig), op.shift + kExpMin - 7);
  return op.negative ? -v : v;
}

TEST(FactoryArith, EveryBf16OperandReadsItsValueOrFlushesOrFails) {
  for (uint32_t p = 0; p < 0x10000; ++p) {
    const Operand op = decode_operand(static_cast<uint16_t>(p));
    const float f = std::bit_cast<float>(p << 16);
    if (!std::isfinite(f) || std::fabs(f) >= std::ldexp(1.0f, kExpMax)) {
      ASSERT_TRUE(op.error) << "pattern " << p;
      continue;
    }
    ASSERT_FALSE(op.error) << "pattern " << p;
    if (std::fabs(f) < std::ldexp(1.0f, kExpMin)) {
      ASSERT_EQ(op.sig, 0u) << "pattern " << p;
    } else {
      ASSERT_EQ(operand_value(op), static_cast<double>(f)) << "pattern " << p;
    }
  }
}

TEST(FactoryArith, ProductsAreExact) {
  std::mt19937_64 rng(test_seed());
  for (int i = 0; i < 200000; ++i) {
    const auto w = static_cast<uint16_t>(rng()), a = static_cast<uint16_t>(rng());
    bool error = false;
    const Accumulator p = product(w, a, error);
    const Operand ow = decode_operand(w), oa = decode_operand(a);
    ASSERT_EQ(error, ow.error || oa.error) << "i " << i;
    if (error) continue;
    // Both sides exact in double: 16-bit significands, exponents in range.
    const double expected = operand_value(ow) * operand_value(oa);
    const double actual = std::ldexp(static_cast<double>(p), kAccLsbExponent);
    ASSERT_EQ(actual, expected) << "i " << i << " w " << w << " a " << a;
  }
}

TEST(FactoryArith, RoundingIsNearestEvenOfTheExactValue) {
  std::mt19937_64 rng(test_seed() + 1);
  for (int i = 0; i < 200000; ++i) {
    // Up to 120 bits of magnitude: the top 53 exact in double, the rest decide ties and sticky.
    const int bits = 1 + static_cast<int>(rng() % 120);
    unsigned __int128 m = (static_cast<unsigned __int128>(rng()) << 64 | rng());
    m &= (static_cast<unsigned __int128>(1) << bits) - 1;
    m |= static_cast<unsigned __int128>(1) << (bits - 1);
    if (rng() % 4 == 0 && bits > 26) {  // a tie or near-tie below the kept bits
      const int drop = bits - 24;
      m &= ~((static_cast<unsigned __int128>(1) << drop) - 1);
      m |= static_cast<unsigned __int128>(rng() % 3) << (drop - 1);  // 0, exactly half, or 1 ulp above half
    }
    const bool negative = rng() & 1;
    const Accumulator acc = negative ? -static_cast<Accumulator>(m) : static_cast<Accumulator>(m);
    const uint32_t got = round_to_fp32(acc);
    // Reference: the CPU rounds a double holding the top 53 bits plus a sticky bit.
    const int drop = bits > 53 ? bits - 53 : 0;
    unsigned __int128 top = m >> drop;
    if (drop > 0 && (m & ((static_cast<unsigned __int128>(1) << drop) - 1)) != 0) top |= 1;
    const double v = std::ldexp(static_cast<double>(static_cast<uint64_t>(top)), drop + kAccLsbExponent);
    const float expected = static_cast<float>(negative ? -v : v);
    ASSERT_EQ(got, std::bit_cast<uint32_t>(expected)) << "i " << i << " bits " << bits;
  }
  EXPECT_EQ(round_to_fp32(0), 0u);
}

TEST(FactoryArith, DotProductIsTheFp64DotProductRoundedOnce) {
  std::mt19937_64 rng(test_seed() + 2);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t rows = 64, cols = 172;
  const int batch = 3;
  std::vector<uint16_t> w(rows * cols), x(batch * cols);
  for (auto& v : w) v = static_cast<uint16_t>(Bf16::encode(0.05 * normal(rng)));
  for (auto& v : x) v = static_cast<uint16_t>(Bf16::encode(2.0 * normal(rng)));
  x[5] = 0;  // zeros and cancellation
  std::vector<uint32_t> out(batch * rows);
  ASSERT_TRUE(matvec(w, rows, cols, x, batch, out));
  for (int b = 0; b < batch; ++b) {
    for (int64_t i = 0; i < rows; ++i) {
      double sum = 0.0, magnitude = 0.0;
      for (int64_t j = 0; j < cols; ++j) {
        const double p = bf16_value(w[i * cols + j]) * bf16_value(x[b * cols + j]);  // exact in double
        sum += p;
        magnitude += std::fabs(p);
      }
      const float got = std::bit_cast<float>(out[b * rows + i]);
      const double fp64_error = magnitude * cols * 0x1p-53;  // the fp64 sum's own error bound
      const double half_ulp = std::fabs(static_cast<double>(got)) * 0x1p-24;
      EXPECT_LE(std::fabs(static_cast<double>(got) - sum), half_ulp + fp64_error) << "slot " << b << " row " << i;
    }
  }
}

TEST(FactoryArith, OperandErrorsAreReported) {
  std::vector<uint16_t> w(8, 0x3F80), x(8, 0x3F80);  // ones
  std::vector<uint32_t> out(1);
  ASSERT_TRUE(matvec(w, 1, 8, x, 1, out));
  EXPECT_EQ(std::bit_cast<float>(out[0]), 8.0f);
  x[3] = 0x7F80;  // inf
  EXPECT_FALSE(matvec(w, 1, 8, x, 1, out));
  x[3] = static_cast<uint16_t>(Bf16::encode(65536.0));  // 2^FactoryExpMax
  EXPECT_FALSE(matvec(w, 1, 8, x, 1, out));
  EXPECT_THROW(matvec(w, 1, 0, x, 1, out), std::invalid_argument);
}

}  // namespace
}  // namespace ws::golden::factory
