#include "golden/quant/butterfly.hpp"

#include <bit>
#include <cmath>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>

namespace ws::golden {

Butterfly::Butterfly(int64_t n, uint64_t seed) : n_(n) {
  if (n < 1) throw std::invalid_argument("a rotation needs a positive size, not " + std::to_string(n));
  block_ = n & -n;  // the largest power of two dividing n
  stages_ = std::countr_zero(static_cast<uint64_t>(block_));
  std::mt19937_64 rng(seed);
  signs_.resize(static_cast<size_t>(n));
  for (int8_t& s : signs_) s = (rng() >> 63) != 0 ? -1 : 1;
  angles_.assign(static_cast<size_t>(stages_ * n / 2), std::numbers::pi / 4);
}

void Butterfly::apply_stage(int stage, std::span<double> m) const {
  const int64_t half = int64_t{1} << stage;
  const double* angle = angles_.data() + stage * n_ / 2;
  for (int64_t i = 0; i < n_; ++i) {
    if ((i & half) != 0) continue;
    const int64_t j = i + half;
    const double c = std::cos(*angle), s = std::sin(*angle);
    ++angle;
    double* xi = m.data() + i * n_;
    double* xj = m.data() + j * n_;
    for (int64_t k = 0; k < n_; ++k) {
      const double a = xi[k], b = xj[k];
      xi[k] = c * a + s * b;
      xj[k] = s * a - c * b;
    }
  }
}

void Butterfly::apply(std::span<double> x) const {
  for (int64_t i = 0; i < n_; ++i) x[i] *= signs_[i];
  for (int stage = 0; stage < stages_; ++stage) {
    const int64_t half = int64_t{1} << stage;
    const double* angle = angles_.data() + stage * n_ / 2;
    for (int64_t i = 0; i < n_; ++i) {
      if ((i & half) != 0) continue;
      const double c = std::cos(*angle), s = std::sin(*angle);
      ++angle;
      const double a = x[i], b = x[i + half];
      x[i] = c * a + s * b;
      x[i + half] = s * a - c * b;
    }
  }
}

std::vector<double> Butterfly::matrix() const {
  std::vector<double> r(static_cast<size_t>(n_ * n_), 0.0);
  for (int64_t i = 0; i < n_; ++i) r[i * n_ + i] = signs_[i];
  for (int stage = 0; stage < stages_; ++stage) apply_stage(stage, r);
  return r;
}

std::vector<double> Butterfly::angle_gradient(std::span<const double> d_loss_d_matrix) const {
  if (d_loss_d_matrix.size() != static_cast<size_t>(n_ * n_)) {
    throw std::invalid_argument("angle_gradient: the gradient must be n x n");
  }
  // Forward: the matrix before each stage. Backward: a stage is its own
  // transpose, so the gradient passes back through it by applying it.
  std::vector<std::vector<double>> before(static_cast<size_t>(stages_));
  std::vector<double> m(static_cast<size_t>(n_ * n_), 0.0);
  for (int64_t i = 0; i < n_; ++i) m[i * n_ + i] = signs_[i];
  for (int stage = 0; stage < stages_; ++stage) {
    before[stage] = m;
    apply_stage(stage, m);
  }
  std::vector<double> gradient(angles_.size(), 0.0);
  std::vector<double> g(d_loss_d_matrix.begin(), d_loss_d_matrix.end());  // d loss / d (output of the stage)
  for (int stage = stages_ - 1; stage >= 0; --stage) {
    const int64_t half = int64_t{1} << stage;
    const std::vector<double>& x = before[stage];
    int64_t pair = stage * n_ / 2;
    for (int64_t i = 0; i < n_; ++i) {
      if ((i & half) != 0) continue;
      const int64_t j = i + half;
      const double c = std::cos(angles_[pair]), s = std::sin(angles_[pair]);
      double sum = 0;
      for (int64_t k = 0; k < n_; ++k) {
        const double a = x[i * n_ + k], b = x[j * n_ + k];
        sum += g[i * n_ + k] * (-s * a + c * b) + g[j * n_ + k] * (c * a + s * b);
      }
      gradient[pair++] = sum;
    }
    apply_stage(stage, g);
  }
  return gradient;
}

}  // namespace ws::golden
