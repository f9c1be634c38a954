// Rotations before quantisation (`--rotate hadamard|butterfly`, docs/FORMAT.md
// 14.3), folded into a llama2 model's weights so that the fp32 model computes
// the same function and nothing is added at inference:
//
// 1. fold_norms: every RMSNorm weight is multiplied into the matrices that
//    read its output (rms_att into the columns of wq, wk, wv; rms_ffn into
//    w1, w3; rms_final into the classifier) and set to 1, so the norms
//    commute with any rotation. A classifier shared with the embedding is
//    untied first: the two now differ by the folded rms_final (and by R).
// 2. rotate_values: per attention head, v' = H v (wv's rows of each kv head)
//    and wo's columns of each head times H^T; H a randomised Hadamard
//    transform of head_size. Attention mixes positions, not channels, so this
//    is exact.
// 3. rotate_residual: the residual stream becomes x' = R x: the embedding's
//    rows and the matrices that write the stream (wo, w2) are multiplied by R
//    on the left, the matrices that read the normalised stream (wq, wk, wv,
//    w1, w3, classifier) by R^T on the right.
//
// Not rotated: the feed-forward hidden state (w2's input) and q/k, which need
// a transform at inference time (after the SwiGLU, after RoPE) that the
// datapath does not have; so a hidden size such as stories260K's 172 never
// needs a Hadamard matrix. A residual size that is not a power of two gets a
// block-diagonal rotation (butterfly.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "golden/model/llama2_weights.hpp"
#include "golden/quant/butterfly.hpp"
#include "golden/quant/model_quantizer.hpp"

namespace ws::golden {

enum class RotationKind : uint8_t { None, Hadamard, Butterfly };
std::optional<RotationKind> parse_rotation(std::string_view name);  // "none", "hadamard", "butterfly"
std::string_view rotation_name(RotationKind kind);

Llama2Weights fold_norms(const Llama2Weights& reference);
// Both throw std::invalid_argument when a rotation's size does not match the
// model, and rotate_residual when a norm weight is not 1 (fold first).
Llama2Weights rotate_values(const Llama2Weights& folded, const Butterfly& head);
Llama2Weights rotate_residual(const Llama2Weights& folded, const Butterfly& residual);

// Learning the residual rotation (SpinQuant-style, on weights alone): from
// the randomised Hadamard point, Adam on the butterfly angles minimises the
// quantisation error of the rotated matrices on calibration activations,
// sum over matrices of tr(E H E^T) / tr(W H W^T) with E the error mapped back
// to the unrotated basis and H = 2 X^T X of the matrix's inputs, plus a
// uniformity term (the rotated weights' kurtosis, scaled so that it starts at
// `uniformity` times the error). The codes are re-rounded every step and held
// fixed for the gradient (straight-through). The rotation with the lowest
// error seen is kept, so the fit never ends worse than its start.
struct RotationFit {
  int iterations = 300;
  double learning_rate = 0.001;  // radians
  double uniformity = 0.1;
};
struct RotationFitReport {
  double start_error = 0, end_error = 0;  // the error term above, at the Hadamard point and at the kept rotation
  int best_iteration = 0;
};
// `folded`: fold_norms (and rotate_values) applied; `hessians` of its matrices'
// inputs; `quantiser` the method the rotated model will be quantised with
// (gptq is fitted through rtn-asym of its bits and group, dbf through
// onebit). Deterministic.
Butterfly fit_butterfly(const Llama2Weights& folded, const Hessians& hessians, const QuantRequest& quantiser, bool all,
                        Butterfly start, const RotationFit& fit, RotationFitReport* report = nullptr);

struct RotationOptions {
  RotationKind kind = RotationKind::None;
  uint64_t seed = 1;  // the sign patterns
  // Calibration text for the butterfly fit, which the model samples itself.
  int calibration_sequences = 8, calibration_positions = 256;
  uint64_t calibration_seed = 1000004;
  RotationFit fit;
};
struct RotatedModel {
  Llama2Weights weights;  // reference itself for RotationKind::None
  RotationFitReport fit;  // butterfly only
  double seconds = 0;     // folding, calibration and fitting
};
// Steps 1 to 3 with R the randomised Hadamard transform or the fitted butterfly.
RotatedModel rotate_model(const Llama2Weights& reference, const RotationOptions& options, const QuantRequest& quantiser,
                          bool all);

}  // namespace ws::golden
