// An n x n orthogonal transform made of butterfly stages, orthogonal by
// construction whatever its angles: the rotation applied to a model's
// residual stream before quantisation (docs/FORMAT.md 14.3).
//
// n = b * m with b the largest power of two dividing n; the transform is
// block-diagonal with m blocks of b (172 = 4 * 43: blocks of 4; 64: one
// block). Within a block, stage s (s = 0 .. log2(b) - 1) pairs element i
// with i + 2^s (i's bit s clear) and maps them, with its own angle t per pair,
//   (x_i, x_j) -> (cos t x_i + sin t x_j, sin t x_i - cos t x_j),
// a reflection, symmetric and its own inverse. Before the stages every
// element is multiplied by a sign, fixed by a seed:
//   R = S_(L-1) ... S_1 S_0 D.
// At t = pi/4 everywhere the stages are the fast Walsh-Hadamard transform
// (Sylvester order) divided by sqrt(b), so R is a randomised Hadamard
// transform (QuaRot): the starting point of the learned rotation.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace ws::golden {

class Butterfly {
 public:
  // At the randomised Hadamard point: every angle pi/4, signs from `seed`.
  Butterfly(int64_t n, uint64_t seed);

  int64_t size() const { return n_; }
  int64_t block() const { return block_; }
  int stages() const { return stages_; }
  // stages() * n / 2 angles, stage by stage, pairs in order of their first element.
  std::span<double> angles() { return angles_; }
  std::span<const double> angles() const { return angles_; }
  std::span<const int8_t> signs() const { return signs_; }

  // x <- R x (x of size n).
  void apply(std::span<double> x) const;
  // R as an n x n row-major matrix.
  std::vector<double> matrix() const;
  // The gradient of a loss with respect to the angles, given its gradient
  // with respect to the entries of R (n x n, row-major).
  std::vector<double> angle_gradient(std::span<const double> d_loss_d_matrix) const;

 private:
  // m <- S_stage m, m n x n row-major.
  void apply_stage(int stage, std::span<double> m) const;

  int64_t n_, block_;
  int stages_;
  std::vector<int8_t> signs_;
  std::vector<double> angles_;
};

}  // namespace ws::golden
