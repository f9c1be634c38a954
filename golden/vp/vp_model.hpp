// A model's tensors coded with the variable-precision type (encode --method
// vp): the matrices of linear layers (is_quantized_matrix) each at the floor
// its name asks for, the rest (norms, vectors, the embedding and classifier
// unless `all`) losslessly as before.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "golden/vp/vp_search.hpp"

namespace ws::golden::vp {

struct VpRequest {
  QualityFloor floor;                                            // every vp tensor's, unless a pattern matches
  std::vector<std::pair<std::string, QualityFloor>> overrides;   // name glob (fnmatch, '*' crosses dots) -> floor
  bool all = false;                                              // every rank-2 tensor
  VpCodingOptions coding;

  // The floor of a tensor: the first pattern that matches its name, else `floor`.
  QualityFloor floor_for(const std::string& name) const;
};

// "PATTERN=FLOOR", e.g. "layers.*.attention.*=sqnr=40dB"; throws std::invalid_argument.
std::pair<std::string, QualityFloor> parse_quality_for(const std::string& text);

struct VpTensorOutcome {
  size_t index = 0;      // in the model's tensor list
  QualityFloor floor;
  VpChoice choice;
  EcsqPoint ecsq;        // ideal ECSQ at the same floor
};

struct VpModelEncoding {
  std::vector<EncodedTensor> tensors;
  std::vector<VpTensorOutcome> outcomes;  // the vp tensors
};

VpModelEncoding encode_vp_model(std::span<const Tensor> tensors, const VpRequest& request,
                                const LosslessOptions& lossless, const std::function<void(size_t)>& progress = {});

}  // namespace ws::golden::vp
