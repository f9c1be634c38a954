#include "golden/model/llama2_forward.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace ws::golden {

void rmsnorm(std::span<float> out, std::span<const float> x, std::span<const float> weight) {
  float ss = 0.0f;
  for (float v : x) ss += v * v;
  ss /= static_cast<float>(x.size());
  ss += 1e-5f;
  ss = 1.0f / std::sqrt(ss);
  for (size_t j = 0; j < x.size(); ++j) out[j] = weight[j] * (ss * x[j]);
}

void softmax(std::span<float> x) {
  float max_val = x[0];
  for (float v : x) max_val = std::max(max_val, v);
  float sum = 0.0f;
  for (float& v : x) {
    v = std::exp(v - max_val);
    sum += v;
  }
  for (float& v : x) v /= sum;
}

Llama2Forward::Llama2Forward(const Llama2Weights& weights, int batch, LinearBackend* backend)
    : w_(weights), batch_(batch), backend_(backend != nullptr ? backend : &fp32_) {
  const Llama2Config& c = weights.config;
  if (batch < 1) throw std::invalid_argument("batch must be at least 1");
  dim_ = c.dim;
  kv_dim_ = int64_t{c.dim} * c.n_kv_heads / c.n_heads;
  hidden_ = c.hidden_dim;
  head_size_ = c.dim / c.n_heads;
  seq_len_ = c.seq_len;
  vocab_ = c.vocab_size;
  const int64_t b = batch;
  x_.resize(b * dim_);
  xb_.resize(b * dim_);
  xb2_.resize(b * dim_);
  hb_.resize(b * hidden_);
  hb2_.resize(b * hidden_);
  q_.resize(b * dim_);
  k_.resize(b * kv_dim_);
  v_.resize(b * kv_dim_);
  att_.resize(b * c.n_heads * seq_len_);
  logits_.resize(b * vocab_);
  key_cache_.resize(b * c.n_layers * seq_len_ * kv_dim_);
  value_cache_.resize(key_cache_.size());
}

void Llama2Forward::linear(const Matrix& m, std::span<const float> x, std::span<float> out) {
  backend_->apply({m.name, m.values, m.rows, m.cols}, x, out, batch_);
}

std::span<const float> Llama2Forward::step(std::span<const int> tokens, int pos) {
  const Llama2Config& c = w_.config;
  if (static_cast<int>(tokens.size()) != batch_) throw std::invalid_argument("one token per sequence expected");
  if (pos < 0 || pos >= seq_len_) {
    throw std::invalid_argument("position " + std::to_string(pos) + " outside the model's context of " +
                                std::to_string(seq_len_));
  }
  for (int b = 0; b < batch_; ++b) {
    if (tokens[b] < 0 || tokens[b] >= vocab_) {
      throw std::invalid_argument("token " + std::to_string(tokens[b]) + " outside the vocabulary of " +
                                  std::to_string(vocab_));
    }
    const float* row = w_.token_embedding.values.data() + tokens[b] * dim_;
    std::copy(row, row + dim_, x_.begin() + b * dim_);
  }
  const int kv_mul = c.n_heads / c.n_kv_heads;
  const float score_scale = std::sqrt(static_cast<float>(head_size_));
  auto slice = [](std::vector<float>& v, int64_t at, int64_t n) { return std::span<float>(v).subspan(at, n); };

  for (int64_t l = 0; l < c.n_layers; ++l) {
    const Llama2Layer& layer = w_.layers[l];
    for (int b = 0; b < batch_; ++b) {
      rmsnorm(slice(xb_, b * dim_, dim_), slice(x_, b * dim_, dim_), layer.rms_att.values);
    }
    linear(layer.wq, xb_, q_);
    linear(layer.wk, xb_, k_);
    linear(layer.wv, xb_, v_);

    for (int b = 0; b < batch_; ++b) {
      float* q = q_.data() + b * dim_;
      float* k = k_.data() + b * kv_dim_;
      // RoPE: rotate pairs of q (and of k, within kv_dim) by position-dependent angles.
      for (int64_t i = 0; i < dim_; i += 2) {
        const int64_t head_dim = i % head_size_;
        const float freq = 1.0f / std::pow(10000.0f, static_cast<float>(head_dim) / static_cast<float>(head_size_));
        const float val = static_cast<float>(pos) * freq;
        const float fcr = std::cos(val), fci = std::sin(val);
        const int rotations = i < kv_dim_ ? 2 : 1;
        for (int r = 0; r < rotations; ++r) {
          float* vec = r == 0 ? q : k;
          const float v0 = vec[i], v1 = vec[i + 1];
          vec[i] = v0 * fcr - v1 * fci;
          vec[i + 1] = v0 * fci + v1 * fcr;
        }
      }
      const int64_t cache_base = (b * c.n_layers + l) * seq_len_ * kv_dim_;
      std::copy(k, k + kv_dim_, key_cache_.begin() + cache_base + pos * kv_dim_);
      std::copy(v_.begin() + b * kv_dim_, v_.begin() + (b + 1) * kv_dim_,
                value_cache_.begin() + cache_base + pos * kv_dim_);

      // Multi-head attention over positions 0..pos; kv_mul query heads share a kv head.
      for (int64_t h = 0; h < c.n_heads; ++h) {
        const float* qh = q + h * head_size_;
        float* att = att_.data() + (b * c.n_heads + h) * seq_len_;
        const int64_t kv_offset = (h / kv_mul) * head_size_;
        for (int t = 0; t <= pos; ++t) {
          const float* kt = key_cache_.data() + cache_base + t * kv_dim_ + kv_offset;
          float score = 0.0f;
          for (int64_t i = 0; i < head_size_; ++i) score += qh[i] * kt[i];
          att[t] = score / score_scale;
        }
        softmax(std::span<float>(att, pos + 1));
        float* xb = xb_.data() + b * dim_ + h * head_size_;
        std::fill(xb, xb + head_size_, 0.0f);
        for (int t = 0; t <= pos; ++t) {
          const float* vt = value_cache_.data() + cache_base + t * kv_dim_ + kv_offset;
          const float a = att[t];
          for (int64_t i = 0; i < head_size_; ++i) xb[i] += a * vt[i];
        }
      }
    }
    linear(layer.wo, xb_, xb2_);
    for (size_t i = 0; i < x_.size(); ++i) x_[i] += xb2_[i];

    for (int b = 0; b < batch_; ++b) {
      rmsnorm(slice(xb_, b * dim_, dim_), slice(x_, b * dim_, dim_), layer.rms_ffn.values);
    }
    linear(layer.w1, xb_, hb_);
    linear(layer.w3, xb_, hb2_);
    for (size_t i = 0; i < hb_.size(); ++i) {  // SwiGLU: silu(w1 x) * (w3 x)
      float val = hb_[i];
      val *= (1.0f / (1.0f + std::exp(-val)));
      val *= hb2_[i];
      hb_[i] = val;
    }
    linear(layer.w2, hb_, xb_);
    for (size_t i = 0; i < x_.size(); ++i) x_[i] += xb_[i];
  }
  for (int b = 0; b < batch_; ++b) {
    rmsnorm(slice(x_, b * dim_, dim_), slice(x_, b * dim_, dim_), w_.rms_final.values);
  }
  linear(w_.classifier(), x_, logits_);
  return logits_;
}

}  // namespace ws::golden
