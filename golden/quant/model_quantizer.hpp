// Quantising a whole llama2 model with one method, and measuring what that
// does to the model: the quantiser regression harness.
//
// - Calibration: the fp32 model samples its own text (temperature 1, fixed
//   seeds) and every linear layer's inputs are gathered into H = 2 X^T X
//   (GPTQ's Hessian), through the forward pass's LinearBackend.
// - Quantisation: the seven linear kinds of every layer (wq, wk, wv, wo, w1,
//   w2, w3; with `all`, the embedding and a separate classifier too), each
//   as it is: a row whose length is not a multiple of the method's group
//   (w2: 172 columns) ends in a shorter group, so nothing is padded and the
//   bits per weight count only stored bits of real weights.
// - Quality: over sequences the fp32 model samples at temperature 1 from its
//   own seeds, teacher-forced through the candidate: mean KL(fp32 || candidate)
//   of the next-token distribution, top-1 agreement, and the candidate's
//   perplexity of those sequences.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "golden/model/linear.hpp"
#include "golden/model/llama2_weights.hpp"
#include "golden/quant/quant_methods.hpp"

namespace ws::golden {

// Records H = 2 X^T X of every matrix's inputs while computing in fp32.
class HessianCollector final : public LinearBackend {
 public:
  void apply(const LinearWeights& w, std::span<const float> x, std::span<float> out, int batch) override;
  const std::map<std::string, std::vector<double>>& hessians() const { return hessians_; }

 private:
  Fp32Linear fp32_;
  std::map<std::string, std::vector<double>> hessians_;
};

using Hessians = std::map<std::string, std::vector<double>>;
Hessians collect_hessians(const Llama2Weights& weights, int sequences, int positions, uint64_t seed);

struct QuantizedModel {
  Llama2Weights weights;                // the quantised matrices replaced by their dequantised values
  std::vector<QuantizedTensor> stored;  // one per quantised matrix, in Llama2Weights::matrices order
  double bits_per_weight = 0;           // every stored bit of the quantised matrices per weight
  double weight_sqnr_db = 0;            // over the quantised matrices
};

// One matrix (`name` finds its Hessian when the method takes one: gptq needs
// it, dbf and onebit weigh columns by its diagonal when it is there), its
// reconstruction checked against decoding its stored form. Throws
// std::invalid_argument naming the matrix for a request the method cannot
// take, and Error(Internal) when the two differ.
QuantResult quantize_matrix(const QuantRequest& request, const std::string& name, std::span<const float> values,
                            int64_t rows, int64_t cols, const Hessians* hessians);

// Every matrix of the model through quantize_matrix (same errors).
QuantizedModel quantize_model(const Llama2Weights& reference, const QuantRequest& request, const Hessians* hessians,
                              bool all);

// Sequences the reference model sampled and its logits at every position.
struct EvalSet {
  int sequences = 0, positions = 0, vocab = 0;
  std::vector<std::vector<int>> tokens;  // sequences x (positions + 1)
  std::vector<float> reference_logits;   // sequences x positions x vocab
};
EvalSet make_eval_set(const Llama2Weights& reference, int sequences, int positions, uint64_t seed);

struct ModelQuality {
  double mean_kl = 0;         // nats per position, KL(reference || candidate)
  double top1_agreement = 0;  // fraction of positions whose argmax agrees
  double perplexity = 0;      // of the eval sequences under the candidate
  int64_t positions = 0;
};
ModelQuality measure_quality(const Llama2Weights& candidate, const EvalSet& set,
                             const std::function<void(int)>& on_position = {});

}  // namespace ws::golden
