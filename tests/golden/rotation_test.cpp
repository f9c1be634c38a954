// Rotations before quantisation (golden/quant/butterfly, model_rotation):
// the butterfly at its starting point is the Sylvester Hadamard matrix
// (built here from its closed form, entry (i, j) = (-1)^popcount(i & j)),
// orthogonal at any angles, block-diagonal for sizes that are not powers of
// two, its angle gradient agrees with finite differences; folding and
// rotating stories260K leaves its fp32 logits unchanged; the fit lowers the
// quantisation error and is deterministic; the llama2.c writer that stores a
// rotated model rebuilds an unchanged one byte for byte.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "golden/model/llama2_forward.hpp"
#include "golden/model/llama2c_writer.hpp"
#include "golden/quant/butterfly.hpp"
#include "golden/quant/model_rotation.hpp"

namespace ws::golden {
namespace {

const Llama2Weights& stories260k() {
  static const Llama2Weights w = load_llama2(std::string(WS_MODELS_DIR) + "/stories260K.bin");
  return w;
}

void randomise_angles(Butterfly& b, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> angle(-3.2, 3.2);
  for (double& a : b.angles()) a = angle(rng);
}

TEST(Butterfly, StartsAtTheSylvesterHadamardMatrixTimesTheSigns) {
  for (int64_t n : {1, 2, 8, 64, 256}) {
    const Butterfly b(n, 7);
    const std::vector<double> r = b.matrix();
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        const double expected = (std::popcount(static_cast<uint64_t>(i & j)) % 2 ? -1.0 : 1.0) * b.signs()[j] /
                                std::sqrt(static_cast<double>(n));
        ASSERT_NEAR(r[i * n + j], expected, 1e-14) << "n " << n << " entry " << i << "," << j;
      }
    }
  }
}

TEST(Butterfly, IsBlockDiagonalWhenTheSizeIsNotAPowerOfTwo) {
  for (int64_t n : {172, 12, 3}) {
    Butterfly b(n, 3);
    randomise_angles(b, 11);
    const int64_t block = n & -n;
    EXPECT_EQ(b.block(), block);
    const std::vector<double> r = b.matrix();
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        if (i / block != j / block) {
          ASSERT_EQ(r[i * n + j], 0.0) << "n " << n << " entry " << i << "," << j;
        }
      }
    }
  }
}

TEST(Butterfly, IsOrthogonalAtAnyAnglesAndApplyIsTheMatrix) {
  for (int64_t n : {64, 172, 96}) {
    Butterfly b(n, 5);
    randomise_angles(b, 17 + n);
    const std::vector<double> r = b.matrix();
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double dot = 0;
        for (int64_t k = 0; k < n; ++k) dot += r[i * n + k] * r[j * n + k];
        ASSERT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-12) << "n " << n << " rows " << i << "," << j;
      }
    }
    std::mt19937_64 rng(n);
    std::normal_distribution<double> normal;
    std::vector<double> x(static_cast<size_t>(n)), y;
    for (double& v : x) v = normal(rng);
    y = x;
    b.apply(y);
    for (int64_t i = 0; i < n; ++i) {
      double expected = 0;
      for (int64_t k = 0; k < n; ++k) expected += r[i * n + k] * x[k];
      ASSERT_NEAR(y[i], expected, 1e-12) << "n " << n << " element " << i;
    }
  }
}

// loss(R) = sum G o R + 0.5 sum (R o R o C): linear and quadratic parts.
TEST(Butterfly, AngleGradientAgreesWithFiniteDifferences) {
  for (int64_t n : {16, 12}) {
    Butterfly b(n, 9);
    randomise_angles(b, 23);
    std::mt19937_64 rng(29);
    std::normal_distribution<double> normal;
    std::vector<double> g(static_cast<size_t>(n * n)), c(g.size());
    for (double& v : g) v = normal(rng);
    for (double& v : c) v = normal(rng);
    auto loss = [&](const Butterfly& at) {
      const std::vector<double> r = at.matrix();
      double sum = 0;
      for (size_t i = 0; i < r.size(); ++i) sum += g[i] * r[i] + 0.5 * c[i] * r[i] * r[i];
      return sum;
    };
    const std::vector<double> r = b.matrix();
    std::vector<double> d_r(r.size());
    for (size_t i = 0; i < r.size(); ++i) d_r[i] = g[i] + c[i] * r[i];
    const std::vector<double> analytic = b.angle_gradient(d_r);
    ASSERT_EQ(analytic.size(), b.angles().size());
    for (size_t p = 0; p < analytic.size(); ++p) {
      Butterfly plus = b, minus = b;
      plus.angles()[p] += 1e-6;
      minus.angles()[p] -= 1e-6;
      const double numeric = (loss(plus) - loss(minus)) / 2e-6;
      ASSERT_NEAR(analytic[p], numeric, 1e-6 * (1 + std::abs(numeric))) << "n " << n << " angle " << p;
    }
  }
}

// Logits of a fixed token sequence, every position.
std::vector<float> logits_of(const Llama2Weights& w, int positions) {
  Llama2Forward forward(w, 1);
  std::vector<float> all;
  int token = 1;
  for (int pos = 0; pos < positions; ++pos) {
    const std::span<const float> logits = forward.step(std::span<const int>(&token, 1), pos);
    all.insert(all.end(), logits.begin(), logits.end());
    token = (pos * 37 + 11) % w.config.vocab_size;
  }
  return all;
}

double relative_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double largest = 0, difference = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    largest = std::max(largest, std::abs(double{a[i]}));
    difference = std::max(difference, std::abs(double{a[i]} - b[i]));
  }
  return difference / largest;
}

TEST(ModelRotation, FoldingAndRotatingKeepTheFp32ModelsLogits) {
  const Llama2Weights& reference = stories260k();
  constexpr int kPositions = 48;
  const std::vector<float> expected = logits_of(reference, kPositions);
  const Llama2Weights folded = fold_norms(reference);
  EXPECT_FALSE(folded.config.shared_classifier);
  const Llama2Weights values = rotate_values(folded, Butterfly(reference.config.dim / reference.config.n_heads, 2));
  Butterfly learned_like(reference.config.dim, 1);
  randomise_angles(learned_like, 31);
  const struct {
    const char* what;
    Llama2Weights w;
  } cases[] = {{"folded norms", folded},
               {"values rotated", values},
               {"residual Hadamard", rotate_residual(values, Butterfly(reference.config.dim, 1))},
               {"residual butterfly at random angles", rotate_residual(values, learned_like)}};
  for (const auto& c : cases) {
    const double difference = relative_difference(expected, logits_of(c.w, kPositions));
    EXPECT_LT(difference, 1e-5) << c.what;
    RecordProperty(c.what, std::to_string(difference));
  }
  // The rotation changed the weights, not just the function's value.
  EXPECT_NE(cases[2].w.layers[0].wq.values, folded.layers[0].wq.values);
}

TEST(ModelRotation, RotatingTheResidualNeedsFoldedNormsAndMatchingSizes) {
  const Llama2Weights& reference = stories260k();
  EXPECT_THROW(rotate_residual(reference, Butterfly(reference.config.dim, 1)), std::invalid_argument);
  EXPECT_THROW(rotate_residual(fold_norms(reference), Butterfly(reference.config.dim / 2, 1)), std::invalid_argument);
  EXPECT_THROW(rotate_values(fold_norms(reference), Butterfly(3, 1)), std::invalid_argument);
}

TEST(ModelRotation, TheButterflyFitLowersTheQuantisationErrorDeterministically) {
  const Llama2Weights& reference = stories260k();
  const Llama2Weights prepared = rotate_values(fold_norms(reference), Butterfly(reference.config.dim / 8, 2));
  const Hessians hessians = collect_hessians(prepared, 4, 64, 1000004);
  const QuantRequest rtn3{"rtn-sym", 3, 32, false};
  RotationFit fit;
  fit.iterations = 40;
  RotationFitReport first, second;
  const Butterfly a = fit_butterfly(prepared, hessians, rtn3, false, Butterfly(reference.config.dim, 1), fit, &first);
  const Butterfly b = fit_butterfly(prepared, hessians, rtn3, false, Butterfly(reference.config.dim, 1), fit, &second);
  EXPECT_EQ(std::vector<double>(a.angles().begin(), a.angles().end()),
            std::vector<double>(b.angles().begin(), b.angles().end()));
  EXPECT_EQ(first.end_error, second.end_error);
  EXPECT_GT(first.best_iteration, 0);
  EXPECT_LT(first.end_error, 0.97 * first.start_error)
      << "start " << first.start_error << " end " << first.end_error << " at iteration " << first.best_iteration;
  RecordProperty("start_error", std::to_string(first.start_error));
  RecordProperty("end_error", std::to_string(first.end_error));
}

TEST(Llama2cWriter, RebuildsTheCheckpointItWasReadFromByteForByte) {
  const std::string path = std::string(WS_MODELS_DIR) + "/stories260K.bin";
  const Llama2Model original = read_llama2c(path);
  const Llama2Model rebuilt = llama2c_model(stories260k(), original.layout);
  EXPECT_EQ(rebuilt.layout.file_size, original.layout.file_size);
  EXPECT_EQ(rebuilt.layout.file_crc, original.layout.file_crc);
  ASSERT_EQ(rebuilt.tensors.size(), original.tensors.size());
  for (size_t i = 0; i < rebuilt.tensors.size(); ++i) EXPECT_TRUE(rebuilt.tensors[i] == original.tensors[i]) << i;
  // Untied: one more tensor, after the RoPE tables, and a negative vocab_size.
  const Llama2Model untied = llama2c_model(fold_norms(stories260k()), original.layout);
  EXPECT_EQ(untied.tensors.size(), original.tensors.size() + 1);
  EXPECT_EQ(untied.tensors.back().name, "wcls");
  EXPECT_TRUE(untied.layout.segments.back().is_tensor);
  int32_t vocab = 0;
  std::memcpy(&vocab, untied.layout.segments.front().bytes.data() + 20, sizeof vocab);
  EXPECT_EQ(vocab, -stories260k().config.vocab_size);
}

}  // namespace
}  // namespace ws::golden
