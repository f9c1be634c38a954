// sfmp (golden/quant/sfmp): the average code width meets the target (exactly
// when the blocks are of one size), the most salient blocks get the ceiling,
// the orders sort rows and columns by salience computed here, the stored form
// decodes bit for bit to the method's reconstruction and survives the
// payload, the orders undone at inference leave the fp32 model's logits
// unchanged, and malformed mixed-width tensors are refused.
#include "golden/quant/sfmp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <random>
#include <vector>

#include "golden/common/error.hpp"
#include "golden/model/llama2_forward.hpp"
#include "golden/quant/model_quantizer.hpp"
#include "golden/quant/quantized_payload.hpp"
#include "tests/support/malformed_tensor.hpp"

namespace ws::golden {
namespace {

const Llama2Weights& stories260k() {
  static const Llama2Weights w = load_llama2(std::string(WS_MODELS_DIR) + "/stories260K.bin");
  return w;
}

std::vector<float> heavy_tailed(int64_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::student_t_distribution<double> t3(3.0);
  std::vector<float> w(static_cast<size_t>(count));
  for (float& v : w) v = static_cast<float>(0.01 * t3(rng));
  return w;
}

std::vector<double> diagonal_hessian(int64_t cols, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.1, 10.0);
  std::vector<double> h(static_cast<size_t>(cols * cols), 0.0);
  for (int64_t j = 0; j < cols; ++j) h[j * cols + j] = u(rng);
  return h;
}

double average_code_bits(const QuantizedTensor& q) {
  return static_cast<double>(q.code_bits_total()) / static_cast<double>(q.size());
}

TEST(Sfmp, AverageCodeWidthMeetsTheTarget) {
  // Blocks of one size: exact.
  for (const auto& [rows, cols, target] :
       {std::tuple<int64_t, int64_t, double>{64, 64, 2.5}, {172, 64, 2.25}, {172, 64, 3.75}, {1024, 512, 2.3125}}) {
    const QuantResult r = sfmp_quantize(heavy_tailed(rows * cols, 1), rows, cols, target, 32, nullptr);
    EXPECT_DOUBLE_EQ(average_code_bits(r.stored), target) << rows << "x" << cols << " at " << target;
  }
  // Blocks of several sizes (172 columns: 64, 64, 44): at or under the target, within the largest block.
  const QuantResult r = sfmp_quantize(heavy_tailed(64 * 172, 2), 64, 172, 2.5, 32, nullptr);
  EXPECT_LE(average_code_bits(r.stored), 2.5);
  EXPECT_GT(average_code_bits(r.stored), 2.5 - 16.0 * 64 / (64 * 172));
  EXPECT_EQ(sfmp_blocks(4096, 11008, 32).rows, 512);
  EXPECT_EQ(sfmp_blocks(4096, 11008, 32).cols, 128);
  // Every stored bit: codes, fp16 scales, a byte per block, the two orders.
  const QuantizedTensor& q = r.stored;
  EXPECT_DOUBLE_EQ(q.bits_per_weight(), (static_cast<double>(q.code_bits_total()) + 16.0 * q.groups() +
                                         8.0 * q.blocks() + 64 * 6 + 172 * 8) /
                                            (64 * 172));
}

TEST(Sfmp, TheOrdersSortBySalienceAndTheMostSalientBlocksGetTheCeiling) {
  const int64_t rows = 64, cols = 64;
  const std::vector<float> w = heavy_tailed(rows * cols, 3);
  const std::vector<double> h = diagonal_hessian(cols, 4);
  const QuantResult r = sfmp_quantize(w, rows, cols, 2.5, 32, &h);
  const QuantizedTensor& q = r.stored;
  auto salience = [&](int64_t i, int64_t j) { return double{w[i * cols + j]} * w[i * cols + j] * h[j * cols + j]; };
  for (int64_t k = 1; k < rows; ++k) {
    double previous = 0, current = 0;
    for (int64_t j = 0; j < cols; ++j)
      previous += salience(q.row_order[k - 1], j), current += salience(q.row_order[k], j);
    EXPECT_GE(previous, current) << "row order at " << k;
  }
  for (int64_t k = 1; k < cols; ++k) {
    double previous = 0, current = 0;
    for (int64_t i = 0; i < rows; ++i)
      previous += salience(i, q.col_order[k - 1]), current += salience(i, q.col_order[k]);
    EXPECT_GE(previous, current) << "column order at " << k;
  }
  std::vector<double> block_salience(static_cast<size_t>(q.blocks()), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      block_salience[r / q.block_rows * q.block_grid_cols() + c / q.block_cols] +=
          salience(q.row_order[r], q.col_order[c]);
    }
  }
  double least_ceiling = INFINITY, most_floor = 0;
  for (size_t b = 0; b < block_salience.size(); ++b) {
    if (q.block_bits[b] == 3) least_ceiling = std::min(least_ceiling, block_salience[b]);
    if (q.block_bits[b] == 2) most_floor = std::max(most_floor, block_salience[b]);
  }
  EXPECT_GT(least_ceiling, most_floor);
  // The top-left block (most salient rows and columns) is at the ceiling.
  EXPECT_EQ(q.block_bits[0], 3);
}

TEST(Sfmp, StoredFormIsTheReconstructionBitForBitThroughThePayload) {
  const Llama2Weights& model = stories260k();
  for (const Matrix* m : {&model.layers[0].wq, &model.layers[1].w2, &model.layers[3].w1}) {
    for (double target : {2.0, 2.5, 3.3, 7.5}) {
      const QuantResult r = sfmp_quantize(m->values, m->rows, m->cols, target, 32, nullptr);
      SCOPED_TRACE(m->name + " at " + std::to_string(target));
      EXPECT_NO_THROW(check_quantized(r.stored, "test"));
      const std::vector<float> decoded = dequantize(r.stored);
      for (size_t i = 0; i < decoded.size(); ++i) {
        ASSERT_EQ(std::bit_cast<uint32_t>(decoded[i]), std::bit_cast<uint32_t>(r.dequantized[i])) << "weight " << i;
      }
      QuantizedTensor back = r.stored;
      back.codes.clear();
      back.scales.clear();
      back.row_order.clear();
      back.col_order.clear();
      const std::vector<uint8_t> payload = pack_quantized(r.stored);
      ASSERT_EQ(payload.size(), quantized_payload_bytes(r.stored));
      unpack_quantized(payload, back, "t");
      EXPECT_EQ(back.codes, r.stored.codes);
      EXPECT_EQ(back.scales, r.stored.scales);
      EXPECT_EQ(back.row_order, r.stored.row_order);
      EXPECT_EQ(back.col_order, r.stored.col_order);
    }
  }
  const QuantResult a = sfmp_quantize(model.layers[2].w3.values, 172, 64, 2.5, 32, nullptr);
  const QuantResult b = sfmp_quantize(model.layers[2].w3.values, 172, 64, 2.5, 32, nullptr);
  EXPECT_EQ(a.stored.codes, b.stored.codes);
  EXPECT_EQ(a.stored.block_bits, b.stored.block_bits);
}

double relative_difference(const Llama2Weights& w, LinearBackend* backend) {
  Llama2Forward reference(stories260k(), 1), candidate(w, 1, backend);
  double largest = 0, difference = 0;
  for (int pos = 0, token = 1; pos < 48; ++pos, token = (pos * 53 + 7) % 512) {
    const std::span<const float> a = reference.step(std::span<const int>(&token, 1), pos);
    const std::span<const float> b = candidate.step(std::span<const int>(&token, 1), pos);
    for (size_t i = 0; i < a.size(); ++i) {
      largest = std::max(largest, std::abs(double{a[i]}));
      difference = std::max(difference, std::abs(double{a[i]} - b[i]));
    }
  }
  return difference / largest;
}

// The orders alone, undone at inference (gather the input, scatter the
// output), leave the fp32 model; the stored sfmp model runs the same way.
TEST(Sfmp, TheOrdersUndoneAtInferenceLeaveTheModelsLogits) {
  const Llama2Weights& model = stories260k();
  const Hessians hessians = collect_hessians(model, 2, 32, 1000004);
  Llama2Weights copy = model;
  std::map<std::string, SfmpOrder> orders;
  for (const Matrix* m : copy.matrices(false)) {
    orders[m->name] = sfmp_order(m->values, m->rows, m->cols, &hessians.at(m->name));
    EXPECT_FALSE(std::ranges::is_sorted(orders[m->name].rows) && std::ranges::is_sorted(orders[m->name].cols))
        << m->name << ": the order is the identity";
  }
  PermutedLinear permuted(orders);
  const double difference = relative_difference(model, &permuted);
  EXPECT_LT(difference, 1e-5);
  RecordProperty("permutation_alone", std::to_string(difference));
  // An order that is not a permutation (one input read twice) is not the model.
  std::map<std::string, SfmpOrder> broken = orders;
  broken["layers.0.wq"].cols[0] = broken["layers.0.wq"].cols[5];
  PermutedLinear wrong(broken);
  EXPECT_GT(relative_difference(model, &wrong), 1e-4);
}

TEST(Sfmp, MalformedMixedWidthTensorsAreRefused) {
  const QuantizedTensor good = sfmp_quantize(heavy_tailed(32 * 64, 9), 32, 64, 2.5, 32, nullptr).stored;
  const test::Malformation cases[] = {
      {"a block width above code_bits", [](QuantizedTensor& q) { q.block_bits[0] = 4; }},
      {"a block width of 1", [](QuantizedTensor& q) { q.block_bits[0] = 1; }},
      {"one block width missing", [](QuantizedTensor& q) { q.block_bits.pop_back(); }},
      {"blocks of part of a group", [](QuantizedTensor& q) { q.block_cols = 16; }},
      {"a row read twice", [](QuantizedTensor& q) { q.row_order[1] = q.row_order[0]; }},
      {"a column order too short", [](QuantizedTensor& q) { q.col_order.pop_back(); }},
      {"a code wider than its block",
       [](QuantizedTensor& q) {
         for (size_t i = 0; i < q.codes.size(); ++i) {
           if (q.code_width(static_cast<int64_t>(i)) == 2) {
             q.codes[i] = 4;
             return;
           }
         }
       }},
      {"orders on a plain integer tensor", [](QuantizedTensor& q) { q.code_kind = CodeKind::SignedInt; }},
  };
  test::expect_each_refused(good, cases);
}

}  // namespace
}  // namespace ws::golden
