// A model's tensors coded for a container with a quantisation method: the
// matrices of linear layers (rank-2 tensors other than the token embedding
// and the classifier; every rank-2 tensor with `all`) stored quantised, the
// rest (norms, embeddings, vectors) coded losslessly as before.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "golden/codec/lossless_codec.hpp"
#include "golden/quant/model_quantizer.hpp"

namespace ws::golden {

// True for a tensor the method quantises.
bool is_quantized_matrix(const Tensor& t, bool all);

// Codes every matrix (is_quantized_matrix) with code_matrix(index, tensor) and
// the other tensors losslessly, table reuse among those renumbered into the
// full list; `progress` gets the count of tensors done.
std::vector<EncodedTensor> encode_matrices(std::span<const Tensor> tensors, bool all, const LosslessOptions& options,
                                           const std::function<EncodedTensor(size_t, const Tensor&)>& code_matrix,
                                           const std::function<void(size_t)>& progress = {});

// Throws std::invalid_argument for a request a tensor cannot take (naming the
// tensor), and Error(Internal) when a method's reconstruction differs from
// decoding its stored form.
std::vector<EncodedTensor> encode_with_method(std::span<const Tensor> tensors, const QuantRequest& request,
                                              const Hessians* hessians, bool all, const LosslessOptions& options,
                                              const std::function<void(size_t)>& progress = {});

// The tensor a quantised entry stands for: dequantised to fp32, then rounded
// to the entry's dtype (nearest even; exact for F32).
Tensor dequantized_tensor(const EncodedTensor& e);

}  // namespace ws::golden
