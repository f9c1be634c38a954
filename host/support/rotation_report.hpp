// The butterfly fit's outcome in a JSON report (encode and eval): null for
// the rotations that are not fitted.
#pragma once

#include <nlohmann/json.hpp>

#include "golden/quant/model_rotation.hpp"

namespace ws::host {

inline nlohmann::json rotation_fit_json(golden::RotationKind kind, const golden::RotationFitReport& fit) {
  if (kind != golden::RotationKind::Butterfly) return nullptr;
  return {{"start_error", fit.start_error}, {"end_error", fit.end_error}, {"best_iteration", fit.best_iteration}};
}

}  // namespace ws::host
