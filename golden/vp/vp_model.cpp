#include "golden/vp/vp_model.hpp"

#include <fnmatch.h>

#include <stdexcept>

#include "golden/quant/model_encoder.hpp"

namespace ws::golden::vp {

QualityFloor VpRequest::floor_for(const std::string& name) const {
  for (const auto& [pattern, f] : overrides) {
    if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) {
      QualityFloor chosen = f;
      chosen.per_row = floor.per_row;
      return chosen;
    }
  }
  return floor;
}

std::pair<std::string, QualityFloor> parse_quality_for(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw std::invalid_argument("--quality-for '" + text + "': expected PATTERN=FLOOR, e.g. 'layers.*.attention.*=sqnr=40dB'");
  }
  return {text.substr(0, eq), parse_quality(text.substr(eq + 1))};
}

VpModelEncoding encode_vp_model(std::span<const Tensor> tensors, const VpRequest& request,
                                const LosslessOptions& lossless, const std::function<void(size_t)>& progress) {
  VpModelEncoding out;
  out.tensors.resize(tensors.size());
  std::vector<Tensor> plain;
  std::vector<size_t> plain_index;  // where each lossless tensor goes in the full list
  VpCodingOptions coding = request.coding;
  coding.lanes = lossless.lanes;
  coding.min_weights_per_lane = lossless.min_weights_per_lane;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (!is_quantized_matrix(t, request.all)) {
      plain.push_back(t);
      plain_index.push_back(i);
      continue;
    }
    VpTensorOutcome o{i, request.floor_for(t.name), {}, {}};
    o.choice = choose_vp(t, o.floor, coding);
    o.ecsq = ecsq_for_floor(t, o.floor);
    out.tensors[i] = o.choice.encoded;
    out.outcomes.push_back(std::move(o));
    if (progress) progress(i + 1);
  }
  std::vector<EncodedTensor> coded = encode_lossless(plain, lossless);
  for (size_t k = 0; k < coded.size(); ++k) {
    // Table reuse refers to tensors of the lossless list: renumber into the full list.
    if (coded[k].table_source >= 0) coded[k].table_source = static_cast<int>(plain_index[coded[k].table_source]);
    out.tensors[plain_index[k]] = std::move(coded[k]);
  }
  if (progress) progress(tensors.size());
  return out;
}

}  // namespace ws::golden::vp
