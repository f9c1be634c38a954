// dbf and onebit (golden/quant/binary_factors): the middle dimension meets
// the target bits by the formula written out here; the stored form decodes
// bit for bit to the method's own reconstruction and survives the container
// payload; two sign-matrix products equal the dense dequantised product; the
// fit is deterministic, its error falls as bits rise, importance weights
// move the error off the columns they weigh; malformed factored tensors are
// refused.
#include "golden/quant/binary_factors.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <vector>

#include "golden/common/error.hpp"
#include "golden/model/llama2_weights.hpp"
#include "golden/quant/quantized_payload.hpp"
#include "tests/support/malformed_tensor.hpp"

namespace ws::golden {
namespace {

const Llama2Weights& stories260k() {
  static const Llama2Weights w = load_llama2(std::string(WS_MODELS_DIR) + "/stories260K.bin");
  return w;
}

// Every stored bit per weight with middle dimension k: the signs of A and B
// and the fp16 scales a, m, b.
double dbf_bits(int64_t rows, int64_t cols, int64_t k) {
  return (static_cast<double>(k) * (rows + cols) + 16.0 * (rows + k + cols)) / (static_cast<double>(rows) * cols);
}

std::vector<float> gaussian(int64_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 0.02);
  std::vector<float> w(static_cast<size_t>(count));
  for (float& v : w) v = static_cast<float>(normal(rng));
  return w;
}

double sqnr_db(std::span<const float> w, std::span<const float> q) {
  double s = 0, n = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    s += double{w[i]} * w[i];
    n += (double{w[i]} - q[i]) * (double{w[i]} - q[i]);
  }
  return 10 * std::log10(s / n);
}

std::vector<uint32_t> bits_of(std::span<const float> v) {
  std::vector<uint32_t> b;
  for (float x : v) b.push_back(std::bit_cast<uint32_t>(x));
  return b;
}

TEST(Dbf, MiddleDimensionIsTheLargestThatMeetsTheTarget) {
  for (const auto& [rows, cols] :
       {std::pair<int64_t, int64_t>{64, 64}, {172, 64}, {64, 172}, {512, 64}, {4096, 11008}}) {
    for (double target : {1.0, 1.5, 2.0, 2.3, 3.0}) {
      const int64_t k = dbf_middle_dimension(rows, cols, target);
      ASSERT_GE(k, 1) << rows << "x" << cols << " at " << target;
      EXPECT_LE(dbf_bits(rows, cols, k), target) << rows << "x" << cols << " at " << target;
      EXPECT_GT(dbf_bits(rows, cols, k + 1), target) << rows << "x" << cols << " at " << target;
    }
  }
  EXPECT_EQ(dbf_middle_dimension(64, 64, 0.5), 0) << "the scales alone take 0.5 bits per weight";
  const std::vector<float> w = gaussian(64 * 64, 1);
  EXPECT_THROW(dbf_quantize(w, 64, 64, 0.5, nullptr), std::invalid_argument);
  const QuantResult r = dbf_quantize(w, 64, 64, 1.5, nullptr);
  EXPECT_EQ(r.stored.group, dbf_middle_dimension(64, 64, 1.5));
  EXPECT_DOUBLE_EQ(r.stored.bits_per_weight(), dbf_bits(64, 64, r.stored.group));
  const QuantResult one = onebit_quantize(gaussian(172 * 64, 2), 172, 64, nullptr);
  EXPECT_DOUBLE_EQ(one.stored.bits_per_weight(), 1 + 16.0 * (172 + 64) / (172 * 64));
}

TEST(Dbf, StoredFormIsTheReconstructionBitForBitThroughThePayload) {
  const Llama2Weights& model = stories260k();
  for (const Matrix* m : {&model.layers[0].wq, &model.layers[1].w2, &model.layers[3].w1}) {
    for (int method = 0; method < 3; ++method) {
      const QuantResult r = method == 2 ? onebit_quantize(m->values, m->rows, m->cols, nullptr)
                                        : dbf_quantize(m->values, m->rows, m->cols, method == 0 ? 1.0 : 2.3, nullptr);
      SCOPED_TRACE(m->name + " " + r.stored.method);
      EXPECT_NO_THROW(check_quantized(r.stored, "test"));
      EXPECT_EQ(bits_of(dequantize(r.stored)), bits_of(r.dequantized));
      QuantizedTensor back = r.stored;
      back.codes.clear();
      back.scales.clear();
      const std::vector<uint8_t> payload = pack_quantized(r.stored);
      ASSERT_EQ(payload.size(), quantized_payload_bytes(r.stored));
      unpack_quantized(payload, back, "t");
      EXPECT_EQ(back.codes, r.stored.codes);
      EXPECT_EQ(back.scales, r.stored.scales);
    }
  }
}

TEST(Dbf, TwoSignMatrixProductsEqualTheDenseDequantisedProduct) {
  const Llama2Weights& model = stories260k();
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  for (const Matrix* m : {&model.layers[2].wk, &model.layers[2].w2}) {
    for (const QuantResult& r : {dbf_quantize(m->values, m->rows, m->cols, 2.0, nullptr),
                                 onebit_quantize(m->values, m->rows, m->cols, nullptr)}) {
      const std::vector<float> dense = dequantize(r.stored);
      for (int trial = 0; trial < 4; ++trial) {
        std::vector<double> x(static_cast<size_t>(m->cols));
        for (double& v : x) v = normal(rng);
        const std::vector<double> y = binary_factor_apply(r.stored, x);
        for (int64_t i = 0; i < m->rows; ++i) {
          double expected = 0, magnitude = 0;
          for (int64_t j = 0; j < m->cols; ++j) {
            expected += double{dense[i * m->cols + j]} * x[j];
            magnitude += std::abs(double{dense[i * m->cols + j]} * x[j]);
          }
          // The dense weights are rounded to fp32 (2^-24 each); the rest is double rounding.
          ASSERT_NEAR(y[i], expected, magnitude * (0x1p-24 + 1e-12))
              << r.stored.method << " " << m->name << " trial " << trial << " row " << i;
        }
      }
    }
  }
}

TEST(Dbf, FitIsDeterministicAndItsErrorFallsAsBitsRise) {
  const Matrix& m = stories260k().layers[4].w3;
  const QuantResult a = dbf_quantize(m.values, m.rows, m.cols, 1.5, nullptr);
  const QuantResult b = dbf_quantize(m.values, m.rows, m.cols, 1.5, nullptr);
  EXPECT_EQ(a.stored.codes, b.stored.codes);
  EXPECT_EQ(a.stored.scales, b.stored.scales);
  double previous = -INFINITY;
  for (double target : {1.0, 1.5, 2.0, 3.0}) {
    const double sqnr = sqnr_db(m.values, dbf_quantize(m.values, m.rows, m.cols, target, nullptr).dequantized);
    EXPECT_GT(sqnr, previous + 1.0) << "at " << target << " bits per weight";
    previous = sqnr;
  }
}

// The first 8 columns weigh 100 times more: their error falls against the unweighted fit's.
TEST(Dbf, ImportanceWeightsMoveTheErrorOffTheColumnsTheyWeigh) {
  const int64_t rows = 96, cols = 64;
  const std::vector<float> w = gaussian(rows * cols, 5);
  std::vector<double> h(static_cast<size_t>(cols * cols), 0.0);
  for (int64_t j = 0; j < cols; ++j) h[j * cols + j] = j < 8 ? 100.0 : 1.0;
  auto heavy_column_error = [&](const std::vector<float>& q) {
    double e = 0;
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < 8; ++j) e += std::pow(double{w[i * cols + j]} - q[i * cols + j], 2);
    }
    return e;
  };
  EXPECT_LT(heavy_column_error(dbf_quantize(w, rows, cols, 2.0, &h).dequantized),
            0.8 * heavy_column_error(dbf_quantize(w, rows, cols, 2.0, nullptr).dequantized));
  EXPECT_LT(heavy_column_error(onebit_quantize(w, rows, cols, &h).dequantized),
            heavy_column_error(onebit_quantize(w, rows, cols, nullptr).dequantized));
}

TEST(Dbf, MalformedFactoredTensorsAreRefused) {
  const QuantizedTensor good = dbf_quantize(gaussian(32 * 48, 9), 32, 48, 2.0, nullptr).stored;
  const test::Malformation cases[] = {
      {"two-bit signs", [](QuantizedTensor& q) { q.code_bits = 2; }},
      {"a sign wider than its bit", [](QuantizedTensor& q) { q.codes[3] = 2; }},
      {"one code missing", [](QuantizedTensor& q) { q.codes.pop_back(); }},
      {"one scale missing", [](QuantizedTensor& q) { q.scales.pop_back(); }},
      {"an e8m0 scale", [](QuantizedTensor& q) { q.scale_kind = ScaleKind::E8M0; }},
      {"a zero point",
       [](QuantizedTensor& q) {
         q.has_zero_point = true;
         q.zero_points.assign(q.scales.size(), 0);
       }},
      {"an infinite scale", [](QuantizedTensor& q) { q.scales[0] = 0x7c00; }},
      {"k above rows * cols", [](QuantizedTensor& q) { q.group = static_cast<int>(q.size()) + 1; }},
  };
  test::expect_each_refused(good, cases);
}

}  // namespace
}  // namespace ws::golden
