// codebook (golden/quant/codebook): every row meets the floor (measured here),
// looser floors cost fewer bits, rows of tiny or zero weights meet it through
// fp16 outliers, the stored form decodes bit for bit and survives the payload,
// PATTERN=FLOOR overrides reach the tensors they name, and malformed
// codebook tensors are refused.
#include "golden/quant/codebook.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>
#include <vector>

#include "golden/common/error.hpp"
#include "golden/model/llama2_weights.hpp"
#include "golden/quant/index_coding.hpp"
#include "golden/quant/model_quantizer.hpp"
#include "golden/quant/quantized_payload.hpp"
#include "tests/support/malformed_tensor.hpp"

namespace ws::golden {
namespace {

const Llama2Weights& stories260k() {
  static const Llama2Weights w = load_llama2(std::string(WS_MODELS_DIR) + "/stories260K.bin");
  return w;
}

// The worst row's cosine and SQNR (dB), computed here.
std::pair<double, double> worst_row(std::span<const float> w, std::span<const float> q, int64_t cols) {
  double worst_cos = 1, worst_sqnr = INFINITY;
  for (size_t start = 0; start < w.size(); start += static_cast<size_t>(cols)) {
    double xx = 0, yy = 0, xy = 0, dd = 0;
    for (size_t i = start; i < start + static_cast<size_t>(cols); ++i) {
      xx += double{w[i]} * w[i], yy += double{q[i]} * q[i], xy += double{w[i]} * q[i];
      dd += (double{w[i]} - q[i]) * (double{w[i]} - q[i]);
    }
    worst_cos = std::min(worst_cos, xx == 0 || yy == 0 ? (dd == 0 ? 1.0 : 0.0) : xy / std::sqrt(xx * yy));
    worst_sqnr = std::min(worst_sqnr, dd == 0 ? INFINITY : 10 * std::log10(xx / dd));
  }
  return {worst_cos, worst_sqnr};
}

TEST(Codebook, EveryRowMeetsTheFloorAndLooserFloorsCostFewerBits) {
  const Llama2Weights& model = stories260k();
  for (const Matrix* m : {&model.layers[0].wq, &model.layers[2].w2, &model.layers[4].w1}) {
    double previous_bits = INFINITY;
    for (const char* text : {"cos=0.9999", "cos=0.999", "cos=0.99", "cos=0.95"}) {
      const QuantResult r = codebook_quantize(m->values, m->rows, m->cols, vp::parse_quality(text), nullptr);
      const double floor = std::stod(std::string(text).substr(4));
      EXPECT_GE(worst_row(m->values, r.dequantized, m->cols).first, floor) << m->name << " " << text;
      EXPECT_LE(r.stored.bits_per_weight(), previous_bits) << m->name << " " << text;
      previous_bits = r.stored.bits_per_weight();
    }
    const QuantResult r = codebook_quantize(m->values, m->rows, m->cols, vp::parse_quality("sqnr=25dB"), nullptr);
    EXPECT_GE(worst_row(m->values, r.dequantized, m->cols).second, 25.0) << m->name;
  }
}

TEST(Codebook, RowsOfTinyOrZeroWeightsMeetTheFloorThroughOutliers) {
  const int64_t rows = 8, cols = 64;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0.0, 0.02);
  std::vector<float> w(static_cast<size_t>(rows * cols));
  for (float& v : w) v = static_cast<float>(normal(rng));
  for (int64_t c = 0; c < cols; ++c) {
    w[2 * cols + c] *= 1e-4f;  // a row far below the others
    w[5 * cols + c] = 0.0f;    // an all-zero row
  }
  const QuantResult r = codebook_quantize(w, rows, cols, vp::parse_quality("cos=0.999"), nullptr);
  EXPECT_GE(worst_row(w, r.dequantized, cols).first, 0.999);
  int in_tiny_row = 0;
  for (uint32_t i : r.stored.outlier_index) in_tiny_row += i / cols == 2;
  EXPECT_GT(in_tiny_row, 0);
}

TEST(Codebook, StoredFormIsTheReconstructionBitForBitThroughThePayload) {
  const Llama2Weights& model = stories260k();
  for (const Matrix* m : {&model.layers[1].wk, &model.layers[3].w3}) {
    for (const char* text : {"cos=0.99", "sqnr=30dB"}) {
      const QuantResult r = codebook_quantize(m->values, m->rows, m->cols, vp::parse_quality(text), nullptr);
      SCOPED_TRACE(m->name + " " + text);
      EXPECT_NO_THROW(check_quantized(r.stored, "test"));
      const std::vector<float> decoded = dequantize(r.stored);
      for (size_t i = 0; i < decoded.size(); ++i) {
        ASSERT_EQ(std::bit_cast<uint32_t>(decoded[i]), std::bit_cast<uint32_t>(r.dequantized[i])) << "weight " << i;
      }
      QuantizedTensor back = r.stored;  // as the container reader leaves it: counts known, contents not
      std::ranges::fill(back.codes, 0u);
      std::ranges::fill(back.scales, 0u);
      std::ranges::fill(back.outlier_index, 0u);
      std::ranges::fill(back.outlier_value, 0u);
      const std::vector<uint8_t> payload = pack_quantized(r.stored);
      ASSERT_EQ(payload.size(), quantized_payload_bytes(r.stored));
      unpack_quantized(payload, back, "t");
      EXPECT_EQ(back.codes, r.stored.codes);
      EXPECT_EQ(back.scales, r.stored.scales);
      EXPECT_EQ(back.outlier_index, r.stored.outlier_index);
      EXPECT_EQ(back.outlier_value, r.stored.outlier_value);
      // Every stored bit: indices, fp16 entries of every codebook, outlier positions (ceil log2 of the
      // size) and fp16 values, and a codebook choice per 128 weights of a row when there are several.
      const double position_bits = std::ceil(std::log2(static_cast<double>(m->values.size())));
      const double choices = static_cast<double>(m->rows * ((m->cols + 127) / 128)) *
                             (r.stored.codebooks > 1 ? std::ceil(std::log2(r.stored.codebooks)) : 0.0);
      // The indices at log2 K bits each, or their tANS table and lane.
      const double index_bits = r.stored.index_table_log != 0
                                    ? 8.0 * static_cast<double>(r.stored.index_table_bytes + r.stored.index_lane_bytes)
                                    : static_cast<double>(m->values.size()) * r.stored.code_bits;
      EXPECT_DOUBLE_EQ(r.stored.bits_per_weight(),
                       (index_bits + 16.0 * r.stored.group * r.stored.codebooks +
                        static_cast<double>(r.stored.outlier_index.size()) * (position_bits + 16) + choices) /
                           static_cast<double>(m->values.size()));
      EXPECT_EQ(back.group_codebook, r.stored.group_codebook);
    }
  }
}

// Rows of two scales 40x apart: one codebook spends its entries on the wide
// rows or many outliers on the narrow ones; a library of codebooks, one
// chosen per 128 weights, costs fewer bits.
TEST(Codebook, ALibraryOfCodebooksServesRowsOfDifferentScales) {
  const int64_t rows = 64, cols = 128;
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  std::vector<float> w(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows * cols; ++i) w[i] = static_cast<float>(normal(rng) * (i / cols % 2 ? 0.0005 : 0.02));
  const QuantResult r = codebook_quantize(w, rows, cols, vp::parse_quality("cos=0.995"), nullptr);
  EXPECT_GT(r.stored.codebooks, 1);
  EXPECT_GE(worst_row(w, r.dequantized, cols).first, 0.995);
  EXPECT_NO_THROW(check_quantized(r.stored, "t"));
  EXPECT_EQ(dequantize(r.stored), r.dequantized);
}

// Indices of a skewed distribution code below log2 K bits each and decode
// back; uniform ones are left raw; a lane cut short is refused.
TEST(Codebook, IndicesAreTansCodedWhereThatPays) {
  std::mt19937_64 rng(5);
  std::geometric_distribution<int> geometric(0.3);
  std::vector<uint32_t> skewed(20000), uniform(20000);
  for (uint32_t& i : skewed) i = static_cast<uint32_t>(std::min(geometric(rng), 15));
  for (uint32_t& i : uniform) i = static_cast<uint32_t>(rng() % 16);
  const std::optional<CodedIndices> coded = code_indices(skewed, 16, 4);
  ASSERT_TRUE(coded.has_value());
  EXPECT_LT(coded->bytes(), skewed.size() * 4 / 8);
  EXPECT_EQ(decode_indices(coded->table_log, coded->table, coded->lane, 16, skewed.size(), "t"), skewed);
  EXPECT_FALSE(code_indices(uniform, 16, 4).has_value());
  const std::vector<uint8_t> short_lane(coded->lane.begin(), coded->lane.end() - 1);
  EXPECT_THROW(decode_indices(coded->table_log, coded->table, short_lane, 16, skewed.size(), "t"), InputError);
  // On stories260K's matrices the indices pay for their table.
  const Llama2Weights& model = stories260k();
  int coded_matrices = 0;
  for (const Matrix* m : {&model.layers[0].wq, &model.layers[1].w1, &model.layers[2].w2, &model.layers[3].wo}) {
    const QuantResult r = codebook_quantize(m->values, m->rows, m->cols, vp::parse_quality("cos=0.99"), nullptr);
    coded_matrices += r.stored.index_table_log != 0;
    EXPECT_EQ(dequantize(r.stored), r.dequantized) << m->name;
  }
  EXPECT_GT(coded_matrices, 0);
  RecordProperty("coded_matrices_of_4", coded_matrices);
}

TEST(Codebook, PatternFloorsReachTheTensorsTheyName) {
  const Matrix& wq = stories260k().layers[0].wq;
  QuantRequest request{"codebook", 0, 0};
  request.quality = "cos=0.99";
  request.quality_for = {"layers.*.wk=cos=0.9999", "layers.0.w*=cos=0.999"};
  const QuantResult strict = quantize_matrix(request, "layers.0.wq", wq.values, wq.rows, wq.cols, nullptr);
  const QuantResult lazy = quantize_matrix(request, "layers.1.wq", wq.values, wq.rows, wq.cols, nullptr);
  EXPECT_GE(worst_row(wq.values, strict.dequantized, wq.cols).first, 0.999);
  EXPECT_GT(strict.stored.bits_per_weight(), lazy.stored.bits_per_weight());
  EXPECT_THROW(quantize({"codebook", 0, 0}, wq.values, wq.rows, wq.cols, nullptr), std::invalid_argument);
}

TEST(Codebook, MalformedCodebookTensorsAreRefused) {
  const Matrix& m = stories260k().layers[0].wv;
  const QuantizedTensor good =
      codebook_quantize(m.values, m.rows, m.cols, vp::parse_quality("cos=0.999"), nullptr).stored;
  ASSERT_FALSE(good.outlier_index.empty());
  const test::Malformation cases[] = {
      {"an index beyond the codebook",
       [](QuantizedTensor& q) {
         q.group = (1 << q.code_bits) - 1;
         q.scales.pop_back();
         q.codes[0] = static_cast<uint32_t>(q.group);
       }},
      {"a codebook larger than its indices reach", [](QuantizedTensor& q) { q.group = (1 << q.code_bits) + 1; }},
      {"outliers out of order", [](QuantizedTensor& q) { q.outlier_index.push_back(0), q.outlier_value.push_back(0); }},
      {"an infinite outlier", [](QuantizedTensor& q) { q.outlier_value[0] = 0x7c00; }},
      {"one outlier value missing", [](QuantizedTensor& q) { q.outlier_value.pop_back(); }},
      {"outliers on an integer tensor", [](QuantizedTensor& q) { q.code_kind = CodeKind::SignedInt; }},
      {"an index table log of 4", [](QuantizedTensor& q) { q.index_table_log = 4; }},
      {"raw indices with coded sizes",
       [](QuantizedTensor& q) {
         q.index_table_log = 0;
         q.index_lane_bytes = 7;
       }},
      {"a library without its choices",
       [](QuantizedTensor& q) {
         q.codebooks = 2;
         q.scales.resize(q.scales.size() * 2, 0);
       }},
      {"a choice beyond the library",
       [](QuantizedTensor& q) {
         q.codebooks = 2;
         q.scales.resize(q.scales.size() * 2, 0);
         q.group_codebook.assign(static_cast<size_t>(q.library_groups()), 2);
       }},
  };
  test::expect_each_refused(good, cases);
}

}  // namespace
}  // namespace ws::golden
