// A llama2.c model's weights as fp32 matrices by role, ready for the forward
// pass, from a llama2.c checkpoint or a .wsc container of one (the container's
// source layout keeps the checkpoint's header, hence its configuration).
// Tensors of any dtype are widened to fp32 exactly, so the same code runs on
// fp32, bf16 or dequantised weights.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "golden/model/llama2c_reader.hpp"
#include "golden/model/tensor.hpp"

namespace ws::golden {

struct Matrix {
  std::string name;  // the tensor's name in the checkpoint, e.g. "layers.0.wq"
  int64_t rows = 0, cols = 0;
  std::vector<float> values;  // rows x cols, row-major
};

struct Llama2Layer {
  Matrix rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3;
};

struct Llama2Weights {
  Llama2Config config;
  Matrix token_embedding;  // vocab x dim
  std::vector<Llama2Layer> layers;
  Matrix rms_final;  // 1 x dim
  Matrix wcls;       // vocab x dim; empty when the classifier is the embedding

  const Matrix& classifier() const { return config.shared_classifier ? token_embedding : wcls; }
  // The seven linear kinds of every layer (wq, wk, wv, wo, w1, w2, w3), in
  // checkpoint order; with `all`, the embedding and a separate classifier too.
  std::vector<Matrix*> matrices(bool all);
};

// The weights of a model given by its configuration and its tensors (named as
// read_llama2c names them). Throws InputError naming `source` when a tensor is
// missing or has the wrong shape.
Llama2Weights llama2_weights(const Llama2Config& config, std::span<const Tensor> tensors, const std::string& source);

// A llama2.c checkpoint or a .wsc container holding one, fully decoded.
// Throws InputError for anything else, naming the file and what is wrong.
Llama2Weights load_llama2(const std::string& path);

}  // namespace ws::golden
