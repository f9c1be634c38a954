// The variable-precision type (golden/vp): reference tables reproduce posit,
// E4M3 and bf16 value for value; the lossless bf16 codec is its m = 7 case;
// encoding is the nearest value by brute force; the stored table round-trips
// and rejects damage; the quality-first search meets its floor on the
// embedded model's tensors, per tensor and per row.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "golden/codec/lossless_codec.hpp"
#include "golden/formats/float_format.hpp"
#include "golden/formats/posit.hpp"
#include "golden/model/model_file.hpp"
#include "golden/vp/vp_codec.hpp"
#include "golden/vp/vp_search.hpp"

namespace ws::golden::vp {
namespace {

constexpr const char* kEmbeddedModel = WS_MODELS_DIR "/stories260K.bin";

// Every value a table can produce, code by code.
std::vector<double> all_values(const VpTable& t) {
  std::vector<double> v;
  for (size_t s = 0; s < t.symbols.size(); ++s) {
    const VpSymbol& sym = t.symbols[s];
    for (int sign = 0; sign <= (sym.has_sign ? 1 : 0); ++sign) {
      for (uint32_t m = 0; m < (1u << sym.mantissa_bits); ++m) {
        v.push_back(pattern_to_float(t.dtype, pattern_of(t, {static_cast<uint16_t>(s), sign != 0, m})));
      }
    }
  }
  return v;
}

// Checks that the table holds exactly the format's values (one code each,
// NaNs counted) and that encoding each value decodes to it.
void expect_reproduces(const VpTable& table, const std::vector<double>& format_values, const std::string& name) {
  SCOPED_TRACE(name);
  check_table(table, name);
  std::vector<double> got = all_values(table), want = format_values;
  ASSERT_EQ(got.size(), want.size()) << "codes of the table vs codes of the format";
  const auto nan_count = [](const std::vector<double>& v) { return std::ranges::count_if(v, [](double x) { return std::isnan(x); }); };
  EXPECT_EQ(nan_count(got), nan_count(want));
  std::erase_if(got, [](double x) { return std::isnan(x); });
  std::erase_if(want, [](double x) { return std::isnan(x); });
  // Compare as bit patterns so that -0 and +0 are told apart.
  const auto sorted_bits = [](std::vector<double> v) {
    std::vector<uint64_t> b;
    for (const double x : v) b.push_back(std::bit_cast<uint64_t>(x));
    std::ranges::sort(b);
    return b;
  };
  EXPECT_EQ(sorted_bits(got), sorted_bits(want));
  const VpEncoder encoder(table);
  for (size_t i = 0; i < format_values.size(); ++i) {
    const double v = format_values[i];
    const double back = pattern_to_float(table.dtype, pattern_of(table, encoder.encode(v)));
    if (std::isnan(v)) {
      ASSERT_TRUE(std::isnan(back)) << "code " << i;
    } else {
      ASSERT_EQ(std::bit_cast<uint64_t>(back), std::bit_cast<uint64_t>(v)) << "code " << i << " value " << v;
    }
  }
}

template <class Format>
std::vector<double> format_values() {
  std::vector<double> v;
  for (uint32_t c = 0; c < (uint64_t{1} << Format::kBits); ++c) v.push_back(to_double(Format::decode(c)));
  return v;
}

TEST(VpType, ReproducesPosit8Es0InBf16) {
  expect_reproduces(posit_table(8, 0, DType::BF16), format_values<Posit<8, 0>>(), "posit<8,0>");
}

TEST(VpType, ReproducesPosit16Es1InFp32) {
  expect_reproduces(posit_table(16, 1, DType::F32), format_values<Posit<16, 1>>(), "posit<16,1>");
}

TEST(VpType, ReproducesE4m3InBf16) {
  expect_reproduces(float_table(4, 3, true, DType::BF16), format_values<Float<4, 3, FloatFlavor::NanAllOnes>>(), "E4M3");
}

TEST(VpType, ReproducesE5m2InBf16) {
  expect_reproduces(float_table(5, 2, false, DType::BF16), format_values<Float<5, 2>>(), "E5M2");
}

TEST(VpType, ReproducesBf16) {
  expect_reproduces(identity_table(DType::BF16), format_values<Float<8, 7>>(), "bf16");
}

// The lossless codec without joint bits and REPEAT is the identity table: the
// same symbols, raw fields, tANS tables and lane streams, byte for byte.
TEST(VpType, LosslessBf16IsTheCaseOfSevenMantissaBitsEverywhere) {
  const Model model = load_model(kEmbeddedModel);
  const VpTable identity = identity_table(DType::BF16);
  int checked = 0;
  for (const Tensor& fp32 : model.tensors) {
    if (fp32.size() < 4096) continue;
    const Tensor t = to_bf16(fp32);
    const LosslessOptions lossless{.lanes = 4, .table_log = 11, .max_joint_bits = 0, .reuse_tables = false, .allow_repeat = false};
    const EncodedTensor a = encode_lossless(std::span(&t, 1), lossless).at(0);
    const EncodedTensor b = encode_vp(t, identity, encode_codes(t, VpEncoder(identity)), {.lanes = 4, .table_log = 11});
    ASSERT_EQ(a.table_bytes, b.table_bytes) << t.name;
    ASSERT_EQ(a.lane_streams, b.lane_streams) << t.name;
    const auto tables = build_tables(std::span(&b, 1), "test");
    EXPECT_EQ(decode_lossless(b, *tables[0], "test"), t) << t.name;
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

// The nearest value by brute force over every value of the table, with the tie rules of FORMAT.md 16.2.
TEST(VpType, EncodingIsTheNearestValue) {
  const std::vector<VpTable> tables = {posit_table(8, 0, DType::BF16), float_table(4, 3, true, DType::BF16),
                                       posit_table(8, 2, DType::BF16)};
  std::mt19937_64 rng(7);
  for (const VpTable& t : tables) {
    std::vector<double> values = all_values(t);
    std::erase_if(values, [](double x) { return std::isnan(x) || std::signbit(x); });
    std::ranges::sort(values);
    const VpEncoder encoder(t);
    std::uniform_real_distribution<double> log_magnitude(std::log2(values[1]) - 3, std::log2(values.back()) + 1);
    for (int i = 0; i < 20000; ++i) {
      // Random magnitudes, and every midpoint between neighbours (the ties).
      double a = i < static_cast<int>(values.size()) - 1 ? (values[static_cast<size_t>(i)] + values[static_cast<size_t>(i) + 1]) / 2
                                                           : std::exp2(log_magnitude(rng));
      a = static_cast<float>(a);
      const VpCode c = encoder.encode(a);
      const double got = pattern_to_float(t.dtype, pattern_of(t, c));
      const auto above = std::ranges::lower_bound(values, a);
      double want;
      if (above == values.end()) {
        want = values.back();
      } else if (above == values.begin() || *above == a) {
        want = *above;
      } else {
        const double lo = *(above - 1), hi = *above;
        want = (a - lo < hi - a) ? lo : hi;
        if (a - lo == hi - a) {
          // A tie: up when the lower neighbour's last kept bit is 1; to zero from the first value.
          const VpCode lower = encoder.encode(lo);
          const bool odd = (pattern_of(t, lower) >> placement(t, t.symbols[lower.symbol]).keep_lo) & 1;
          want = lo != 0 && odd ? hi : lo;
        }
      }
      ASSERT_EQ(got, want) << "seed 7, table " << describe(t) << ", value " << a;
    }
  }
}

TEST(VpType, TableRoundTripsAndDamageIsRejected) {
  for (const VpTable& t : {posit_table(8, 0, DType::BF16), posit_table(16, 1, DType::F32),
                           float_table(4, 3, true, DType::BF16), identity_table(DType::F16)}) {
    const std::vector<uint8_t> bytes = serialize_table(t);
    EXPECT_EQ(parse_table(bytes, t.dtype, "test"), t) << describe(t);
    for (size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_THROW(parse_table(std::span(bytes).first(n), t.dtype, "test"), InputError) << "truncated to " << n;
    }
    std::vector<uint8_t> longer = bytes;
    longer.push_back(0);
    EXPECT_THROW(parse_table(longer, t.dtype, "test"), InputError);
  }
  // Malformed tables: the rule each breaks is named.
  VpTable overlap = posit_table(8, 0, DType::BF16);
  std::swap(overlap.symbols[3], overlap.symbols[4]);
  EXPECT_THROW(check_table(overlap, "test"), InputError);
  VpTable too_wide = identity_table(DType::BF16);
  too_wide.symbols[5].mantissa_bits = 8;
  EXPECT_THROW(check_table(too_wide, "test"), InputError);
  VpTable unsigned_finite = identity_table(DType::BF16);
  unsigned_finite.symbols[5].has_sign = false;
  EXPECT_THROW(check_table(unsigned_finite, "test"), InputError);
}

TEST(VpType, ParsesQualityFloors) {
  EXPECT_EQ(parse_quality("sqnr=30dB").value, 30);
  EXPECT_EQ(parse_quality("sqnr=42.5").value, 42.5);
  EXPECT_EQ(parse_quality("cos=0.999").kind, QualityFloor::Kind::Cosine);
  for (const char* bad : {"sqnr", "snr=30", "sqnr=abc", "cos=1.5", "sqnr=-3", "cos=", "sqnr=30dBx"}) {
    EXPECT_THROW(parse_quality(bad), std::invalid_argument) << bad;
  }
}

// The search on real weights: each floor met (measured on the decoded
// weights), a stricter floor costs more, the coded tensor decodes to what the
// search measured, and the rate stays close to ideal ECSQ at the same floor.
TEST(VpSearch, MeetsFloorsOnTheEmbeddedModel) {
  const Model model = load_model(kEmbeddedModel);
  for (const Tensor& t : model.tensors) {
    if (t.shape.size() != 2 || t.size() < 4096) continue;
    SCOPED_TRACE(t.name);
    double previous_bits = 0;
    for (const char* text : {"sqnr=20dB", "sqnr=30dB", "cos=0.9999", "sqnr=40dB"}) {
      const QualityFloor floor = parse_quality(text);
      const VpChoice c = choose_vp(t, floor, {});
      EXPECT_GE(c.quality.sqnr_db, floor.kind == QualityFloor::Kind::Sqnr ? floor.value : 0) << text;
      EXPECT_GE(c.quality.cosine, floor.kind == QualityFloor::Kind::Cosine ? floor.value : 0) << text;
      EXPECT_GT(c.bits_per_weight, previous_bits) << text;
      previous_bits = c.bits_per_weight;
      // Decoding the lanes gives the values the search measured.
      const auto tables = build_tables(std::span(&c.encoded, 1), "test");
      const Tensor decoded = decode_lossless(c.encoded, *tables[0], "test");
      const std::vector<float> x = t.to_floats(), y = decoded.to_floats();
      const QualityMeasure q = measure_quality(std::vector<double>(x.begin(), x.end()),
                                               std::vector<double>(y.begin(), y.end()), static_cast<size_t>(t.shape[1]));
      EXPECT_EQ(q.sqnr_db, c.quality.sqnr_db) << text;
      if (floor.kind == QualityFloor::Kind::Sqnr) {
        const EcsqPoint e = ecsq_for_floor(t, floor);
        EXPECT_LT(c.bits_per_weight, e.bits_per_weight + 0.4) << text;
      }
    }
  }
}

TEST(VpSearch, PerRowFloorHoldsForEveryRow) {
  const Model model = load_model(kEmbeddedModel);
  int checked = 0;
  for (const Tensor& t : model.tensors) {
    if (t.shape.size() != 2 || t.size() < 4096 || checked >= 4) continue;
    QualityFloor floor = parse_quality("sqnr=30dB");
    floor.per_row = true;
    const VpChoice per_row = choose_vp(t, floor, {});
    EXPECT_GE(per_row.quality.worst_row_sqnr_db, 30) << t.name;
    floor.per_row = false;
    const VpChoice per_tensor = choose_vp(t, floor, {});
    EXPECT_GE(per_row.bits_per_weight, per_tensor.bits_per_weight) << t.name;
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

}  // namespace
}  // namespace ws::golden::vp
