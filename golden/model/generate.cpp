#include "golden/model/generate.hpp"

#include <algorithm>
#include <stdexcept>

namespace ws::golden {

int argmax(std::span<const float> logits) {
  int best = 0;
  for (size_t i = 1; i < logits.size(); ++i) {
    if (logits[i] > logits[best]) best = static_cast<int>(i);
  }
  return best;
}

int sample_token(std::span<float> logits, float temperature, RunCRandom& rng) {
  if (temperature == 0.0f) return argmax(logits);
  for (float& v : logits) v /= temperature;
  softmax(logits);
  const float coin = rng.next_f32();
  float cdf = 0.0f;
  for (size_t i = 0; i < logits.size(); ++i) {
    cdf += logits[i];
    if (coin < cdf) return static_cast<int>(i);
  }
  return static_cast<int>(logits.size()) - 1;  // rounding error
}

std::vector<std::vector<int>> generate(const Llama2Weights& weights, int batch, const GenerateOptions& options,
                                       LinearBackend* backend, const std::function<void(int)>& on_position) {
  if (!(options.temperature >= 0.0f)) throw std::invalid_argument("temperature must be 0 or more");
  const int vocab = weights.config.vocab_size;
  const std::vector<int> prompt = options.prompt.empty() ? std::vector<int>{kBosToken} : options.prompt;
  std::vector<int> first(batch, prompt[0]);
  for (size_t b = 0; b < options.first_tokens.size() && b < first.size(); ++b) first[b] = options.first_tokens[b];
  std::vector<int> checked = prompt;
  checked.insert(checked.end(), first.begin(), first.end());
  for (int id : checked) {
    if (id < 0 || id >= vocab) {
      throw std::invalid_argument("prompt token " + std::to_string(id) + " outside the vocabulary (0.." +
                                  std::to_string(vocab - 1) + ")");
    }
  }
  const int steps = std::clamp(options.steps, 0, weights.config.seq_len);
  Llama2Forward forward(weights, batch, backend);
  std::vector<RunCRandom> rngs;
  for (int b = 0; b < batch; ++b) rngs.emplace_back(options.seed + static_cast<uint64_t>(b));
  std::vector<std::vector<int>> sequences(batch);
  for (int b = 0; b < batch; ++b) sequences[b] = {first[b]};
  std::vector<int> tokens = first;
  std::vector<bool> running(batch, true);
  std::vector<float> logits(vocab);
  for (int pos = 0; pos < steps && std::ranges::find(running, true) != running.end(); ++pos) {
    const std::span<const float> all_logits = forward.step(tokens, pos);
    for (int b = 0; b < batch; ++b) {
      if (!running[b]) continue;
      int next;
      if (pos + 1 < static_cast<int>(prompt.size())) {
        next = prompt[pos + 1];
      } else {
        std::copy_n(all_logits.begin() + int64_t{b} * vocab, vocab, logits.begin());
        next = sample_token(logits, options.temperature, rngs[b]);
      }
      if (next == kBosToken && options.stop_at_bos) {
        running[b] = false;
        continue;
      }
      sequences[b].push_back(next);
      tokens[b] = next;
    }
    if (on_position) on_position(pos);
  }
  return sequences;
}

}  // namespace ws::golden
