// The llama2.c transformer (RMSNorm, RoPE, grouped-query attention with a KV
// cache, SwiGLU feed-forward, a classifier that may share the embedding), in
// fp32 with every operation in the order llama2.c's run.c performs it, so that
// greedy output matches run.c token for token. B sequences run side by side,
// all at the same position; every matrix product goes through a LinearBackend.
#pragma once

#include <span>
#include <vector>

#include "golden/model/linear.hpp"
#include "golden/model/llama2_weights.hpp"

namespace ws::golden {

class Llama2Forward {
 public:
  // `backend` defaults to fp32 in llama2.c's order; it must outlive this object.
  Llama2Forward(const Llama2Weights& weights, int batch, LinearBackend* backend = nullptr);

  // Feeds tokens[b] at position `pos` (0 .. seq_len-1; positions in order from
  // 0, as the KV cache fills) and returns the logits, batch x vocab.
  std::span<const float> step(std::span<const int> tokens, int pos);

  int batch() const { return batch_; }

 private:
  void linear(const Matrix& m, std::span<const float> x, std::span<float> out);

  const Llama2Weights& w_;
  int batch_;
  Fp32Linear fp32_;
  LinearBackend* backend_;
  int64_t dim_, kv_dim_, hidden_, head_size_, seq_len_, vocab_;
  std::vector<float> x_, xb_, xb2_, hb_, hb2_, q_, k_, v_, att_, logits_;
  std::vector<float> key_cache_, value_cache_;  // [batch][layer][seq_len][kv_dim]
};

// llama2.c's RMSNorm, softmax and SwiGLU, for tests and other callers.
void rmsnorm(std::span<float> out, std::span<const float> x, std::span<const float> weight);
void softmax(std::span<float> x);

}  // namespace ws::golden
