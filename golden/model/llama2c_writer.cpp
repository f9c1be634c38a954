#include "golden/model/llama2c_writer.hpp"

#include <cstring>
#include <stdexcept>

#include "golden/common/crc32.hpp"

namespace ws::golden {

Llama2Model llama2c_model(const Llama2Weights& weights, const SourceLayout& original) {
  if (original.kind != SourceKind::Llama2c || original.segments.empty() || original.segments.front().is_tensor) {
    throw std::invalid_argument("llama2c_model: the original layout is not a llama2.c checkpoint's");
  }
  Llama2Model model;
  const Llama2Config& c = model.config = weights.config;
  const int32_t header[7] = {c.dim,     c.hidden_dim, c.n_layers,
                             c.n_heads, c.n_kv_heads, c.shared_classifier ? c.vocab_size : -c.vocab_size,
                             c.seq_len};
  std::vector<uint8_t> header_bytes(sizeof header);
  std::memcpy(header_bytes.data(), header, sizeof header);  // little-endian host (llama2c_reader)
  SourceLayout& layout = model.layout;
  layout.kind = SourceKind::Llama2c;
  layout.segments.push_back({false, 0, header_bytes});

  auto add = [&](const Matrix& m, std::vector<int64_t> shape) {
    Tensor t{m.name, DType::F32, std::move(shape), std::vector<uint32_t>(m.values.size())};
    std::memcpy(t.bits.data(), m.values.data(), m.values.size() * sizeof(float));
    layout.segments.push_back({true, model.tensors.size(), {}});
    model.tensors.push_back(std::move(t));
  };
  auto add_layers = [&](Matrix Llama2Layer::*kind, bool vector) {
    for (const Llama2Layer& l : weights.layers) {
      const Matrix& m = l.*kind;
      add(m, vector ? std::vector<int64_t>{m.cols} : std::vector<int64_t>{m.rows, m.cols});
    }
  };
  add(weights.token_embedding, {weights.token_embedding.rows, weights.token_embedding.cols});
  add_layers(&Llama2Layer::rms_att, true);
  add_layers(&Llama2Layer::wq, false);
  add_layers(&Llama2Layer::wk, false);
  add_layers(&Llama2Layer::wv, false);
  add_layers(&Llama2Layer::wo, false);
  add_layers(&Llama2Layer::rms_ffn, true);
  add_layers(&Llama2Layer::w1, false);
  add_layers(&Llama2Layer::w2, false);
  add_layers(&Llama2Layer::w3, false);
  add(weights.rms_final, {weights.rms_final.cols});
  // The RoPE tables: every verbatim segment of the original after its header.
  int tables = 0;
  for (size_t i = 1; i < original.segments.size(); ++i) {
    if (!original.segments[i].is_tensor) {
      layout.segments.push_back(original.segments[i]);
      ++tables;
    }
  }
  if (tables != 2) throw std::invalid_argument("llama2c_model: the original layout lacks its two RoPE tables");
  if (!c.shared_classifier) add(weights.wcls, {weights.wcls.rows, weights.wcls.cols});

  uint32_t crc = 0;
  for (const SourceSegment& s : layout.segments) {
    const std::span<const uint8_t> bytes =
        s.is_tensor ? std::span(reinterpret_cast<const uint8_t*>(model.tensors[s.tensor].bits.data()),
                                model.tensors[s.tensor].bits.size() * sizeof(uint32_t))
                    : std::span<const uint8_t>(s.bytes);
    crc = crc32_update(crc, bytes);
    layout.file_size += bytes.size();
  }
  layout.file_crc = crc;
  return model;
}

}  // namespace ws::golden
