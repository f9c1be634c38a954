// The golden llama2 forward pass and generation: checked against a
// straightforward double-precision reference written here from the llama2.c
// file layout (its own reader, the file's RoPE tables rather than computed
// angles, no shared code), for determinism across runs and batch sizes, and
// on the container path.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "golden/codec/lossless_codec.hpp"
#include "golden/container/wsc_container.hpp"
#include "golden/model/generate.hpp"
#include "golden/model/llama2c_reader.hpp"
#include "golden/model/model_file.hpp"

namespace ws::golden {
namespace {

constexpr const char* kEmbeddedModel = WS_MODELS_DIR "/stories260K.bin";

// The reference: one sequence, double arithmetic, weights read by offset.
class ReferenceLlama2 {
 public:
  explicit ReferenceLlama2(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    int32_t h[7];
    std::memcpy(h, bytes.data(), sizeof h);
    dim = h[0], hidden = h[1], layers = h[2], heads = h[3], kv_heads = h[4], vocab = std::abs(h[5]), seq = h[6];
    f.resize((bytes.size() - 28) / 4);
    std::memcpy(f.data(), bytes.data() + 28, f.size() * 4);
    head = dim / heads;
    kv = dim * kv_heads / heads;
    size_t at = 0;
    for (auto [field, n] : {std::pair{&emb, vocab * dim}, {&rms_att, layers * dim}, {&wq, layers * dim * dim},
                            {&wk, layers * dim * kv}, {&wv, layers * dim * kv}, {&wo, layers * dim * dim},
                            {&rms_ffn, layers * dim}, {&w1, layers * hidden * dim}, {&w2, layers * dim * hidden},
                            {&w3, layers * hidden * dim}, {&rms_final, dim}, {&rope_cos, seq * head / 2},
                            {&rope_sin, seq * head / 2}}) {
      *field = at;
      at += n;
    }
    keys.assign(layers * seq * kv, 0);
    values = keys;
  }

  std::vector<double> forward(int token, int pos) {
    std::vector<double> x(dim);
    for (int i = 0; i < dim; ++i) x[i] = f[emb + token * dim + i];
    for (int l = 0; l < layers; ++l) {
      std::vector<double> xb = norm(x, rms_att + l * dim);
      std::vector<double> q = mul(wq + l * dim * dim, xb, dim), k = mul(wk + l * dim * kv, xb, kv),
                          v = mul(wv + l * dim * kv, xb, kv);
      for (int i = 0; i < dim; i += 2) {
        const double c = f[rope_cos + pos * head / 2 + (i % head) / 2], s = f[rope_sin + pos * head / 2 + (i % head) / 2];
        rotate(q, i, c, s);
        if (i < kv) rotate(k, i, c, s);
      }
      for (int i = 0; i < kv; ++i) {
        keys[(l * seq + pos) * kv + i] = k[i];
        values[(l * seq + pos) * kv + i] = v[i];
      }
      std::vector<double> attended(dim, 0.0);
      for (int hq = 0; hq < heads; ++hq) {
        const int hk = hq / (heads / kv_heads);
        std::vector<double> score(pos + 1);
        for (int t = 0; t <= pos; ++t) {
          for (int i = 0; i < head; ++i) score[t] += q[hq * head + i] * keys[(l * seq + t) * kv + hk * head + i];
          score[t] /= std::sqrt(double(head));
        }
        const double top = *std::max_element(score.begin(), score.end());
        double total = 0;
        for (double& s : score) total += (s = std::exp(s - top));
        for (int t = 0; t <= pos; ++t) {
          for (int i = 0; i < head; ++i) {
            attended[hq * head + i] += score[t] / total * values[(l * seq + t) * kv + hk * head + i];
          }
        }
      }
      add(x, mul(wo + l * dim * dim, attended, dim));
      xb = norm(x, rms_ffn + l * dim);
      std::vector<double> gate = mul(w1 + l * hidden * dim, xb, hidden), up = mul(w3 + l * hidden * dim, xb, hidden);
      for (int i = 0; i < hidden; ++i) gate[i] = gate[i] / (1 + std::exp(-gate[i])) * up[i];
      add(x, mul(w2 + l * dim * hidden, gate, dim));
    }
    return mul(emb, norm(x, rms_final), vocab);
  }

  int dim, hidden, layers, heads, kv_heads, vocab, seq, head, kv;

 private:
  std::vector<double> mul(size_t w, const std::vector<double>& x, int rows) const {
    std::vector<double> out(rows);
    for (int r = 0; r < rows; ++r) {
      for (size_t c = 0; c < x.size(); ++c) out[r] += f[w + r * x.size() + c] * x[c];
    }
    return out;
  }
  std::vector<double> norm(const std::vector<double>& x, size_t weight) const {
    double ss = 0;
    for (double v : x) ss += v * v;
    const double scale = 1 / std::sqrt(ss / x.size() + 1e-5);
    std::vector<double> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) out[i] = f[weight + i] * x[i] * scale;
    return out;
  }
  static void rotate(std::vector<double>& v, int i, double c, double s) {
    const double a = v[i], b = v[i + 1];
    v[i] = a * c - b * s;
    v[i + 1] = a * s + b * c;
  }
  static void add(std::vector<double>& x, const std::vector<double>& y) {
    for (size_t i = 0; i < x.size(); ++i) x[i] += y[i];
  }

  std::vector<float> f;
  size_t emb, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, rope_cos, rope_sin;
  std::vector<double> keys, values;
};

TEST(Llama2Forward, MatchesADoublePrecisionReferenceTo1e5Relative) {
  const Llama2Weights weights = load_llama2(kEmbeddedModel);
  ReferenceLlama2 reference(kEmbeddedModel);
  Llama2Forward forward(weights, 1);
  // A fixed token walk over 48 positions (the reference is teacher-forced the same way).
  int token = kBosToken;
  double worst = 0;
  for (int pos = 0; pos < 48; ++pos) {
    const std::span<const float> logits = forward.step(std::span<const int>(&token, 1), pos);
    const std::vector<double> expected = reference.forward(token, pos);
    double scale = 0;
    for (double e : expected) scale = std::max(scale, std::abs(e));
    for (size_t i = 0; i < expected.size(); ++i) {
      const double relative = std::abs(logits[i] - expected[i]) / scale;
      worst = std::max(worst, relative);
      ASSERT_LT(relative, 1e-5) << "position " << pos << " token " << token << " logit " << i << ": expected "
                                << expected[i] << ", got " << logits[i];
    }
    token = (token * 37 + 11) % weights.config.vocab_size;
  }
  RecordProperty("worst_relative_error", std::to_string(worst));
}

TEST(Llama2Forward, GreedyGenerationIsDeterministicAndIndependentOfTheBatch) {
  const Llama2Weights weights = load_llama2(kEmbeddedModel);
  GenerateOptions options;
  options.steps = 96;
  const auto once = generate(weights, 1, options);
  EXPECT_EQ(generate(weights, 1, options), once);
  const auto batched = generate(weights, 4, options);
  for (const auto& sequence : batched) EXPECT_EQ(sequence, once[0]);
  ASSERT_EQ(once[0].front(), kBosToken);
  EXPECT_GT(once[0].size(), 2u);
}

TEST(Llama2Forward, SampledSequenceOfABatchEqualsASingleRunWithItsSeed) {
  const Llama2Weights weights = load_llama2(kEmbeddedModel);
  GenerateOptions options;
  options.steps = 64;
  options.temperature = 1.0f;
  options.seed = 40;
  const auto batched = generate(weights, 3, options);
  for (int b = 0; b < 3; ++b) {
    GenerateOptions single = options;
    single.seed = options.seed + b;
    EXPECT_EQ(generate(weights, 1, single)[0], batched[b]) << "sequence " << b;
  }
  EXPECT_NE(batched[0], batched[1]);  // different seeds, different samples
}

TEST(Llama2Forward, PromptIsFollowedThenContinued) {
  const Llama2Weights weights = load_llama2(kEmbeddedModel);
  GenerateOptions options;
  options.steps = 20;
  options.prompt = {1, 300, 301, 302};
  const std::vector<int> sequence = generate(weights, 1, options)[0];
  ASSERT_GE(sequence.size(), 4u);
  EXPECT_EQ(std::vector<int>(sequence.begin(), sequence.begin() + 4), options.prompt);
  options.prompt = {1, 512};
  EXPECT_THROW(generate(weights, 1, options), std::invalid_argument);
}

TEST(Llama2Forward, ContainerOfTheCheckpointGivesTheSameLogits) {
  const Model model = load_model(kEmbeddedModel);
  LosslessOptions options;
  const std::vector<EncodedTensor> encoded = encode_lossless(model.tensors, options);
  const std::vector<uint8_t> file = serialize_wsc(encoded, &model.layout);
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("ws_forward_" + std::to_string(::getpid()) + ".wsc");
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(file.data()), file.size());
  const Llama2Weights from_container = load_llama2(path.string());
  std::filesystem::remove(path);
  const Llama2Weights from_checkpoint = load_llama2(kEmbeddedModel);
  Llama2Forward a(from_container, 1), b(from_checkpoint, 1);
  for (int pos = 0, token = kBosToken; pos < 8; ++pos, token += 50) {
    const std::span<const float> la = a.step(std::span<const int>(&token, 1), pos);
    const std::span<const float> lb = b.step(std::span<const int>(&token, 1), pos);
    ASSERT_TRUE(std::equal(la.begin(), la.end(), lb.begin())) << "position " << pos;
  }
}

TEST(Llama2Forward, BadCheckpointsAreInputErrors) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("ws_forward_bad_" + std::to_string(::getpid()) + ".bin");
  std::ifstream in(kEmbeddedModel, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto error_of = [&](const std::vector<char>& file) -> std::string {
    std::ofstream(path, std::ios::binary).write(file.data(), file.size());
    try {
      load_llama2(path.string());
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  std::vector<char> truncated(bytes.begin(), bytes.end() - 1000);
  EXPECT_NE(error_of(truncated).find("needs"), std::string::npos) << error_of(truncated);
  std::vector<char> wrong_dims = bytes;
  const int32_t hidden = 171;
  std::memcpy(wrong_dims.data() + 4, &hidden, 4);
  EXPECT_NE(error_of(wrong_dims), "no error");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ws::golden
