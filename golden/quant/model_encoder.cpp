#include "golden/quant/model_encoder.hpp"

#include <bit>
#include <stdexcept>
#include <string_view>

#include "golden/common/error.hpp"
#include "golden/formats/float_format.hpp"

namespace ws::golden {
namespace {

// Names of token embeddings and classifiers in llama2.c and Hugging Face checkpoints.
bool is_embedding_or_classifier(std::string_view name) {
  for (std::string_view n : {"token_embedding_table", "wcls", "embed_tokens", "tok_embeddings", "lm_head", "wte"}) {
    if (name.find(n) != std::string_view::npos) return true;
  }
  return name == "output.weight";
}

}  // namespace

bool is_quantized_matrix(const Tensor& t, bool all) {
  return t.shape.size() == 2 && t.size() > 0 && (all || !is_embedding_or_classifier(t.name));
}

std::vector<EncodedTensor> encode_matrices(std::span<const Tensor> tensors, bool all, const LosslessOptions& options,
                                           const std::function<EncodedTensor(size_t, const Tensor&)>& code_matrix,
                                           const std::function<void(size_t)>& progress) {
  std::vector<Tensor> lossless;
  std::vector<size_t> lossless_index;  // where each lossless tensor goes in the full list
  std::vector<EncodedTensor> result(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (!is_quantized_matrix(t, all)) {
      lossless.push_back(t);
      lossless_index.push_back(i);
      continue;
    }
    result[i] = code_matrix(i, t);
    if (progress) progress(i + 1);
  }
  std::vector<EncodedTensor> coded = encode_lossless(lossless, options);
  for (size_t k = 0; k < coded.size(); ++k) {
    // Table reuse refers to tensors of the lossless list: renumber into the full list.
    if (coded[k].table_source >= 0) coded[k].table_source = static_cast<int>(lossless_index[coded[k].table_source]);
    result[lossless_index[k]] = std::move(coded[k]);
  }
  if (progress) progress(tensors.size());
  return result;
}

std::vector<EncodedTensor> encode_with_method(std::span<const Tensor> tensors, const QuantRequest& request,
                                              const Hessians* hessians, bool all, const LosslessOptions& options,
                                              const std::function<void(size_t)>& progress) {
  if (find_quant_method(request.method) == nullptr) throw std::invalid_argument("unknown method '" + request.method + "'");
  const auto quantise = [&](size_t, const Tensor& t) {
    QuantResult q = quantize_matrix(request, t.name, t.to_floats(), t.shape[0], t.shape[1], hessians);
    EncodedTensor e;
    e.name = t.name;
    e.dtype = t.dtype;
    e.shape = t.shape;
    e.count = t.size();
    e.quantized = std::move(q.stored);
    return e;
  };
  return encode_matrices(tensors, all, options, quantise, progress);
}

Tensor dequantized_tensor(const EncodedTensor& e) {
  const std::vector<float> values = dequantize(*e.quantized);
  Tensor t{e.name, e.dtype, e.shape, std::vector<uint32_t>(values.size())};
  for (size_t i = 0; i < values.size(); ++i) {
    const uint32_t bits = std::bit_cast<uint32_t>(values[i]);
    switch (e.dtype) {
      case DType::F32: t.bits[i] = bits; break;
      case DType::BF16: t.bits[i] = Bf16::encode(Fp32::decode(bits)); break;
      case DType::F16: t.bits[i] = Fp16::encode(Fp32::decode(bits)); break;
    }
  }
  return t;
}

}  // namespace ws::golden
