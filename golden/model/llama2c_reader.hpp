// Reader for llama2.c checkpoints (the stories*.bin format): a header of seven
// little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads,
// vocab_size, seq_len), then fp32 tensors in llama2.c's fixed order. A
// positive vocab_size means the classifier shares the token embedding; a
// negative one means a separate classifier `wcls` follows the RoPE tables.
// Layer-stacked tensors are split per layer ("layers.<l>.wq"), as a hardware
// stream would see them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "golden/model/tensor.hpp"

namespace ws::golden {

struct Llama2Config {
  int32_t dim = 0;
  int32_t hidden_dim = 0;
  int32_t n_layers = 0;
  int32_t n_heads = 0;
  int32_t n_kv_heads = 0;
  int32_t vocab_size = 0;  // absolute value; shared_classifier tells the sign
  int32_t seq_len = 0;
  bool shared_classifier = true;
};

struct Llama2Model {
  Llama2Config config;
  std::vector<Tensor> tensors;  // weights only: the RoPE tables are skipped
};

Llama2Model read_llama2c(const std::string& path);

}  // namespace ws::golden
