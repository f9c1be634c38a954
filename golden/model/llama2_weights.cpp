#include "golden/model/llama2_weights.hpp"

#include <map>

#include "golden/container/wsc_container.hpp"
#include "golden/io/file_io.hpp"
#include "golden/quant/model_encoder.hpp"

namespace ws::golden {

std::vector<Matrix*> Llama2Weights::matrices(bool all) {
  std::vector<Matrix*> result;
  if (all) result.push_back(&token_embedding);
  for (Llama2Layer& l : layers) {
    for (Matrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w1, &l.w2, &l.w3}) result.push_back(m);
  }
  if (all && !config.shared_classifier) result.push_back(&wcls);
  return result;
}

Llama2Weights llama2_weights(const Llama2Config& c, std::span<const Tensor> tensors, const std::string& source) {
  std::map<std::string_view, const Tensor*> by_name;
  for (const Tensor& t : tensors) by_name[t.name] = &t;
  auto take = [&](const std::string& name, int64_t rows, int64_t cols) {
    const auto it = by_name.find(name);
    if (it == by_name.end()) throw InputError(source + ": not a llama2 model: no tensor '" + name + "'");
    const Tensor& t = *it->second;
    if (element_count(t.shape) != rows * cols || t.shape.back() != cols) {
      std::string shape;
      for (int64_t d : t.shape) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
      throw InputError(source + ": tensor '" + name + "' has shape [" + shape + "], the configuration needs [" +
                       std::to_string(rows) + ", " + std::to_string(cols) + "]");
    }
    return Matrix{name, rows, cols, t.to_floats()};
  };
  const int64_t dim = c.dim, kv_dim = int64_t{c.dim} * c.n_kv_heads / c.n_heads;
  Llama2Weights w;
  w.config = c;
  w.token_embedding = take("token_embedding_table", c.vocab_size, dim);
  for (int l = 0; l < c.n_layers; ++l) {
    const std::string p = "layers." + std::to_string(l) + ".";
    w.layers.push_back({take(p + "rms_att_weight", 1, dim), take(p + "wq", dim, dim), take(p + "wk", kv_dim, dim),
                        take(p + "wv", kv_dim, dim), take(p + "wo", dim, dim), take(p + "rms_ffn_weight", 1, dim),
                        take(p + "w1", c.hidden_dim, dim), take(p + "w2", dim, c.hidden_dim),
                        take(p + "w3", c.hidden_dim, dim)});
  }
  w.rms_final = take("rms_final_weight", 1, dim);
  if (!c.shared_classifier) w.wcls = take("wcls", c.vocab_size, dim);
  return w;
}

Llama2Weights load_llama2(const std::string& path) {
  const FileHead head = read_file_head(path, kWscHeaderBytes);
  if (!looks_like_wsc(head.bytes)) {
    const Llama2Model model = read_llama2c(path);
    return llama2_weights(model.config, model.tensors, path);
  }
  const MappedFile file(path);
  const WscContents contents = parse_wsc(file.bytes(), path);
  const SourceLayout* layout = contents.layout ? &*contents.layout : nullptr;
  const std::optional<Llama2Config> config =
      layout && layout->kind == SourceKind::Llama2c && !layout->segments.empty() && !layout->segments[0].is_tensor
          ? llama2c_config(layout->segments[0].bytes)
          : std::nullopt;
  if (!config) {
    throw InputError(path + ": this container does not hold a llama2.c checkpoint (no llama2.c header in its source "
                            "layout), so the model's configuration is unknown");
  }
  const auto tables = build_tables(contents.tensors, path);
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < contents.tensors.size(); ++i) {
    const EncodedTensor& e = contents.tensors[i];
    if (e.quantized) {
      tensors.push_back(dequantized_tensor(e));
      continue;
    }
    check_lane_backing(e, *tables[i], path);
    tensors.push_back(decode_lossless(e, *tables[i], path));
  }
  return llama2_weights(*config, tensors, path);
}

}  // namespace ws::golden
