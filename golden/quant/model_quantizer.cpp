#include "golden/quant/model_quantizer.hpp"

#include <fnmatch.h>

#include <bit>
#include <cmath>
#include <stdexcept>

#include "golden/common/error.hpp"
#include "golden/model/generate.hpp"
#include "golden/quant/gptq.hpp"
#include "golden/vp/vp_model.hpp"

namespace ws::golden {

void HessianCollector::apply(const LinearWeights& w, std::span<const float> x, std::span<float> out, int batch) {
  std::vector<double>& h = hessians_[w.name];
  for (int b = 0; b < batch; ++b) accumulate_hessian(h, x.subspan(int64_t{b} * w.cols, w.cols), w.cols);
  fp32_.apply(w, x, out, batch);
}

Hessians collect_hessians(const Llama2Weights& weights, int sequences, int positions, uint64_t seed) {
  HessianCollector collector;
  GenerateOptions options;
  options.steps = positions;
  options.temperature = 1.0f;
  options.seed = seed;
  options.stop_at_bos = false;
  generate(weights, sequences, options, &collector);
  return collector.hessians();
}

QuantResult quantize_matrix(const QuantRequest& request, const std::string& name, std::span<const float> values,
                            int64_t rows, int64_t cols, const Hessians* hessians) {
  const MethodInfo* method = find_quant_method(request.method);
  if (method == nullptr) {
    throw std::invalid_argument("unknown method '" + request.method + "' (known: " + known_quant_method_names() + ")");
  }
  const std::vector<double>* hessian = nullptr;
  if (method->needs_hessian) {
    const auto it = hessians != nullptr ? hessians->find(name) : Hessians::const_iterator{};
    if (hessians != nullptr && it != hessians->end()) {
      hessian = &it->second;
    } else if (method->name == "gptq") {  // dbf and onebit fit unweighted without one
      throw std::invalid_argument(request.method + " needs calibration inputs of " + name);
    }
  }
  QuantResult q;
  try {
    QuantRequest own = request;
    for (const std::string& text : request.quality_for) {  // the first PATTERN=FLOOR whose pattern matches
      const auto [pattern, floor] = vp::parse_quality_for(text);
      if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) {
        own.quality = text.substr(pattern.size() + 1);
        break;
      }
    }
    q = quantize(own, values, rows, cols, hessian);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("tensor '" + name + "': " + e.what());
  }
  const std::vector<float> decoded = dequantize(q.stored);
  for (size_t i = 0; i < decoded.size(); ++i) {
    if (std::bit_cast<uint32_t>(decoded[i]) != std::bit_cast<uint32_t>(q.dequantized[i])) {
      throw Error(ErrorCode::Internal, request.method + ": tensor '" + name + "' weight " + std::to_string(i) +
                                           ": the method's reconstruction differs from decoding its stored form");
    }
  }
  return q;
}

QuantizedModel quantize_model(const Llama2Weights& reference, const QuantRequest& request, const Hessians* hessians,
                              bool all) {
  QuantizedModel result{reference, {}, 0, 0};
  double stored_bits = 0, signal = 0, noise = 0;
  int64_t weights = 0;
  for (Matrix* m : result.weights.matrices(all)) {
    QuantResult q = quantize_matrix(request, m->name, m->values, m->rows, m->cols, hessians);
    for (size_t i = 0; i < q.dequantized.size(); ++i) {
      const double w = m->values[i], d = q.dequantized[i];
      signal += w * w;
      noise += (w - d) * (w - d);
      m->values[i] = q.dequantized[i];
    }
    stored_bits += q.stored.bits_per_weight() * static_cast<double>(q.stored.size());
    weights += q.stored.size();
    result.stored.push_back(std::move(q.stored));
  }
  result.bits_per_weight = stored_bits / static_cast<double>(weights);
  result.weight_sqnr_db = noise == 0 ? INFINITY : 10 * std::log10(signal / noise);
  return result;
}

namespace {

// Feeds each sequence's tokens 0..positions-1 and hands over the logits of every position.
void teacher_force(const Llama2Weights& weights, const std::vector<std::vector<int>>& tokens, int positions,
                   const std::function<void(int pos, std::span<const float> logits)>& each) {
  Llama2Forward forward(weights, static_cast<int>(tokens.size()));
  std::vector<int> step(tokens.size());
  for (int pos = 0; pos < positions; ++pos) {
    for (size_t b = 0; b < tokens.size(); ++b) step[b] = tokens[b][pos];
    each(pos, forward.step(step, pos));
  }
}

std::vector<double> log_softmax(std::span<const float> logits) {
  double top = logits[0];
  for (float v : logits) top = std::max(top, double{v});
  double sum = 0;
  for (float v : logits) sum += std::exp(double{v} - top);
  const double log_sum = top + std::log(sum);
  std::vector<double> out(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) out[i] = logits[i] - log_sum;
  return out;
}

}  // namespace

EvalSet make_eval_set(const Llama2Weights& reference, int sequences, int positions, uint64_t seed) {
  if (sequences < 1 || positions < 1 || positions >= reference.config.seq_len) {
    throw std::invalid_argument("the evaluation needs 1 or more sequences of 1.." +
                                std::to_string(reference.config.seq_len - 1) + " positions");
  }
  GenerateOptions options;
  options.steps = positions;
  options.temperature = 1.0f;
  options.seed = seed;
  options.stop_at_bos = false;
  EvalSet set{sequences, positions, reference.config.vocab_size, generate(reference, sequences, options), {}};
  set.reference_logits.resize(static_cast<size_t>(sequences) * positions * set.vocab);
  teacher_force(reference, set.tokens, positions, [&](int pos, std::span<const float> logits) {
    for (int b = 0; b < sequences; ++b) {
      std::copy_n(logits.begin() + int64_t{b} * set.vocab, set.vocab,
                  set.reference_logits.begin() + (int64_t{b} * positions + pos) * set.vocab);
    }
  });
  return set;
}

ModelQuality measure_quality(const Llama2Weights& candidate, const EvalSet& set,
                             const std::function<void(int)>& on_position) {
  double kl = 0, nll = 0;
  int64_t agree = 0;
  teacher_force(candidate, set.tokens, set.positions, [&](int pos, std::span<const float> logits) {
    for (int b = 0; b < set.sequences; ++b) {
      const std::span<const float> ours = logits.subspan(int64_t{b} * set.vocab, set.vocab);
      const std::span<const float> theirs(set.reference_logits.data() + (int64_t{b} * set.positions + pos) * set.vocab,
                                          set.vocab);
      const std::vector<double> log_q = log_softmax(ours), log_p = log_softmax(theirs);
      for (int i = 0; i < set.vocab; ++i) kl += std::exp(log_p[i]) * (log_p[i] - log_q[i]);
      agree += argmax(ours) == argmax(theirs);
      nll -= log_q[set.tokens[b][pos + 1]];
    }
    if (on_position) on_position(pos);
  });
  const int64_t n = int64_t{set.sequences} * set.positions;
  return {kl / n, static_cast<double>(agree) / n, std::exp(nll / n), n};
}

}  // namespace ws::golden
