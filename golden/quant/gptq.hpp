// GPTQ (Frantar et al. 2022, "GPTQ: Accurate Post-Training Quantization for
// Generative Pre-trained Transformers"): rounds a layer's weights one column
// (input feature) at a time and spreads each column's rounding error over
// the columns not yet rounded, weighted by the inverse Hessian of the
// layer's squared output error, so that ||W X - Q X|| over the calibration
// inputs X is smaller than round-to-nearest gives. It stores the same form
// as asymmetric RTN (unsigned codes, fp16 scale and zero point per group),
// so dequantize() serves both.
//
// The algorithm as the paper gives it: H = 2 X^T X (cols x cols); a column i
// that no input reaches (H_ii = 0) gets H_ii = 1 and weight 0; dampening adds
// damp_fraction times the mean diagonal to the diagonal; U is the upper
// Cholesky factor of H^-1 (H^-1 = U^T U); column k is rounded to its group's
// grid, its error e = (w_k - q_k) / U_kk and w_j -= e * U_kj for every later
// column j. Updates are applied lazily: within a block of block_cols columns
// at once, to the columns past it when the block is done (the same result,
// up to the order of double additions).
//
// Group grids: without act_order a group's scale and zero point come from
// its weights as updated when its first column is reached (the lazy blocks
// are whole groups, so that is exact). With act_order columns go in order of
// descending H_ii (ties by index) and every group's grid is fixed up front
// from the original weights ("static groups"), so groups stay contiguous in
// storage whatever the order.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "golden/quant/quant_methods.hpp"

namespace ws::golden {

struct GptqOptions {
  int bits = 4;
  int group = 32;
  bool act_order = false;
  double damp_fraction = 0.01;  // of the mean of H's diagonal
  int block_cols = 128;         // lazy-update width; rounded up to whole groups
};

// hessian: cols x cols, row-major. Method name "gptq". Throws
// std::invalid_argument for a malformed Hessian (size, non-finite, not
// positive definite after dampening) and the checks of check_quant_input.
QuantResult gptq_quantize(std::span<const float> weights, int64_t rows, int64_t cols, std::span<const double> hessian,
                          const GptqOptions& options);

// H += 2 x x^T for one calibration input x of `cols` features; an empty H is
// first sized to cols x cols zeros.
void accumulate_hessian(std::vector<double>& H, std::span<const float> x, int64_t cols);

}  // namespace ws::golden
