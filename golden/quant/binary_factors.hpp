// Weights as products of sign matrices and scales (docs/FORMAT.md 14.4):
//
//  dbf     double binary factorisation, W ~ diag(a) A diag(m) B diag(b) with
//          A (rows x k) and B (k x cols) in {-1, +1}: a layer is two
//          sign-matrix products (additions and subtractions only) and three
//          scalings. k follows from the target bits per weight, every stored
//          bit counted: (k (rows + cols) + 16 (rows + k + cols)) / (rows cols).
//  onebit  a single binary factor (OneBit-style), W ~ diag(a) S diag(b) with
//          S = sign(W): 1 bit per weight plus 16 (rows + cols) / (rows cols).
//
// Both fit with importance weights: the diagonal of H = 2 X^T X of the layer's
// inputs weighs column j's error by H_jj (null: every column alike). The
// column weights fold into diag(b) exactly, so the fit minimises the plain
// error of W diag(sqrt(H_jj)) and divides b by sqrt(H_jj) at the end.
//
// dbf: a rank-k start (subspace iteration), each factor split into signs and
// a rank-1 magnitude, then rounds of (least-squares scales a, b, m; sign
// flips of A row by row and of B column by column that lower the error);
// deterministic. Scales are stored as fp16 (a and b normalised to a largest
// magnitude of 1, m refitted to the rounded a and b before it is rounded).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "golden/quant/quant_methods.hpp"

namespace ws::golden {

// The largest k whose bits per weight stay at or under `target_bits`; 0 when
// even k = 1 does not fit.
int64_t dbf_middle_dimension(int64_t rows, int64_t cols, double target_bits);

QuantResult dbf_quantize(std::span<const float> weights, int64_t rows, int64_t cols, double target_bits,
                         const std::vector<double>* hessian, int rounds = 12);
QuantResult onebit_quantize(std::span<const float> weights, int64_t rows, int64_t cols,
                            const std::vector<double>* hessian);

// y = W x for a stored dbf or onebit tensor, the way the hardware would:
// t = b o x; u = B t (sign-matrix product); u = m o u; v = A u (sign-matrix
// product); y = a o v, in double. On a unit vector it gives dequantize()'s
// column bit for bit (after rounding to fp32).
std::vector<double> binary_factor_apply(const QuantizedTensor& q, std::span<const double> x);

}  // namespace ws::golden
