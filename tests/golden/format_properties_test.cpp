// Properties of every golden format of at most 16 bits, checked exhaustively,
// and the constants the OCP FP8/MX and posit standards give.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "golden/formats/float_format.hpp"
#include "golden/formats/format_registry.hpp"
#include "golden/formats/posit.hpp"
#include "golden/formats/scale_e8m0.hpp"

namespace ws::golden {
namespace {

double value_of(const FormatInfo& f, uint32_t p) { return to_double(f.decode(p)); }

// Finite patterns of a format in increasing order of value.
std::vector<uint32_t> finite_patterns_in_order(const FormatInfo& f) {
  std::vector<uint32_t> order;
  const uint32_t count = 1u << f.bits;
  if (f.family == FormatFamily::Posit) {  // two's complement order: -maxpos .. maxpos
    for (uint32_t i = 1; i < count; ++i) order.push_back((i + count / 2) & (count - 1));
  } else {  // sign-magnitude order; -0 left out
    const uint32_t sign = count / 2;
    for (uint32_t m = sign - 1; m >= 1; --m) order.push_back(sign | m);
    for (uint32_t m = 0; m < sign; ++m) order.push_back(m);
  }
  std::erase_if(order, [&](uint32_t p) { return f.decode(p).cls != NumClass::Finite && f.decode(p).cls != NumClass::Zero; });
  return order;
}

TEST(FormatProperties, EveryPatternRoundTripsAndValuesIncrease) {
  int formats = 0;
  for (const FormatInfo& f : all_formats()) {
    if (f.bits > 16 || f.family == FormatFamily::Scale) continue;
    ++formats;
    for (uint32_t p = 0; p < (1u << f.bits); ++p) {
      const Unpacked u = f.decode(p);
      if (u.cls == NumClass::NaN) {
        ASSERT_EQ(f.decode(f.encode(u)).cls, NumClass::NaN) << f.name << " pattern " << p;
      } else {
        ASSERT_EQ(f.encode(u), p) << f.name << " pattern " << p;
        ASSERT_EQ(f.encode(unpack_double(to_double(u))), p) << f.name << " pattern " << p;
      }
    }
    const std::vector<uint32_t> order = finite_patterns_in_order(f);
    for (size_t i = 1; i < order.size(); ++i) {
      ASSERT_LT(value_of(f, order[i - 1]), value_of(f, order[i])) << f.name << " pattern " << order[i];
    }
  }
  EXPECT_EQ(formats, 15 * 4 + 7);  // posit2..16 x es0..3, fp16, bf16, e5m2, e4m3, e3m2, e2m3, e2m1
}

TEST(FormatProperties, FloatMidpointsRoundToEvenAndNeighboursToNearest) {
  for (const FormatInfo& f : all_formats()) {
    if (f.bits > 16 || f.family != FormatFamily::Float) continue;
    const std::vector<uint32_t> order = finite_patterns_in_order(f);
    for (size_t i = 1; i < order.size(); ++i) {
      const uint32_t lo = order[i - 1];
      const double a = value_of(f, lo), b = value_of(f, order[i]);
      const uint32_t hi = b == 0.0 ? 1u << (f.bits - 1) : order[i];  // a negative value rounds to -0
      const double mid = (a + b) / 2;  // exact: at most 11 significant bits
      const uint32_t even = (lo & 1) == 0 ? lo : hi;
      if (mid == 0.0) continue;  // -0 and +0 neighbour each other
      ASSERT_EQ(f.encode(unpack_double(mid)), even) << f.name << " between " << a << " and " << b;
      ASSERT_EQ(f.encode(unpack_double(std::nextafter(mid, a))), lo) << f.name << " just below " << mid;
      ASSERT_EQ(f.encode(unpack_double(std::nextafter(mid, b))), hi) << f.name << " just above " << mid;
    }
    // One half ulp above the largest finite value: inf for IEEE, saturation otherwise.
    const uint32_t max = order.back();
    const double top = value_of(f, max), ulp = top - value_of(f, order[order.size() - 2]);
    const uint32_t overflow = f.encode(unpack_double(top + ulp / 2));
    if (f.fp.flavor == FloatFlavor::Ieee) {
      EXPECT_EQ(f.decode(overflow).cls, NumClass::Inf) << f.name;
    } else {
      EXPECT_EQ(overflow, max) << f.name;
      EXPECT_EQ(f.encode(Unpacked::inf(false)), max) << f.name;
    }
  }
}

struct SpecRow {
  const char* name;
  double max_finite;
  double min_subnormal;
  int nan_patterns;
  int inf_patterns;
};

// Constants from the OCP 8-bit floating point and MX v1.0 specifications and IEEE 754.
const SpecRow kSpec[] = {
    {"e4m3", 448.0, 0x1p-9, 2, 0},      {"e5m2", 57344.0, 0x1p-16, 6, 2},
    {"e3m2", 28.0, 0.0625, 0, 0},       {"e2m3", 7.5, 0.125, 0, 0},
    {"e2m1", 6.0, 0.5, 0, 0},           {"fp16", 65504.0, 0x1p-24, 2046, 2},
    {"bf16", 0x1.fep127, 0x1p-133, 254, 2},
};

TEST(FormatProperties, MatchesSpecificationConstants) {
  for (const SpecRow& row : kSpec) {
    const FormatInfo& f = *find_format(row.name);
    double max_finite = 0, min_subnormal = INFINITY;
    int nans = 0, infs = 0;
    for (uint32_t p = 0; p < (1u << f.bits); ++p) {
      const Unpacked u = f.decode(p);
      nans += u.cls == NumClass::NaN;
      infs += u.cls == NumClass::Inf;
      if (u.cls == NumClass::Finite) {
        max_finite = std::max(max_finite, std::fabs(to_double(u)));
        min_subnormal = std::min(min_subnormal, std::fabs(to_double(u)));
      }
    }
    EXPECT_EQ(max_finite, row.max_finite) << row.name;
    EXPECT_EQ(min_subnormal, row.min_subnormal) << row.name;
    EXPECT_EQ(nans, row.nan_patterns) << row.name;
    EXPECT_EQ(infs, row.inf_patterns) << row.name;
  }
  EXPECT_EQ(E4M3::encode(INFINITY), 0x7eu);  // saturating conversion
  EXPECT_EQ(E4M3::encode(NAN), 0x7fu);
  EXPECT_EQ(E2M1::encode(NAN), 0u);
}

TEST(FormatProperties, PositExtremesFollowTheStandard) {
  for (const FormatInfo& f : all_formats()) {
    if (f.family != FormatFamily::Posit) continue;
    const int n = f.posit.n, es = f.posit.es;
    const uint32_t mask = n == 32 ? 0xffffffffu : (1u << n) - 1;
    const double maxpos = std::ldexp(1.0, (n - 2) << es);
    EXPECT_EQ(value_of(f, mask >> 1), maxpos) << f.name;
    EXPECT_EQ(value_of(f, 1), 1.0 / maxpos) << f.name;
    EXPECT_EQ(value_of(f, 1u << (n - 2)), 1.0) << f.name;
    EXPECT_EQ(f.decode(1u << (n - 1)).cls, NumClass::NaN) << f.name;
    EXPECT_EQ(f.encode(unpack_double(1e300)), mask >> 1) << f.name;   // saturates, never NaR
    EXPECT_EQ(f.encode(unpack_double(-1e-300)), mask) << f.name;      // -minpos, never 0
    EXPECT_EQ(f.encode(unpack_double(INFINITY)), 1u << (n - 1)) << f.name;
  }
}

TEST(FormatProperties, ScaleE8M0) {
  EXPECT_EQ(to_double(ScaleE8M0::decode(127)), 1.0);
  EXPECT_EQ(to_double(ScaleE8M0::decode(0)), 0x1p-127);
  EXPECT_EQ(to_double(ScaleE8M0::decode(254)), 0x1p127);
  EXPECT_EQ(ScaleE8M0::decode(255).cls, NumClass::NaN);
  EXPECT_EQ(ScaleE8M0::encode(1.4), 127u);
  EXPECT_EQ(ScaleE8M0::encode(1.5), 128u);
  EXPECT_EQ(ScaleE8M0::encode(0.75), 127u);
  EXPECT_EQ(ScaleE8M0::encode(0x1p-200), 0u);
  EXPECT_EQ(ScaleE8M0::encode(0x1p200), 254u);
  EXPECT_EQ(ScaleE8M0::encode(0.0), 255u);
  EXPECT_EQ(ScaleE8M0::encode(-1.0), 255u);
}

}  // namespace
}  // namespace ws::golden
