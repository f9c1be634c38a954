// Reader for llama2.c checkpoints (the stories*.bin format): a header of seven
// little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads,
// vocab_size, seq_len), then fp32 tensors in llama2.c's fixed order. A
// positive vocab_size means the classifier shares the token embedding; a
// negative one means a separate classifier `wcls` follows the RoPE tables.
// Layer-stacked tensors are split per layer ("layers.<l>.wq"), as a hardware
// stream would see them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "golden/model/source_layout.hpp"
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
  SourceLayout layout;          // the file: header, weights, RoPE tables
};

Llama2Model read_llama2c(const std::string& path);

// Bytes of a file's beginning that looks_like_llama2c needs, and the test:
// the seven header fields are a plausible model.
inline constexpr size_t kLlama2cSignatureBytes = 28;
bool looks_like_llama2c(std::span<const uint8_t> first_bytes);

// The configuration a llama2.c header describes; nullopt unless it is plausible.
std::optional<Llama2Config> llama2c_config(std::span<const uint8_t> first_bytes);

}  // namespace ws::golden
