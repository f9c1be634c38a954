// Token generation as llama2.c's run.c does it: start from BOS (token 1) or a
// prompt, feed each position, take the prompt's next token while it lasts,
// then sample: greedy (the first largest logit) at temperature 0, otherwise
// logits / T, softmax and one draw from run.c's xorshift generator over the
// whole distribution (run.c with top-p 1). Stops after `steps` positions or
// when BOS comes again. B sequences are generated side by side; sequence b
// uses seed + b, so sequence 0 equals a single-sequence run with `seed`.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "golden/model/llama2_forward.hpp"

namespace ws::golden {

inline constexpr int kBosToken = 1;

// run.c's random number generator (xorshift*), for sampling.
class RunCRandom {
 public:
  explicit RunCRandom(uint64_t seed) : state_(seed) {}
  uint32_t next_u32() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return static_cast<uint32_t>((state_ * 0x2545F4914F6CDD1Dull) >> 32);
  }
  float next_f32() { return static_cast<float>(next_u32() >> 8) / 16777216.0f; }  // [0, 1)

 private:
  uint64_t state_;
};

int argmax(std::span<const float> logits);

// The token a sampler picks from logits (modified in place) at `temperature`.
int sample_token(std::span<float> logits, float temperature, RunCRandom& rng);

struct GenerateOptions {
  int steps = 256;  // positions, clamped to the model's seq_len
  float temperature = 0.0f;
  uint64_t seed = 0;
  std::vector<int> prompt;  // empty: BOS alone
  std::vector<int> first_tokens;  // sequence b starts from first_tokens[b] instead of the prompt's first
  bool stop_at_bos = true;
};

// The generated sequences: each starts with its prompt (or BOS) and holds at
// most `steps` + 1 tokens. `on_position(pos)` is called after each position.
std::vector<std::vector<int>> generate(const Llama2Weights& weights, int batch, const GenerateOptions& options,
                                       LinearBackend* backend = nullptr,
                                       const std::function<void(int)>& on_position = {});

}  // namespace ws::golden
