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
  VpCodingOptions coding = request.coding;
  coding.lanes = lossless.lanes;
  coding.min_weights_per_lane = lossless.min_weights_per_lane;
  const auto code = [&](size_t index, const Tensor& t) {
    VpTensorOutcome o{index, request.floor_for(t.name), {}, {}};
    o.choice = choose_vp(t, o.floor, coding);
    o.ecsq = ecsq_for_floor(t, o.floor);
    out.outcomes.push_back(std::move(o));
    return out.outcomes.back().choice.encoded;
  };
  out.tensors = encode_matrices(tensors, request.all, lossless, code, progress);
  return out;
}

}  // namespace ws::golden::vp
