// The weight quantisers of golden/quant/: every method's own reconstruction
// is dequantize() of what it stores, bit for bit; stored sizes, RTN's error
// and SQNR, the OCP MX and NVFP4 rules recomputed independently from the
// golden formats, GPTQ against RTN on correlated inputs, and check_quantized
// against each kind of malformed tensor. Rows whose length is not a multiple
// of the group (172 columns, as llama2's w2; 100; 20, shorter than a group)
// run through all of these: a row's last group is then short.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "golden/common/error.hpp"
#include "golden/formats/float_format.hpp"
#include "golden/formats/format_registry.hpp"
#include "golden/formats/scale_e8m0.hpp"
#include "golden/quant/gptq.hpp"
#include "golden/quant/mx_block.hpp"
#include "golden/quant/nvfp4.hpp"
#include "golden/quant/quant_methods.hpp"
#include "golden/quant/quantized_tensor.hpp"
#include "golden/quant/rtn.hpp"

namespace ws::golden {
namespace {

struct Matrix {
  int64_t rows = 0, cols = 0;
  std::vector<float> w;
};

Matrix gaussian_matrix(int64_t rows, int64_t cols, uint64_t seed, double sigma = 0.02) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, sigma);
  Matrix m{rows, cols, std::vector<float>(static_cast<size_t>(rows * cols))};
  for (float& v : m.w) v = static_cast<float>(normal(rng));
  return m;
}

// Student-t with 3 degrees of freedom plus rare large outliers: the shape of
// real LLM weight rows.
Matrix heavy_tailed_matrix(int64_t rows, int64_t cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::student_t_distribution<double> t3(3.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Matrix m{rows, cols, std::vector<float>(static_cast<size_t>(rows * cols))};
  for (float& v : m.w) v = static_cast<float>(0.01 * t3(rng) * (uniform(rng) < 0.002 ? 50.0 : 1.0));
  return m;
}

// Rows that reach the guards: all zero, signed zeros and fp32 subnormals,
// values too large and too small for an fp16 scale.
Matrix special_values_matrix(int64_t cols) {
  Matrix m = gaussian_matrix(6, cols, 99);
  const auto row = [&](int64_t r) { return std::span(m.w).subspan(static_cast<size_t>(r * cols), cols); };
  std::ranges::fill(row(0), 0.0f);
  for (int64_t j = 0; j < cols; ++j) row(1)[j] = j % 3 == 0 ? -0.0f : std::ldexp(float(j % 7) - 3, -140);
  for (int64_t j = 0; j < cols; ++j) row(2)[j] *= 1e9f;
  for (int64_t j = 0; j < cols; ++j) row(3)[j] *= 1e-30f;
  row(4)[5] = std::numeric_limits<float>::max();
  row(5)[7] = -std::numeric_limits<float>::max();
  return m;
}

// H = 2 X^T X over samples with a few strong directions and features of
// unequal scale.
std::vector<double> correlated_hessian(int64_t cols, int samples, uint64_t seed,
                                       std::vector<std::vector<float>>* inputs) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  constexpr int kDirections = 4;
  std::vector<std::vector<double>> directions(kDirections, std::vector<double>(static_cast<size_t>(cols)));
  for (auto& d : directions) {
    for (double& v : d) v = normal(rng);
  }
  std::vector<double> feature_scale(static_cast<size_t>(cols));
  for (double& s : feature_scale) s = std::exp(0.7 * normal(rng));
  std::vector<double> h;
  std::vector<float> x(static_cast<size_t>(cols));
  for (int s = 0; s < samples; ++s) {
    std::vector<double> strength(kDirections);
    for (int k = 0; k < kDirections; ++k) strength[k] = normal(rng) * 8.0 / (k + 1);
    for (int64_t j = 0; j < cols; ++j) {
      double v = 0.1 * normal(rng);
      for (int k = 0; k < kDirections; ++k) v += strength[k] * directions[k][j];
      x[j] = static_cast<float>(v * feature_scale[j]);
    }
    accumulate_hessian(h, x, cols);
    if (inputs != nullptr) inputs->push_back(x);
  }
  return h;
}

std::vector<double> random_hessian(int64_t cols, uint64_t seed) { return correlated_hessian(cols, 64, seed, nullptr); }

// Every group of a rows x cols matrix as docs/FORMAT.md 14 cuts it, in group
// order, written out here independently of QuantizedTensor's own rule.
struct GroupWeights {
  int64_t first, count;
};
std::vector<GroupWeights> group_weights(int64_t rows, int64_t cols, int group) {
  std::vector<GroupWeights> groups;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; c += group) groups.push_back({r * cols + c, std::min<int64_t>(group, cols - c)});
  }
  return groups;
}

std::vector<uint32_t> bit_patterns(std::span<const float> values) {
  std::vector<uint32_t> bits;
  for (const float v : values) bits.push_back(std::bit_cast<uint32_t>(v));
  return bits;
}

QuantResult run(const std::string& method, const Matrix& m, int bits = 4, int group = 32, bool act_order = false,
                const std::vector<double>* hessian = nullptr) {
  return quantize({method, bits, group, act_order}, m.w, m.rows, m.cols, hessian);
}

// Every method and option a test loops over.
struct Variant {
  std::string method;
  int bits;
  int group;
  bool act_order;
};

std::vector<Variant> all_variants() {
  std::vector<Variant> variants;
  for (const MethodInfo& m : quant_methods()) {
    if (m.name == "dbf" || m.name == "onebit" || m.name == "sfmp" || m.name == "codebook") continue;  // own tests
    if (m.fixed_bits != 0) {
      variants.push_back({std::string(m.name), m.fixed_bits, m.default_group, false});
      continue;
    }
    for (const int bits : {2, 3, 4, 8}) {
      for (const int group : {32, 128}) {
        variants.push_back({std::string(m.name), bits, group, false});
        if (m.needs_hessian) variants.push_back({std::string(m.name), bits, group, true});
      }
    }
  }
  return variants;
}

std::string describe(const Variant& v) {
  return v.method + " bits " + std::to_string(v.bits) + " group " + std::to_string(v.group) +
         (v.act_order ? " act_order" : "");
}

// ---------------------------------------------------------------- registry

TEST(QuantMethods, RegistryNamesEveryMethod) {
  std::vector<std::string> names;
  for (const MethodInfo& m : quant_methods()) names.emplace_back(m.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"rtn-sym", "rtn-asym", "gptq", "mxfp8-e4m3", "mxfp8-e5m2", "mxfp6-e3m2",
                                      "mxfp6-e2m3", "mxfp4", "mxint8", "nvfp4", "dbf", "onebit", "sfmp", "codebook"}));
  ASSERT_NE(find_quant_method("gptq"), nullptr);
  EXPECT_TRUE(find_quant_method("gptq")->needs_hessian);
  EXPECT_EQ(find_quant_method("rtn-sym")->fixed_bits, 0);
  EXPECT_EQ(find_quant_method("mxfp6-e2m3")->fixed_bits, 6);
  EXPECT_EQ(find_quant_method("mxfp4")->default_group, 32);
  EXPECT_EQ(find_quant_method("nvfp4")->default_group, 16);
  EXPECT_EQ(find_quant_method("rtn"), nullptr);
}

std::string invalid_argument_message(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no std::invalid_argument";
  return "";
}

TEST(QuantMethods, RejectsBadRequestsWithClearMessages) {
  const Matrix m = gaussian_matrix(4, 64, 1);
  const std::vector<double> h = random_hessian(64, 2);
  EXPECT_EQ(invalid_argument_message([&] { run("awq", m); }),
            "unknown quantisation method 'awq' (known: rtn-sym, rtn-asym, gptq, mxfp8-e4m3, mxfp8-e5m2, mxfp6-e3m2, "
            "mxfp6-e2m3, mxfp4, mxint8, nvfp4, dbf, onebit, sfmp, codebook)");
  EXPECT_EQ(invalid_argument_message([&] { run("rtn-sym", m, 1); }), "rtn-sym: bits 1 is not in 2..8");
  EXPECT_EQ(invalid_argument_message([&] { run("gptq", m, 9, 32, false, &h); }), "gptq: bits 9 is not in 2..8");
  EXPECT_EQ(invalid_argument_message([&] { run("rtn-asym", m, 4, 0); }), "rtn-asym: group size 0 must be positive");
  EXPECT_EQ(invalid_argument_message([&] { run("gptq", m, 4, -32, false, &h); }),
            "gptq: group size -32 must be positive");
  EXPECT_EQ(invalid_argument_message([&] { run("gptq", m); }),
            "gptq: needs the Hessian of the layer's inputs (H = 2 X^T X, cols x cols)");
  EXPECT_EQ(invalid_argument_message([&] { run("rtn-sym", m, 4, 32, true); }),
            "rtn-sym: act_order applies to gptq only");
  const std::vector<double> short_h(10, 1.0);
  EXPECT_EQ(invalid_argument_message([&] { run("gptq", m, 4, 32, false, &short_h); }),
            "gptq: the Hessian holds 10 values, expected cols x cols = 4096");
  // A group need not divide cols: a row's last group is short (2 x 64 in groups of 48: 48 + 16 per row).
  EXPECT_EQ(run("rtn-asym", m, 4, 48).stored.scales.size(), 8u);
  EXPECT_EQ(run("mxfp4", gaussian_matrix(2, 48, 3)).stored.scales.size(), 4u);
  EXPECT_EQ(invalid_argument_message([&] { quantize({"nvfp4"}, m.w, 3, 64, nullptr); }),
            "nvfp4: 256 weights for a 3 x 64 matrix");
  Matrix with_nan = m;
  with_nan.w[70] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(invalid_argument_message([&] { run("mxint8", with_nan); }),
            "mxint8: weight 70 (row 1, col 6) is not finite");
  // Block formats fix bits and group: the request's do not apply.
  EXPECT_EQ(run("mxfp4", m, 7, 64).stored.group, 32);
  EXPECT_EQ(run("mxfp4", m, 7, 64).stored.code_bits, 4);
}

// ----------------------------------------------- own path == dequantize()

// Whole groups (256 columns), a short last group (172 and 100 columns: 12
// and 4 weights in groups of 32 or 16), and rows shorter than a group (20).
constexpr int64_t kColumnCounts[] = {256, 172, 100, 20};

TEST(QuantMethods, OwnReconstructionIsDequantizeBitForBit) {
  int checked = 0;
  for (const int64_t cols : kColumnCounts) {
    const std::vector<Matrix> matrices = {gaussian_matrix(8, cols, 11), heavy_tailed_matrix(8, cols, 12),
                                          special_values_matrix(cols)};
    const std::vector<double> h = random_hessian(cols, 13);
    for (const Variant& v : all_variants()) {
      for (size_t i = 0; i < matrices.size(); ++i) {
        SCOPED_TRACE(describe(v) + ", cols " + std::to_string(cols) + ", matrix " + std::to_string(i));
        const QuantResult r = run(v.method, matrices[i], v.bits, v.group, v.act_order, &h);
        EXPECT_NO_THROW(check_quantized(r.stored, "test"));
        EXPECT_EQ(r.stored.method, v.method);
        EXPECT_EQ(r.stored.scales.size(), group_weights(matrices[i].rows, cols, r.stored.group).size());
        ASSERT_EQ(r.dequantized.size(), matrices[i].w.size());
        const std::vector<uint32_t> own = bit_patterns(r.dequantized), stored = bit_patterns(dequantize(r.stored));
        for (size_t k = 0; k < own.size(); ++k) {
          ASSERT_EQ(own[k], stored[k]) << "weight " << k << ": " << r.dequantized[k] << " vs "
                                       << dequantize(r.stored)[k];
        }
        for (const float d : r.dequantized) ASSERT_TRUE(std::isfinite(d));
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 4 * 3 * (2 * 4 * 2 + 4 * 2 * 2 + 7));
}

TEST(QuantMethods, IdenticalInputsGiveIdenticalOutputs) {
  const Matrix m = heavy_tailed_matrix(8, 128, 21);
  const std::vector<double> h = random_hessian(128, 22);
  for (const Variant& v : all_variants()) {
    SCOPED_TRACE(describe(v));
    const QuantResult a = run(v.method, m, v.bits, v.group, v.act_order, &h);
    const QuantResult b = run(v.method, m, v.bits, v.group, v.act_order, &h);
    EXPECT_EQ(a.stored.codes, b.stored.codes);
    EXPECT_EQ(a.stored.scales, b.stored.scales);
    EXPECT_EQ(a.stored.zero_points, b.stored.zero_points);
    EXPECT_EQ(bit_patterns(a.dequantized), bit_patterns(b.dequantized));
  }
}

// A row's short last group is quantised from its own weights alone:
// whatever the weights around it (the rest of the matrix, including the next
// row's first group right after it in memory), its scale and zero point
// stay, and they are what the group gets quantised on its own. GPTQ without
// act_order feeds each column's error forward along the row by design, so
// for it only the other rows change (Gptq.WithoutErrorFeedbackIsRtn checks
// its grid on ragged rows).
TEST(QuantMethods, ShortGroupScaleDependsOnlyOnItsOwnWeights) {
  for (const int64_t cols : {int64_t{172}, int64_t{100}}) {
    Matrix m = gaussian_matrix(4, cols, 23);
    m.w[1] = 1.0f;  // the tensor's largest magnitude, kept: nvfp4's tensor scale stays
    const std::vector<double> h = random_hessian(cols, 24);
    for (const Variant& v : all_variants()) {
      SCOPED_TRACE(describe(v) + ", cols " + std::to_string(cols));
      const QuantizedTensor before = run(v.method, m, v.bits, v.group, v.act_order, &h).stored;
      const std::vector<GroupWeights> groups = group_weights(m.rows, cols, before.group);
      const size_t short_group = 2 * groups.size() / m.rows - 1;  // row 1's last
      const auto [first, count] = groups[short_group];
      ASSERT_LT(count, before.group);
      const bool feedback = v.method == "gptq" && !v.act_order;
      Matrix changed = m;
      for (int64_t i = 0; i < m.rows * cols; ++i) {
        const bool own = i >= first && i < first + count;
        if (i != 1 && !own && !(feedback && i / cols == 1)) changed.w[i] *= -2.0f;
      }
      const QuantizedTensor after = run(v.method, changed, v.bits, v.group, v.act_order, &h).stored;
      EXPECT_NE(after.scales, before.scales) << "the other groups changed";
      EXPECT_EQ(after.scales[short_group], before.scales[short_group]);
      if (before.has_zero_point) {
        EXPECT_EQ(after.zero_points[short_group], before.zero_points[short_group]);
      }
      if (feedback) continue;
      const Matrix alone{1, count, std::vector<float>(m.w.begin() + first, m.w.begin() + first + count)};
      if (v.method == "nvfp4") {
        float amax = 0;
        for (const float w : alone.w) amax = std::max(amax, std::fabs(w));
        EXPECT_EQ(before.scales[short_group], E4M3::encode(double{amax} / 6.0 / double{before.tensor_scale}));
        continue;
      }
      // gptq's static groups are rtn-asym grids of the original weights.
      const QuantizedTensor own = run(v.method == "gptq" ? "rtn-asym" : v.method, alone, v.bits, v.group).stored;
      EXPECT_EQ(own.scales, std::vector<uint32_t>{before.scales[short_group]});
      if (before.has_zero_point) {
        EXPECT_EQ(own.zero_points, std::vector<uint32_t>{before.zero_points[short_group]});
      }
    }
  }
}

// ----------------------------------------------------------- bits per weight

TEST(QuantizedTensor, BitsPerWeightIsWhatTheFieldsAddUpTo) {
  const Matrix m = gaussian_matrix(4, 256, 31);
  const std::vector<double> h = random_hessian(256, 32);
  const auto bpw = [&](const std::string& method, int bits = 4, int group = 32) {
    return run(method, m, bits, group, false, &h).stored.bits_per_weight();
  };
  EXPECT_EQ(bpw("rtn-sym"), 4.5);
  EXPECT_EQ(bpw("rtn-asym"), 4.5 + 4.0 / 32);
  EXPECT_EQ(bpw("gptq"), 4.5 + 4.0 / 32);
  EXPECT_EQ(bpw("rtn-sym", 3, 128), 3.125);
  EXPECT_EQ(bpw("rtn-asym", 8, 64), 8 + 24.0 / 64);
  EXPECT_EQ(bpw("mxfp4"), 4.25);
  EXPECT_EQ(bpw("mxfp6-e3m2"), 6.25);
  EXPECT_EQ(bpw("mxfp8-e5m2"), 8.25);
  EXPECT_EQ(bpw("mxint8"), 8.25);
  EXPECT_EQ(bpw("nvfp4"), 4.5 + 32.0 / 1024);
  for (const int64_t cols : kColumnCounts) {
    const Matrix ragged = gaussian_matrix(3, cols, 33);
    const std::vector<double> hr = random_hessian(cols, 34);
    for (const Variant& v : all_variants()) {
      const QuantizedTensor q = run(v.method, ragged, v.bits, v.group, v.act_order, &hr).stored;
      const auto groups = static_cast<double>(group_weights(3, cols, q.group).size());
      const double fields = static_cast<double>(ragged.w.size()) * q.code_bits + groups * q.scale_bits() +
                            (q.has_zero_point ? groups * q.code_bits : 0) + (q.has_tensor_scale ? 32 : 0);
      EXPECT_EQ(q.bits_per_weight(), fields / static_cast<double>(ragged.w.size())) << describe(v) << " cols " << cols;
    }
  }
}

// llama2's w2 shape: six groups of 32 per 172-column row, the last of 12
// weights; no padding to 192 columns is counted.
TEST(QuantizedTensor, BitsPerWeightOfARaggedMatrixCountsOnlyItsGroups) {
  const Matrix m = gaussian_matrix(64, 172, 35);
  const std::vector<double> h = random_hessian(172, 36);
  const auto bpw = [&](const std::string& method, int bits = 4) {
    return run(method, m, bits, 32, false, &h).stored.bits_per_weight();
  };
  constexpr double kWeights = 64 * 172;
  EXPECT_EQ(bpw("rtn-sym"), (kWeights * 4 + 64 * 6 * 16) / kWeights);
  EXPECT_EQ(bpw("rtn-asym"), (kWeights * 4 + 64 * 6 * (16 + 4)) / kWeights);
  EXPECT_EQ(bpw("rtn-asym", 8), (kWeights * 8 + 64 * 6 * (16 + 8)) / kWeights);
  EXPECT_EQ(bpw("gptq"), (kWeights * 4 + 64 * 6 * (16 + 4)) / kWeights);
  EXPECT_EQ(bpw("mxfp4"), (kWeights * 4 + 64 * 6 * 8) / kWeights);
  EXPECT_EQ(bpw("mxint8"), (kWeights * 8 + 64 * 6 * 8) / kWeights);
  // Blocks of 16: ten of 16 and one of 12 per row.
  EXPECT_EQ(bpw("nvfp4"), (kWeights * 4 + 64 * 11 * 8 + 32) / kWeights);
}

TEST(QuantizedTensor, GroupsAreCutRowByRowWithAShortLastGroup) {
  for (const auto& [rows, cols, group] : std::vector<std::tuple<int64_t, int64_t, int>>{
           {3, 172, 32}, {2, 100, 16}, {4, 64, 32}, {2, 20, 32}, {3, 7, 1}, {2, 5, 2}}) {
    SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols) + " group " + std::to_string(group));
    QuantizedTensor q;
    q.rows = rows;
    q.cols = cols;
    q.group = group;
    const std::vector<GroupWeights> expected = group_weights(rows, cols, group);
    ASSERT_EQ(q.groups(), static_cast<int64_t>(expected.size()));
    EXPECT_EQ(q.groups_per_row() * rows, q.groups());
    for (int64_t g = 0; g < q.groups(); ++g) {
      EXPECT_EQ(q.group_span(g).first, expected[g].first) << "group " << g;
      EXPECT_EQ(q.group_span(g).count, expected[g].count) << "group " << g;
      for (int64_t i = expected[g].first; i < expected[g].first + expected[g].count; ++i) {
        ASSERT_EQ(q.group_of(i), g) << "weight " << i;
      }
    }
  }
}

TEST(QuantizedTensor, DequantizeScalesEachWeightByItsOwnRowsGroup) {
  // 2 x 5 in groups of 2: per row [0, 1] [2, 3] [4]. Group scales 1, 2, 4, 8,
  // 16, 32 tell the groups apart; every code is 1.
  QuantizedTensor q;
  q.method = "rtn-sym";
  q.rows = 2;
  q.cols = 5;
  q.group = 2;
  q.code_kind = CodeKind::SignedInt;
  q.code_bits = 4;
  q.codes.assign(10, 1);
  for (int k = 0; k < 6; ++k) q.scales.push_back(Fp16::encode(std::ldexp(1.0, k)));
  EXPECT_EQ(dequantize(q), (std::vector<float>{1, 1, 2, 2, 4, 8, 8, 16, 16, 32}));
}

// ----------------------------------------------------------------------- RTN

TEST(Rtn, HandCheckedCodesScalesAndZeroPoints) {
  Matrix sym{1, 32, std::vector<float>(32, 0.0f)};
  sym.w[0] = 3.5f;    // amax: scale fp16(3.5 / 7) = 0.5, code 7
  sym.w[1] = -1.75f;  // -3.5 rounds half to even: -4, pattern 0b1100
  sym.w[2] = 0.25f;   // 0.5 -> 0
  sym.w[3] = 0.26f;   // 0.52 -> 1
  sym.w[4] = -3.5f;   // -7, pattern 0b1001
  const QuantResult s = run("rtn-sym", sym, 4, 32);
  EXPECT_EQ(s.stored.code_kind, CodeKind::SignedInt);
  EXPECT_EQ(s.stored.scales, std::vector<uint32_t>{0x3800});
  EXPECT_EQ(std::vector<uint32_t>(s.stored.codes.begin(), s.stored.codes.begin() + 6),
            (std::vector<uint32_t>{0x7, 0xc, 0x0, 0x1, 0x9, 0x0}));
  EXPECT_EQ(s.dequantized[1], -2.0f);

  Matrix asym{1, 32, std::vector<float>(32, 0.5f)};  // rint(0.5) = 0 (to even): code 1, value 0
  asym.w[0] = 2.0f;   // hi: levels 3, scale (2 - -1) / 3 = 1, zero point rint(1) = 1, code 3
  asym.w[1] = -1.0f;  // lo: code 0
  asym.w[2] = 1.4f;   // code 2, value 1
  const QuantResult a = run("rtn-asym", asym, 2, 32);
  EXPECT_EQ(a.stored.code_kind, CodeKind::UnsignedInt);
  EXPECT_EQ(a.stored.scales, std::vector<uint32_t>{0x3c00});
  EXPECT_EQ(a.stored.zero_points, std::vector<uint32_t>{1});
  EXPECT_EQ(std::vector<uint32_t>(a.stored.codes.begin(), a.stored.codes.begin() + 4),
            (std::vector<uint32_t>{3, 0, 2, 1}));
  EXPECT_EQ(a.dequantized[2], 1.0f);
  EXPECT_EQ(a.dequantized[3], 0.0f);

  // A group of one sign still holds 0: [1, 4] quantises on [0, 4], step fp16(4 / 3).
  Matrix positive{1, 32, std::vector<float>(32, 1.0f)};
  positive.w[0] = 4.0f;
  const QuantResult p = run("rtn-asym", positive, 2, 32);
  EXPECT_EQ(p.stored.scales, std::vector<uint32_t>{Fp16::encode(4.0 / 3)});
  EXPECT_EQ(p.stored.zero_points, std::vector<uint32_t>{0});
  EXPECT_EQ(std::vector<uint32_t>(p.stored.codes.begin(), p.stored.codes.begin() + 2), (std::vector<uint32_t>{3, 1}));
}

TEST(Rtn, AllZeroGroupHasZeroScaleZeroPointAndCodes) {
  Matrix m = gaussian_matrix(2, 64, 41);
  std::fill(m.w.begin() + 32, m.w.begin() + 64, 0.0f);
  m.w[40] = -0.0f;
  for (const bool symmetric : {true, false}) {
    const QuantResult r = run(symmetric ? "rtn-sym" : "rtn-asym", m, 4, 32);
    EXPECT_EQ(r.stored.scales[1], 0u);
    if (!symmetric) {
      EXPECT_EQ(r.stored.zero_points[1], 0u);
    }
    for (int i = 32; i < 64; ++i) {
      EXPECT_EQ(r.stored.codes[i], 0u);
      EXPECT_EQ(std::bit_cast<uint32_t>(r.dequantized[i]), 0u);
    }
  }
}

TEST(Rtn, ScaleGuardsAtTheEdgesOfFp16) {
  Matrix huge{1, 32, std::vector<float>(32, 1.0f)};
  huge.w[0] = 1e7f;  // 1e7 / 7 > 65504: the scale saturates and the code clamps
  const QuantResult h = run("rtn-sym", huge, 4, 32);
  EXPECT_EQ(h.stored.scales[0], Fp16::kMaxFinite);
  EXPECT_EQ(h.dequantized[0], 7 * 65504.0f);
  Matrix tiny{1, 32, std::vector<float>(32, 0.0f)};
  tiny.w[0] = 1e-9f;  // 1e-9 / 7 rounds to fp16 zero: the smallest subnormal instead
  const QuantResult t = run("rtn-sym", tiny, 4, 32);
  EXPECT_EQ(t.stored.scales[0], 1u);
  EXPECT_EQ(t.dequantized[0], 0.0f);
}

TEST(Rtn, ErrorIsAtMostHalfAStep) {
  for (const int64_t cols : {int64_t{256}, int64_t{172}}) {
    const Matrix m = gaussian_matrix(16, cols, 51);
    for (const bool symmetric : {true, false}) {
      for (int bits = 2; bits <= 8; ++bits) {
        for (const int group : {32, 64, 128}) {
          const QuantResult r = run(symmetric ? "rtn-sym" : "rtn-asym", m, bits, group);
          // Asymmetric: fp16 rounding of the step can push the top of the range
          // past the last code by (2^N - 1) relative fp16 rounding errors.
          const double slack = symmetric ? 0.0 : ((1 << bits) - 1) * std::ldexp(1.0, -11);
          const std::vector<GroupWeights> groups = group_weights(m.rows, cols, group);
          for (size_t g = 0; g < groups.size(); ++g) {
            const double step = decode_scale(ScaleKind::Fp16, r.stored.scales[g]);
            for (int64_t i = groups[g].first; i < groups[g].first + groups[g].count; ++i) {
              const double error = std::fabs(double{m.w[i]} - double{r.dequantized[i]});
              ASSERT_LE(error, step * (0.5 + slack) + std::ldexp(std::fabs(double{r.dequantized[i]}), -24))
                  << (symmetric ? "sym" : "asym") << " bits " << bits << " cols " << cols << " group " << group
                  << " weight " << i;
            }
          }
        }
      }
    }
  }
}

double sqnr_db(std::span<const float> w, std::span<const float> q) {
  double signal = 0, noise = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    signal += double{w[i]} * w[i];
    noise += (double{w[i]} - q[i]) * (double{w[i]} - q[i]);
  }
  return 10 * std::log10(signal / noise);
}

// The step shrinks by the ratio of the largest codes, (2^N - 1) / (2^(N-1) - 1)
// for symmetric N+1 over N bits: 20 log10 of it is 9.5 dB from 2 to 3 bits
// (3 codes to 7), then tends to 20 log10(2) = 6.02 dB.
TEST(Rtn, SqnrGrowsAboutSixDbPerBitOnGaussianWeights) {
  const Matrix m = gaussian_matrix(64, 1024, 61, 1.0);
  for (const bool symmetric : {true, false}) {
    std::string table;
    double previous = 0;
    const auto top_code = [&](int bits) { return symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1; };
    for (int bits = 2; bits <= 8; ++bits) {
      const double sqnr = sqnr_db(m.w, run(symmetric ? "rtn-sym" : "rtn-asym", m, bits, 32).dequantized);
      table += " " + std::to_string(bits) + ":" + std::to_string(sqnr);
      if (bits > 2) {
        const double expected = 20 * std::log10(double(top_code(bits)) / top_code(bits - 1));
        EXPECT_NEAR(sqnr - previous, expected, 0.5) << "bits " << bits;
        if (bits >= 6) {
          EXPECT_NEAR(sqnr - previous, 6.02, 0.5) << "bits " << bits;
        }
      }
      previous = sqnr;
    }
    RecordProperty(symmetric ? "sqnr_db_sym" : "sqnr_db_asym", table);
    std::printf("rtn-%s g32 SQNR dB:%s\n", symmetric ? "sym" : "asym", table.c_str());
  }
}

// ------------------------------------------------------------------------ MX

TEST(MxBlock, ElementRangesAreTheSpecsEmax) {
  const auto range = [](const char* name) { return mx_element_range(*find_mx_format(name)); };
  EXPECT_EQ(range("mxfp8-e4m3").max_value, 448);
  EXPECT_EQ(range("mxfp8-e4m3").emax, 8);
  EXPECT_EQ(range("mxfp8-e5m2").max_value, 57344);
  EXPECT_EQ(range("mxfp8-e5m2").emax, 15);
  EXPECT_EQ(range("mxfp6-e3m2").max_value, 28);
  EXPECT_EQ(range("mxfp6-e3m2").emax, 4);
  EXPECT_EQ(range("mxfp6-e2m3").max_value, 7.5);
  EXPECT_EQ(range("mxfp6-e2m3").emax, 2);
  EXPECT_EQ(range("mxfp4").max_value, 6);
  EXPECT_EQ(range("mxfp4").emax, 2);
  EXPECT_EQ(range("mxint8").max_value, 1.984375);
  EXPECT_EQ(range("mxint8").emax, 0);
}

TEST(MxBlock, BlockAmaxLandsInTheElementFormatsTopBinade) {
  for (const Matrix& m : {gaussian_matrix(8, 256, 71), heavy_tailed_matrix(8, 256, 72), gaussian_matrix(8, 172, 73),
                          heavy_tailed_matrix(8, 100, 74)}) {
    for (const MxFormat& f : mx_formats()) {
      const QuantResult r = run(std::string(f.name), m);
      const int emax = mx_element_range(f).emax;
      const std::vector<GroupWeights> blocks = group_weights(m.rows, m.cols, kMxBlock);
      ASSERT_EQ(r.stored.scales.size(), blocks.size());
      for (size_t b = 0; b < blocks.size(); ++b) {
        const auto first = m.w.begin() + blocks[b].first;
        const auto largest = std::max_element(first, first + blocks[b].count,
                                              [](float x, float y) { return std::fabs(x) < std::fabs(y); });
        const uint32_t code = r.stored.codes[largest - m.w.begin()];
        if (f.element_format.empty()) {  // MXINT8: top binade is |code| 64..127
          const int value = code >= 128 ? int(code) - 256 : int(code);
          EXPECT_GE(std::abs(value), 64) << f.name << " block " << b;
        } else {
          const Unpacked u = find_format(f.element_format)->decode(code);
          EXPECT_EQ(u.cls, NumClass::Finite) << f.name << " block " << b;
          EXPECT_EQ(u.exponent, emax) << f.name << " block " << b;
        }
      }
    }
  }
}

TEST(MxBlock, ZeroBlockDecodesToZeros) {
  Matrix m = gaussian_matrix(2, 64, 81);
  std::fill(m.w.begin() + 32, m.w.begin() + 64, 0.0f);
  m.w[33] = -0.0f;
  for (const MxFormat& f : mx_formats()) {
    const QuantResult r = run(std::string(f.name), m);
    EXPECT_EQ(r.stored.scales[1], 0u) << f.name;  // 2^-127
    const std::vector<float> d = dequantize(r.stored);
    for (int i = 32; i < 64; ++i) EXPECT_EQ(d[i], 0.0f) << f.name << " weight " << i;
    if (!f.element_format.empty()) {
      EXPECT_TRUE(std::signbit(d[33])) << f.name << ": float elements keep -0";
    }
  }
}

TEST(MxBlock, Mxfp4ValuesAreE2M1ValuesTimesPowersOfTwo) {
  const std::vector<double> e2m1_magnitudes = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  for (const Matrix& m :
       {gaussian_matrix(8, 256, 91), heavy_tailed_matrix(8, 256, 92), heavy_tailed_matrix(8, 100, 93)}) {
    const QuantResult r = run("mxfp4", m);
    const std::vector<GroupWeights> blocks = group_weights(m.rows, m.cols, kMxBlock);
    ASSERT_EQ(r.stored.scales.size(), blocks.size());
    for (size_t b = 0; b < blocks.size(); ++b) {
      double amax = 0;
      for (int64_t k = 0; k < blocks[b].count; ++k) amax = std::max(amax, std::fabs(double{m.w[blocks[b].first + k]}));
      int binade;  // amax = f * 2^binade, f in [0.5, 1): floor(log2 amax) = binade - 1
      std::frexp(amax, &binade);
      const int shared = binade - 1 - 2;  // emax of e2m1 is 2
      ASSERT_EQ(r.stored.scales[b], static_cast<uint32_t>(shared + 127)) << "block " << b;
      const double scale = to_double(ScaleE8M0::decode(r.stored.scales[b]));
      ASSERT_EQ(scale, std::ldexp(1.0, shared));
      for (int64_t k = 0; k < blocks[b].count; ++k) {
        const int64_t i = blocks[b].first + k;
        const double expected_element = std::clamp(double{m.w[i]} / scale, -6.0, 6.0);
        ASSERT_EQ(r.stored.codes[i], E2M1::encode(expected_element)) << "weight " << i;
        const double element = to_double(E2M1::decode(r.stored.codes[i]));
        ASSERT_NE(std::find(e2m1_magnitudes.begin(), e2m1_magnitudes.end(), std::fabs(element)), e2m1_magnitudes.end());
        ASSERT_EQ(r.dequantized[i], static_cast<float>(element * scale)) << "weight " << i;
      }
    }
  }
}

TEST(MxBlock, Mxint8ClampsToTheSymmetricRange) {
  Matrix m{1, 32, std::vector<float>(32, 0.25f)};
  m.w[0] = 1.999f;       // shared exponent 0; 1.999 * 64 = 127.9 clamps to 127
  m.w[1] = -1.999f;      // -127 (pattern 0x81), never -128
  m.w[2] = 1.0f;         // 64
  m.w[3] = -0.5078125f;  // -32.5: half to even, -32
  const QuantResult r = run("mxint8", m);
  EXPECT_EQ(r.stored.scales[0], 127u);
  EXPECT_EQ(r.stored.element_fraction_shift, 6);
  EXPECT_EQ(std::vector<uint32_t>(r.stored.codes.begin(), r.stored.codes.begin() + 5),
            (std::vector<uint32_t>{127, 0x81, 64, 0xe0, 16}));
  EXPECT_EQ(r.dequantized[1], -1.984375f);
  // -128 is a valid pattern to read: -2.
  QuantizedTensor q = r.stored;
  q.codes[1] = 0x80;
  EXPECT_EQ(dequantize(q)[1], -2.0f);
}

TEST(MxBlock, SharedExponentClampsToTheE8M0Range) {
  const MxFormat& mxfp4 = *find_mx_format("mxfp4");
  EXPECT_EQ(mx_shared_exponent(mxfp4, std::ldexp(1.0, -140)), -127);
  EXPECT_EQ(mx_shared_exponent(mxfp4, 0.0), -127);
  EXPECT_EQ(mx_shared_exponent(mxfp4, std::numeric_limits<float>::max()), 125);
  EXPECT_EQ(mx_shared_exponent(*find_mx_format("mxint8"), std::numeric_limits<float>::max()), 127);
}

// --------------------------------------------------------------------- NVFP4

TEST(Nvfp4, HandCheckedTwoLevelScales) {
  Matrix m{1, 32, std::vector<float>(32, 0.0f)};
  m.w[0] = 2688.0f;  // tensor amax: tensor scale 2688 / (6 * 448) = 1
  m.w[1] = 700.0f;   // block 0: scale e4m3(2688 / 6) = 448, 700 / 448 = 1.5625 -> 1.5
  m.w[16] = 3.0f;    // block 1: scale e4m3(0.5) = 0.5, element 6
  m.w[17] = -1.3f;   // -2.6 -> -3
  const QuantResult r = run("nvfp4", m);
  EXPECT_EQ(r.stored.tensor_scale, 1.0f);
  EXPECT_EQ(r.stored.scales, (std::vector<uint32_t>{E4M3::encode(448.0), E4M3::encode(0.5)}));
  EXPECT_EQ(r.dequantized[0], 2688.0f);
  EXPECT_EQ(r.dequantized[1], 672.0f);
  EXPECT_EQ(r.dequantized[16], 3.0f);
  EXPECT_EQ(r.dequantized[17], -1.5f);
}

TEST(Nvfp4, MatchesAnIndependentComputation) {
  for (const Matrix& m : {gaussian_matrix(8, 256, 101), heavy_tailed_matrix(8, 256, 102), gaussian_matrix(8, 172, 103),
                          heavy_tailed_matrix(8, 100, 104)}) {
    const QuantResult r = run("nvfp4", m);
    float tensor_amax = 0;
    for (const float v : m.w) tensor_amax = std::max(tensor_amax, std::fabs(v));
    const float tensor_scale = static_cast<float>(double{tensor_amax} / 2688.0);
    ASSERT_EQ(r.stored.tensor_scale, tensor_scale);
    ASSERT_TRUE(r.stored.has_tensor_scale);
    const std::vector<GroupWeights> blocks = group_weights(m.rows, m.cols, 16);
    ASSERT_EQ(r.stored.scales.size(), blocks.size());
    for (size_t b = 0; b < blocks.size(); ++b) {
      float block_amax = 0;
      for (int64_t k = 0; k < blocks[b].count; ++k) {
        block_amax = std::max(block_amax, std::fabs(m.w[blocks[b].first + k]));
      }
      const uint32_t scale_bits = E4M3::encode(double{block_amax} / 6.0 / double{tensor_scale});
      ASSERT_EQ(r.stored.scales[b], scale_bits) << "block " << b;
      const double block_scale = to_double(E4M3::decode(scale_bits));
      for (int64_t k = 0; k < blocks[b].count; ++k) {
        const int64_t i = blocks[b].first + k;
        const double x = double{m.w[i]} / (block_scale * double{tensor_scale});
        const uint32_t code = block_scale == 0 ? 0 : E2M1::encode(std::min(6.0, std::max(-6.0, x)));
        ASSERT_EQ(r.stored.codes[i], code) << "weight " << i;
        const float expected = static_cast<float>(
            double{static_cast<float>(to_double(E2M1::decode(code)) * block_scale)} * double{tensor_scale});
        ASSERT_EQ(std::bit_cast<uint32_t>(r.dequantized[i]), std::bit_cast<uint32_t>(expected)) << "weight " << i;
      }
    }
  }
}

TEST(Nvfp4, AllZeroTensorHasUnitTensorScaleAndZeroCodes) {
  const Matrix m{2, 16, std::vector<float>(32, 0.0f)};
  const QuantResult r = run("nvfp4", m);
  EXPECT_EQ(r.stored.tensor_scale, 1.0f);
  EXPECT_EQ(r.stored.scales, (std::vector<uint32_t>{0, 0}));
  for (const float d : dequantize(r.stored)) EXPECT_EQ(d, 0.0f);
}

// ---------------------------------------------------------------------- GPTQ

// ||(W - Q) X|| over the calibration inputs.
double output_error(const Matrix& w, std::span<const float> q, const std::vector<std::vector<float>>& inputs) {
  double sum = 0;
  for (const std::vector<float>& x : inputs) {
    for (int64_t r = 0; r < w.rows; ++r) {
      double y = 0;
      for (int64_t j = 0; j < w.cols; ++j) y += (double{w.w[r * w.cols + j]} - q[r * w.cols + j]) * x[j];
      sum += y * y;
    }
  }
  return std::sqrt(sum);
}

TEST(Gptq, BeatsRtnOnCorrelatedInputs) {
  for (const int64_t cols : {int64_t{256}, int64_t{172}}) {
    const Matrix w = gaussian_matrix(32, cols, 111);
    std::vector<std::vector<float>> inputs;
    const std::vector<double> h = correlated_hessian(w.cols, 384, 112, &inputs);
    for (const int bits : {3, 4}) {
      for (const int group : {32, 128}) {
        const double rtn = output_error(w, run("rtn-asym", w, bits, group).dequantized, inputs);
        for (const bool act_order : {false, true}) {
          const double gptq = output_error(w, run("gptq", w, bits, group, act_order, &h).dequantized, inputs);
          const std::string label = "cols " + std::to_string(cols) + " bits " + std::to_string(bits) + " group " +
                                    std::to_string(group) + (act_order ? " act_order" : "");
          EXPECT_LT(gptq, 0.8 * rtn) << label;
          std::printf("gptq/rtn-asym ||(W-Q)X|| %s: %.4f\n", label.c_str(), gptq / rtn);
        }
      }
    }
  }
}

// Lazy updates only defer work: one block of all columns and blocks of one
// group give the same result, up to the order of double additions (which
// may flip a rare rounding tie).
TEST(Gptq, LazyBlockWidthDoesNotChangeTheResult) {
  for (const int64_t cols : {int64_t{256}, int64_t{172}}) {  // 172: the last block ends in a short group
    const Matrix w = gaussian_matrix(16, cols, 116);
    std::vector<std::vector<float>> inputs;
    const std::vector<double> h = correlated_hessian(w.cols, 256, 117, &inputs);
    for (const bool act_order : {false, true}) {
      GptqOptions narrow{.bits = 3, .group = 32, .act_order = act_order, .block_cols = 32};
      GptqOptions wide = narrow;
      wide.block_cols = 256;
      const QuantResult a = gptq_quantize(w.w, w.rows, w.cols, h, narrow);
      const QuantResult b = gptq_quantize(w.w, w.rows, w.cols, h, wide);
      size_t same = 0;
      for (size_t i = 0; i < a.stored.codes.size(); ++i) same += a.stored.codes[i] == b.stored.codes[i];
      const std::string label = "cols " + std::to_string(cols) + (act_order ? " act_order" : "");
      EXPECT_GE(same, a.stored.codes.size() * 999 / 1000) << label;
      EXPECT_NEAR(output_error(w, a.dequantized, inputs) / output_error(w, b.dequantized, inputs), 1.0, 0.01) << label;
    }
  }
}

TEST(Gptq, DeadColumnsBecomeZero) {
  const Matrix w = gaussian_matrix(4, 64, 121);
  std::vector<double> h = random_hessian(64, 122);
  for (int64_t j = 0; j < 64; ++j) h[5 * 64 + j] = h[j * 64 + 5] = 0;
  for (const bool act_order : {false, true}) {
    const QuantResult r = run("gptq", w, 4, 32, act_order, &h);
    for (int64_t row = 0; row < 4; ++row) EXPECT_EQ(r.dequantized[row * 64 + 5], 0.0f);
  }
}

TEST(Gptq, WithoutErrorFeedbackIsRtn) {
  // A diagonal Hessian decouples the columns: nothing to feed forward, so
  // GPTQ rounds exactly as RTN does (same grid, same storage), short
  // groups included.
  for (const int64_t cols : {int64_t{128}, int64_t{172}, int64_t{20}}) {
    const Matrix w = heavy_tailed_matrix(4, cols, 131);
    std::vector<double> h(static_cast<size_t>(cols * cols), 0.0);
    for (int64_t j = 0; j < cols; ++j) h[j * cols + j] = 1.0 + static_cast<double>(j);
    for (const bool act_order : {false, true}) {
      const QuantResult gptq = run("gptq", w, 4, 32, act_order, &h);
      const QuantResult rtn = run("rtn-asym", w, 4, 32);
      EXPECT_EQ(gptq.stored.codes, rtn.stored.codes) << "cols " << cols;
      EXPECT_EQ(gptq.stored.scales, rtn.stored.scales) << "cols " << cols;
      EXPECT_EQ(gptq.stored.zero_points, rtn.stored.zero_points) << "cols " << cols;
    }
  }
}

TEST(Gptq, AccumulateHessianAddsTwiceTheOuterProduct) {
  std::vector<double> h;
  const std::vector<float> x1 = {1, 2, -1}, x2 = {0.5f, 0, 3};
  accumulate_hessian(h, x1, 3);
  accumulate_hessian(h, x2, 3);
  ASSERT_EQ(h.size(), 9u);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) EXPECT_EQ(h[i * 3 + j], 2.0 * (x1[i] * x1[j] + x2[i] * x2[j]));
  }
  EXPECT_THROW(accumulate_hessian(h, x1, 2), std::invalid_argument);
  std::vector<double> wrong(4, 0.0);
  EXPECT_THROW(accumulate_hessian(wrong, x1, 3), std::invalid_argument);
}

TEST(Gptq, RejectsAHessianThatIsNotPositiveDefinite) {
  const Matrix w = gaussian_matrix(2, 32, 141);
  std::vector<double> h(32 * 32, 0.0);
  for (int j = 0; j < 32; ++j) h[j * 32 + j] = 1;
  h[1] = h[32] = 5;  // |H_01| > sqrt(H_00 H_11)
  EXPECT_THROW(run("gptq", w, 4, 32, false, &h), std::invalid_argument);
}

// ----------------------------------------------------------- check_quantized

std::string input_error_message(const QuantizedTensor& q) {
  try {
    check_quantized(q, "weights.wsq");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(CheckQuantized, RejectsEachKindOfMalformedTensor) {
  const Matrix m = gaussian_matrix(2, 64, 151);
  const QuantizedTensor asym = run("rtn-asym", m).stored, sym = run("rtn-sym", m).stored,
                        mxfp4 = run("mxfp4", m).stored, e5m2 = run("mxfp8-e5m2", m).stored,
                        nvfp4 = run("nvfp4", m).stored;
  const std::vector<std::pair<std::string, std::function<void(QuantizedTensor&)>>> asym_breaks = {
      {"rows (0) and cols (64) must be positive", [](QuantizedTensor& q) { q.rows = 0; }},
      {"rows (2) and cols (-64) must be positive", [](QuantizedTensor& q) { q.cols = -64; }},
      {"group (0) must be positive", [](QuantizedTensor& q) { q.group = 0; }},
      {"scales holds 4 patterns, expected 8", [](QuantizedTensor& q) { q.group = 20; }},  // 20 + 20 + 20 + 4
      {"code_bits 1 is not in 2..8", [](QuantizedTensor& q) { q.code_bits = 1; }},
      {"code_bits 9 is not in 2..8", [](QuantizedTensor& q) { q.code_bits = 9; }},
      {"codes holds 127 patterns, expected 128", [](QuantizedTensor& q) { q.codes.pop_back(); }},
      {"scales holds 5 patterns, expected 4", [](QuantizedTensor& q) { q.scales.push_back(0); }},
      {"zero_points holds 3 patterns, expected 4", [](QuantizedTensor& q) { q.zero_points.pop_back(); }},
      {"code 3 (16) is wider than 4 bits", [](QuantizedTensor& q) { q.codes[3] = 16; }},
      {"scale 1 (65536) is wider than 16 bits", [](QuantizedTensor& q) { q.scales[1] = 0x10000; }},
      {"scale 2 is not finite", [](QuantizedTensor& q) { q.scales[2] = 0x7c00; }},
      {"zero point 0 (31) is wider than 4 bits", [](QuantizedTensor& q) { q.zero_points[0] = 31; }},
      {"unknown code kind 7", [](QuantizedTensor& q) { q.code_kind = static_cast<CodeKind>(7); }},
      {"unknown scale kind 9", [](QuantizedTensor& q) { q.scale_kind = static_cast<ScaleKind>(9); }},
  };
  for (const auto& [message, mutate] : asym_breaks) {
    QuantizedTensor q = asym;
    mutate(q);
    EXPECT_EQ(input_error_message(q), "weights.wsq: quantised tensor (method 'rtn-asym'): " + message);
    EXPECT_THROW(dequantize(q), InputError) << message;
  }
  const auto expect_rejected = [](QuantizedTensor q, const std::function<void(QuantizedTensor&)>& mutate,
                                  const std::string& message) {
    mutate(q);
    EXPECT_EQ(input_error_message(q), "weights.wsq: quantised tensor (method '" + q.method + "'): " + message);
  };
  expect_rejected(
      sym,
      [](QuantizedTensor& q) {
        q.has_zero_point = true;
        q.zero_points.resize(4);
      },
      "zero points need unsigned codes");
  expect_rejected(
      sym, [](QuantizedTensor& q) { q.element_fraction_shift = -1; }, "element_fraction_shift -1 is not in 0..30");
  expect_rejected(
      mxfp4, [](QuantizedTensor& q) { q.element_format = "e9m9"; }, "element format 'e9m9' is not a float format");
  expect_rejected(
      mxfp4, [](QuantizedTensor& q) { q.element_format = "posit4es0"; },
      "element format 'posit4es0' is not a float format");
  expect_rejected(
      mxfp4, [](QuantizedTensor& q) { q.element_format = "e4m3"; }, "element format e4m3 is 8 bits wide, code_bits 4");
  expect_rejected(
      mxfp4, [](QuantizedTensor& q) { q.scales[0] = ScaleE8M0::kNaN; }, "scale 0 is not finite");
  expect_rejected(
      mxfp4, [](QuantizedTensor& q) { q.scales[1] = 0x100; }, "scale 1 (256) is wider than 8 bits");
  expect_rejected(
      e5m2, [](QuantizedTensor& q) { q.codes[9] = 0x7c; }, "code 9 is not a finite e5m2 value");
  expect_rejected(
      nvfp4, [](QuantizedTensor& q) { q.tensor_scale = std::numeric_limits<float>::infinity(); },
      "the tensor scale is not finite");
  expect_rejected(
      nvfp4, [](QuantizedTensor& q) { q.scales[0] = 0x7f; }, "scale 0 is not finite");  // e4m3 NaN
  for (const QuantizedTensor& good : {asym, sym, mxfp4, e5m2, nvfp4}) EXPECT_EQ(input_error_message(good), "");
}

// One scale per group of each row, its short last group included: neither
// the tensor's weights over the group rounded down nor rounded up.
TEST(CheckQuantized, RaggedShapesNeedOneScalePerGroupOfEveryRow) {
  struct Case {
    std::string method;
    int64_t cols;
    int group;
    size_t scales;
    std::vector<size_t> wrong;
  };
  const std::vector<Case> cases = {
      {"rtn-asym", 172, 32, 12, {10, 11, 13}},  // 2 x (5 + 1); 344 / 32 = 10.75
      {"gptq", 172, 128, 4, {2, 3, 5}},         // 2 x (1 + 1); 344 / 128 = 2.7
      {"rtn-sym", 20, 32, 2, {1, 3}},           // a row shorter than a group is one group
      {"mxfp4", 100, 32, 8, {6, 7}},            // 2 x (3 + 1); 200 / 32 = 6.25
      {"nvfp4", 100, 16, 14, {12, 13}},         // 2 x (6 + 1); 200 / 16 = 12.5
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method + " cols " + std::to_string(c.cols));
    const Matrix m = gaussian_matrix(2, c.cols, 161);
    const std::vector<double> h = random_hessian(c.cols, 162);
    const QuantizedTensor good = run(c.method, m, 4, c.group, false, &h).stored;
    ASSERT_EQ(good.scales.size(), c.scales);
    EXPECT_EQ(input_error_message(good), "");
    const std::string prefix = "weights.wsq: quantised tensor (method '" + c.method + "'): ";
    for (const size_t size : c.wrong) {
      QuantizedTensor q = good;
      q.scales.resize(size);
      EXPECT_EQ(input_error_message(q),
                prefix + "scales holds " + std::to_string(size) + " patterns, expected " + std::to_string(c.scales));
      EXPECT_THROW(dequantize(q), InputError);
      if (good.has_zero_point) {
        q = good;
        q.zero_points.resize(size);
        EXPECT_EQ(input_error_message(q), prefix + "zero_points holds " + std::to_string(size) +
                                              " patterns, expected " + std::to_string(c.scales));
      }
    }
  }
}

}  // namespace
}  // namespace ws::golden
