#include "golden/quant/gptq.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "golden/quant/rtn.hpp"

namespace ws::golden {
namespace {

// A square matrix of n x n doubles, row-major.
struct SquareMatrix {
  int64_t n = 0;
  std::vector<double> a;

  explicit SquareMatrix(int64_t size) : n(size), a(static_cast<size_t>(size * size), 0.0) {}
  double& operator()(int64_t i, int64_t j) { return a[static_cast<size_t>(i * n + j)]; }
  double operator()(int64_t i, int64_t j) const { return a[static_cast<size_t>(i * n + j)]; }
};

// A = L L^T for a symmetric positive definite A: L replaces A's lower
// triangle, the upper triangle becomes 0.
void cholesky_in_place(SquareMatrix& a) {
  for (int64_t j = 0; j < a.n; ++j) {
    double diagonal = a(j, j);
    for (int64_t k = 0; k < j; ++k) diagonal -= a(j, k) * a(j, k);
    if (!(diagonal > 0)) {
      throw std::invalid_argument("gptq: the dampened Hessian is not positive definite (pivot " + std::to_string(j) +
                                  ")");
    }
    a(j, j) = std::sqrt(diagonal);
    for (int64_t i = j + 1; i < a.n; ++i) {
      double sum = a(i, j);
      for (int64_t k = 0; k < j; ++k) sum -= a(i, k) * a(j, k);
      a(i, j) = sum / a(j, j);
    }
    for (int64_t i = 0; i < j; ++i) a(i, j) = 0;
  }
}

// L^-1 of a lower triangular L, in place: column j only reads columns > j
// (still L) and the entries of column j already inverted.
void invert_lower_in_place(SquareMatrix& l) {
  for (int64_t j = 0; j < l.n; ++j) {
    l(j, j) = 1 / l(j, j);
    for (int64_t i = j + 1; i < l.n; ++i) {
      double sum = l(i, j) * l(j, j);
      for (int64_t k = j + 1; k < i; ++k) sum += l(i, k) * l(k, j);
      l(i, j) = -sum / l(i, i);
    }
  }
}

// U with H^-1 = U^T U (upper triangular), replacing h: H = L L^T gives
// H^-1 = L^-T L^-1, whose Cholesky factor M = U^T. Two n x n matrices at most.
void upper_cholesky_of_inverse_in_place(SquareMatrix& h) {
  const int64_t n = h.n;
  cholesky_in_place(h);
  invert_lower_in_place(h);
  SquareMatrix inverse(n);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j <= i; ++j) {
      double sum = 0;
      for (int64_t k = i; k < n; ++k) sum += h(k, i) * h(k, j);
      inverse(i, j) = inverse(j, i) = sum;
    }
  }
  cholesky_in_place(inverse);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = i; j < n; ++j) h(i, j) = inverse(j, i);
    for (int64_t j = 0; j < i; ++j) h(i, j) = 0;
  }
}

IntGroupGrid group_grid(std::span<const double> values, int bits) {
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return asymmetric_grid(*lo, *hi, bits);
}

void check_hessian(std::span<const double> hessian, int64_t cols, const GptqOptions& options) {
  if (static_cast<int64_t>(hessian.size()) != cols * cols) {
    throw std::invalid_argument("gptq: the Hessian holds " + std::to_string(hessian.size()) +
                                " values, expected cols x cols = " + std::to_string(cols * cols));
  }
  if (!std::all_of(hessian.begin(), hessian.end(), [](double v) { return std::isfinite(v); })) {
    throw std::invalid_argument("gptq: the Hessian has a value that is not finite");
  }
  if (!(options.damp_fraction >= 0) || options.block_cols <= 0) {
    throw std::invalid_argument("gptq: damp_fraction must be >= 0 and block_cols > 0");
  }
}

}  // namespace

QuantResult gptq_quantize(std::span<const float> weights, int64_t rows, int64_t cols, std::span<const double> hessian,
                          const GptqOptions& options) {
  check_quant_input("gptq", weights, rows, cols, options.group);
  check_int_bits("gptq", options.bits);
  check_hessian(hessian, cols, options);
  const int64_t n = cols;
  const int64_t group = options.group;

  // Columns no input reaches: their weight does not matter, so it becomes 0
  // and H_ii = 1 keeps H invertible (their row and column of H are 0).
  std::vector<bool> dead(static_cast<size_t>(n), false);
  std::vector<double> diagonal(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    dead[j] = hessian[j * n + j] == 0;
    diagonal[j] = dead[j] ? 1.0 : hessian[j * n + j];
  }

  // order[k]: the column processed k-th.
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  if (options.act_order) {
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return diagonal[a] > diagonal[b]; });
  }
  const double damp =
      options.damp_fraction * std::accumulate(diagonal.begin(), diagonal.end(), 0.0) / static_cast<double>(n);
  SquareMatrix u(n);  // H in processing order, dampened; then U
  for (int64_t a = 0; a < n; ++a) {
    for (int64_t b = 0; b < n; ++b) u(a, b) = a == b ? diagonal[order[a]] + damp : hessian[order[a] * n + order[b]];
  }
  upper_cholesky_of_inverse_in_place(u);

  // Whole groups per lazy block (a row's short last group ends the last
  // block), so a group's grid sees all earlier updates.
  const int64_t block = group * ((options.block_cols + group - 1) / group);
  QuantResult result{int_tensor_layout("gptq", rows, cols, options.bits, options.group, false),
                     std::vector<float>(weights.size())};
  const QuantizedTensor& layout = result.stored;
  // Every row is cut alike, so row 0's group numbers and spans serve as a row's own.
  const int64_t per_row = layout.groups_per_row();
  std::vector<double> original(static_cast<size_t>(n)), w(static_cast<size_t>(n)), error(static_cast<size_t>(block));
  std::vector<IntGroupGrid> grids(static_cast<size_t>(per_row));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < n; ++j) original[j] = dead[j] ? 0.0 : double{weights[r * n + j]};
    for (int64_t k = 0; k < n; ++k) w[k] = original[order[k]];
    if (options.act_order) {  // static groups
      for (int64_t g = 0; g < per_row; ++g) {
        const auto [first, count] = layout.group_span(g);
        grids[g] = group_grid(std::span(original).subspan(static_cast<size_t>(first), static_cast<size_t>(count)),
                              options.bits);
      }
    }
    for (int64_t start = 0; start < n; start += block) {
      const int64_t end = std::min(start + block, n);
      for (int64_t k = start; k < end; ++k) {
        const int64_t column = order[k];
        const int64_t g = layout.group_of(column);
        const QuantizedTensor::Span span = layout.group_span(g);
        if (!options.act_order && span.first == k) {  // processing order is storage order here
          grids[g] =
              group_grid(std::span(w).subspan(static_cast<size_t>(k), static_cast<size_t>(span.count)), options.bits);
        }
        if (!std::isfinite(w[k])) {
          throw std::invalid_argument("gptq: the error feedback overflowed in row " + std::to_string(r) +
                                      " (weights too large for this Hessian)");
        }
        const IntGroupGrid& grid = grids[g];
        const int32_t code = grid.nearest_code(w[k]);
        const double rounded = grid.value(code);
        store_code(result.stored, r * n + column, code);
        result.dequantized[r * n + column] = static_cast<float>(rounded);
        const double e = (w[k] - rounded) / u(k, k);
        for (int64_t j = k + 1; j < end; ++j) w[j] -= e * u(k, j);
        error[k - start] = e;
      }
      for (int64_t k = start; k < end; ++k) {  // the block's deferred update of the later columns
        for (int64_t j = end; j < n; ++j) w[j] -= error[k - start] * u(k, j);
      }
    }
    for (int64_t g = 0; g < per_row; ++g) store_grid(result.stored, r * per_row + g, grids[g]);
  }
  return result;
}

void accumulate_hessian(std::vector<double>& H, std::span<const float> x, int64_t cols) {
  if (cols <= 0 || static_cast<int64_t>(x.size()) != cols) {
    throw std::invalid_argument("accumulate_hessian: the input holds " + std::to_string(x.size()) +
                                " values, expected cols = " + std::to_string(cols));
  }
  if (H.empty()) H.assign(static_cast<size_t>(cols * cols), 0.0);
  if (static_cast<int64_t>(H.size()) != cols * cols) {
    throw std::invalid_argument("accumulate_hessian: H holds " + std::to_string(H.size()) +
                                " values, expected cols x cols = " + std::to_string(cols * cols));
  }
  for (int64_t i = 0; i < cols; ++i) {
    const double twice_xi = 2.0 * x[i];
    for (int64_t j = 0; j < cols; ++j) H[i * cols + j] += twice_xi * x[j];
  }
}

}  // namespace ws::golden
