#include "golden/quant/binary_factors.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "golden/formats/float_format.hpp"

namespace ws::golden {
namespace {

using Dense = std::vector<double>;  // row-major

double fp16_value(double v) { return to_double(Fp16::decode(Fp16::encode(std::clamp(v, -65504.0, 65504.0)))); }
// A scale's pattern; never -0, so that a zero scale reads the same on every path.
uint32_t fp16_pattern(double v) {
  const uint32_t p = Fp16::encode(std::clamp(v, -65504.0, 65504.0));
  return (p & 0x7fffu) == 0 ? 0 : p;
}
double sign(double v) { return v < 0 ? -1.0 : 1.0; }

// sqrt of each column's importance relative to the mean (a column no input
// reached gets a small positive weight, so that b stays finite).
std::vector<double> column_weights(std::string_view method, const std::vector<double>* hessian, int64_t cols) {
  std::vector<double> w = hessian_diagonal(method, hessian, cols);
  double mean = 0;
  for (double d : w) mean += d / static_cast<double>(cols);
  for (double& d : w) d = mean > 0 ? std::sqrt(std::max(d / mean, 1e-6)) : 1.0;
  return w;
}

// W diag(importance): the matrix the fits work on.
Dense weighted_columns(std::span<const float> weights, int64_t rows, int64_t cols,
                       const std::vector<double>& importance) {
  Dense w(static_cast<size_t>(rows * cols));
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) w[i * cols + j] = double{weights[i * cols + j]} * importance[j];
  }
  return w;
}

// |M| ~ u v^T (rows x cols) by alternating least squares: the magnitudes of a
// sign-split factor.
void rank1_magnitudes(const Dense& m, int64_t rows, int64_t cols, std::vector<double>& u, std::vector<double>& v) {
  u.assign(static_cast<size_t>(rows), 1.0);
  v.assign(static_cast<size_t>(cols), 1.0);
  for (int iteration = 0; iteration < 20; ++iteration) {
    double vv = 0;
    for (double x : v) vv += x * x;
    for (int64_t i = 0; i < rows; ++i) {
      double s = 0;
      for (int64_t j = 0; j < cols; ++j) s += std::abs(m[i * cols + j]) * v[j];
      u[i] = vv > 0 ? s / vv : 0;
    }
    double uu = 0;
    for (double x : u) uu += x * x;
    for (int64_t j = 0; j < cols; ++j) {
      double s = 0;
      for (int64_t i = 0; i < rows; ++i) s += std::abs(m[i * cols + j]) * u[i];
      v[j] = uu > 0 ? s / uu : 0;
    }
  }
}

// Orthonormal columns of y (rows x k), modified Gram-Schmidt; a column that
// vanishes is left at zero.
void orthonormalise(Dense& y, int64_t rows, int64_t k) {
  for (int64_t c = 0; c < k; ++c) {
    for (int64_t p = 0; p < c; ++p) {
      double dot = 0;
      for (int64_t i = 0; i < rows; ++i) dot += y[i * k + c] * y[i * k + p];
      for (int64_t i = 0; i < rows; ++i) y[i * k + c] -= dot * y[i * k + p];
    }
    double norm = 0;
    for (int64_t i = 0; i < rows; ++i) norm += y[i * k + c] * y[i * k + c];
    norm = std::sqrt(norm);
    for (int64_t i = 0; i < rows; ++i) y[i * k + c] = norm > 1e-300 ? y[i * k + c] / norm : 0.0;
  }
}

// Solves (G + ridge I) x = r for a symmetric positive semidefinite G (n x n) by Cholesky.
std::vector<double> solve_spd(Dense g, std::vector<double> r, int64_t n) {
  double trace = 0;
  for (int64_t i = 0; i < n; ++i) trace += g[i * n + i];
  const double ridge = 1e-10 * (trace > 0 ? trace / static_cast<double>(n) : 1.0);
  for (int64_t i = 0; i < n; ++i) g[i * n + i] += ridge;
  for (int64_t j = 0; j < n; ++j) {
    double d = g[j * n + j];
    for (int64_t p = 0; p < j; ++p) d -= g[j * n + p] * g[j * n + p];
    d = std::sqrt(std::max(d, 1e-300));
    g[j * n + j] = d;
    for (int64_t i = j + 1; i < n; ++i) {
      double s = g[i * n + j];
      for (int64_t p = 0; p < j; ++p) s -= g[i * n + p] * g[j * n + p];
      g[i * n + j] = s / d;
    }
  }
  for (int64_t i = 0; i < n; ++i) {  // L y = r
    for (int64_t p = 0; p < i; ++p) r[i] -= g[i * n + p] * r[p];
    r[i] /= g[i * n + i];
  }
  for (int64_t i = n - 1; i >= 0; --i) {  // L^T x = y
    for (int64_t p = i + 1; p < n; ++p) r[i] -= g[p * n + i] * r[p];
    r[i] /= g[i * n + i];
  }
  return r;
}

// The factorisation being fitted, in the weighted space.
struct Factors {
  int64_t rows, cols, k;
  Dense sa, sb;  // signs, rows x k and k x cols
  std::vector<double> a, m, b;

  // P = diag(m) B diag(b) (k x cols) and N = diag(a) A diag(m) (rows x k).
  Dense right() const {
    Dense p(static_cast<size_t>(k * cols));
    for (int64_t l = 0; l < k; ++l) {
      for (int64_t j = 0; j < cols; ++j) p[l * cols + j] = m[l] * sb[l * cols + j] * b[j];
    }
    return p;
  }
  Dense left() const {
    Dense n(static_cast<size_t>(rows * k));
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t l = 0; l < k; ++l) n[i * k + l] = a[i] * sa[i * k + l] * m[l];
    }
    return n;
  }
  Dense product() const {
    const Dense p = right();
    Dense w(static_cast<size_t>(rows * cols), 0.0);
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t l = 0; l < k; ++l) {
        const double f = a[i] * sa[i * k + l];
        for (int64_t j = 0; j < cols; ++j) w[i * cols + j] += f * p[l * cols + j];
      }
    }
    return w;
  }
};

double squared_error(const Dense& w, const Dense& approx) {
  double e = 0;
  for (size_t i = 0; i < w.size(); ++i) e += (w[i] - approx[i]) * (w[i] - approx[i]);
  return e;
}

// Least-squares a (per row), b (per column) and m (a k x k system), each with the others fixed.
void fit_rows(Factors& f, const Dense& w) {
  const int64_t rows = f.rows, cols = f.cols, k = f.k;
  {
    const Dense p = f.right();
    for (int64_t i = 0; i < rows; ++i) {
      std::vector<double> row(static_cast<size_t>(cols), 0.0);
      for (int64_t l = 0; l < k; ++l) {
        for (int64_t j = 0; j < cols; ++j) row[j] += f.sa[i * k + l] * p[l * cols + j];
      }
      double num = 0, den = 0;
      for (int64_t j = 0; j < cols; ++j) num += w[i * cols + j] * row[j], den += row[j] * row[j];
      f.a[i] = den > 0 ? num / den : 0;
    }
  }
}

void fit_columns(Factors& f, const Dense& w) {
  const int64_t rows = f.rows, cols = f.cols, k = f.k;
  {
    const Dense n = f.left();
    std::vector<double> num(static_cast<size_t>(cols), 0.0), den(static_cast<size_t>(cols), 0.0);
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < cols; ++j) {
        double q = 0;
        for (int64_t l = 0; l < k; ++l) q += n[i * k + l] * f.sb[l * cols + j];
        num[j] += w[i * cols + j] * q;
        den[j] += q * q;
      }
    }
    for (int64_t j = 0; j < cols; ++j) f.b[j] = den[j] > 0 ? num[j] / den[j] : 0;
  }
}

void fit_middle(Factors& f, const Dense& w) {
  const int64_t rows = f.rows, cols = f.cols, k = f.k;
  // W ~ sum_l m_l u_l v_l^T, u_l = a o A_l, v_l = b o B_l.
  Dense uu(static_cast<size_t>(k * k), 0.0), vv(static_cast<size_t>(k * k), 0.0);
  for (int64_t l = 0; l < k; ++l) {
    for (int64_t p = 0; p <= l; ++p) {
      double su = 0, sv = 0;
      for (int64_t i = 0; i < rows; ++i) su += f.a[i] * f.a[i] * f.sa[i * k + l] * f.sa[i * k + p];
      for (int64_t j = 0; j < cols; ++j) sv += f.b[j] * f.b[j] * f.sb[l * cols + j] * f.sb[p * cols + j];
      uu[l * k + p] = uu[p * k + l] = su;
      vv[l * k + p] = vv[p * k + l] = sv;
    }
  }
  Dense g(static_cast<size_t>(k * k));
  for (size_t i = 0; i < g.size(); ++i) g[i] = uu[i] * vv[i];
  std::vector<double> r(static_cast<size_t>(k), 0.0);
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      const double x = w[i * cols + j] * f.a[i] * f.b[j];
      if (x == 0) continue;
      for (int64_t l = 0; l < k; ++l) r[l] += x * f.sa[i * k + l] * f.sb[l * cols + j];
    }
  }
  f.m = solve_spd(std::move(g), std::move(r), k);
}

void fit_scales(Factors& f, const Dense& w) {
  fit_rows(f, w);
  fit_columns(f, w);
  fit_middle(f, w);
}

// Flips single signs of A (row by row) and then of B (column by column) while
// a flip lowers the error.
void flip_signs(Factors& f, const Dense& w) {
  const int64_t rows = f.rows, cols = f.cols, k = f.k;
  {
    const Dense p = f.right();
    std::vector<double> p_norm(static_cast<size_t>(k), 0.0);
    for (int64_t l = 0; l < k; ++l) {
      for (int64_t j = 0; j < cols; ++j) p_norm[l] += p[l * cols + j] * p[l * cols + j];
    }
    std::vector<double> residual(static_cast<size_t>(cols));
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < cols; ++j) residual[j] = w[i * cols + j];
      for (int64_t l = 0; l < k; ++l) {
        const double f_il = f.a[i] * f.sa[i * k + l];
        for (int64_t j = 0; j < cols; ++j) residual[j] -= f_il * p[l * cols + j];
      }
      for (int64_t l = 0; l < k; ++l) {
        // Flipping A_il adds d = -2 a_i A_il P_l to the approximation.
        const double c = -2 * f.a[i] * f.sa[i * k + l];
        double dot = 0;
        for (int64_t j = 0; j < cols; ++j) dot += residual[j] * p[l * cols + j];
        if (-2 * c * dot + c * c * p_norm[l] < 0) {
          f.sa[i * k + l] = -f.sa[i * k + l];
          for (int64_t j = 0; j < cols; ++j) residual[j] -= c * p[l * cols + j];
        }
      }
    }
  }
  {
    const Dense n = f.left();
    std::vector<double> n_norm(static_cast<size_t>(k), 0.0);
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t l = 0; l < k; ++l) n_norm[l] += n[i * k + l] * n[i * k + l];
    }
    std::vector<double> residual(static_cast<size_t>(rows));
    for (int64_t j = 0; j < cols; ++j) {
      for (int64_t i = 0; i < rows; ++i) {
        double s = 0;
        for (int64_t l = 0; l < k; ++l) s += n[i * k + l] * f.sb[l * cols + j];
        residual[i] = w[i * cols + j] - f.b[j] * s;
      }
      for (int64_t l = 0; l < k; ++l) {
        const double c = -2 * f.b[j] * f.sb[l * cols + j];
        double dot = 0;
        for (int64_t i = 0; i < rows; ++i) dot += residual[i] * n[i * k + l];
        if (-2 * c * dot + c * c * n_norm[l] < 0) {
          f.sb[l * cols + j] = -f.sb[l * cols + j];
          for (int64_t i = 0; i < rows; ++i) residual[i] -= c * n[i * k + l];
        }
      }
    }
  }
}

// Scales a vector to a largest magnitude of 1, returning the factor taken out.
double normalise(std::vector<double>& v) {
  double largest = 0;
  for (double x : v) largest = std::max(largest, std::abs(x));
  if (largest == 0) return 1;
  for (double& x : v) x /= largest;
  return largest;
}

QuantizedTensor factored_layout(std::string method, CodeKind kind, int64_t rows, int64_t cols, int64_t k) {
  QuantizedTensor q;
  q.method = std::move(method);
  q.rows = rows;
  q.cols = cols;
  q.group = static_cast<int>(kind == CodeKind::BinaryFactors ? k : 1);
  q.code_kind = kind;
  q.code_bits = 1;
  q.scale_kind = ScaleKind::Fp16;
  q.codes.resize(static_cast<size_t>(q.code_count()));
  q.scales.resize(static_cast<size_t>(q.scale_count()));
  return q;
}

// Every column of W through binary_factor_apply: the method's own reconstruction.
std::vector<float> reconstruct(const QuantizedTensor& q) {
  std::vector<float> w(static_cast<size_t>(q.size()));
  std::vector<double> unit(static_cast<size_t>(q.cols), 0.0);
  for (int64_t j = 0; j < q.cols; ++j) {
    unit[j] = 1;
    const std::vector<double> column = binary_factor_apply(q, unit);
    for (int64_t i = 0; i < q.rows; ++i) w[i * q.cols + j] = static_cast<float>(column[i]);
    unit[j] = 0;
  }
  return w;
}

}  // namespace

int64_t dbf_middle_dimension(int64_t rows, int64_t cols, double target_bits) {
  const double k = (target_bits * static_cast<double>(rows) * static_cast<double>(cols) - 16.0 * (rows + cols)) /
                   static_cast<double>(rows + cols + 16);
  return k >= 1 ? static_cast<int64_t>(std::floor(k)) : 0;
}

QuantResult dbf_quantize(std::span<const float> weights, int64_t rows, int64_t cols, double target_bits,
                         const std::vector<double>* hessian, int rounds) {
  check_quant_input("dbf", weights, rows, cols, 1);
  if (!(target_bits > 0 && target_bits <= 16)) {
    throw std::invalid_argument("dbf: bits per weight " + std::to_string(target_bits) + " is not in (0, 16]");
  }
  const int64_t k = dbf_middle_dimension(rows, cols, target_bits);
  if (k < 1) {
    throw std::invalid_argument("dbf: " + std::to_string(target_bits) +
                                " bits per weight cannot hold the scales of a " + std::to_string(rows) + " x " +
                                std::to_string(cols) + " matrix (k = 1 needs " +
                                std::to_string((rows + cols + 16.0 * (rows + 1 + cols)) / (rows * cols)) + ")");
  }
  const std::vector<double> importance = column_weights("dbf", hessian, cols);
  const Dense w = weighted_columns(weights, rows, cols, importance);

  // Rank-k start: subspace iteration from a fixed random block (columns
  // beyond the rank of W stay zero and get their signs from the magnitudes).
  Dense y(static_cast<size_t>(rows * k));
  std::mt19937_64 rng(0x5eed);
  std::normal_distribution<double> normal;
  for (double& v : y) v = normal(rng);
  orthonormalise(y, rows, k);
  for (int iteration = 0; iteration < 4; ++iteration) {
    Dense z(static_cast<size_t>(cols * k), 0.0);  // W^T Y
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < cols; ++j) {
        for (int64_t l = 0; l < k; ++l) z[j * k + l] += w[i * cols + j] * y[i * k + l];
      }
    }
    std::ranges::fill(y, 0.0);
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < cols; ++j) {
        for (int64_t l = 0; l < k; ++l) y[i * k + l] += w[i * cols + j] * z[j * k + l];
      }
    }
    orthonormalise(y, rows, k);
  }
  // Directions beyond W's rank (k above min(rows, cols)): random signs, for the flips and scales to use.
  std::uniform_int_distribution<int> coin(0, 1);
  for (int64_t l = 0; l < k; ++l) {
    bool zero = true;
    for (int64_t i = 0; i < rows && zero; ++i) zero = y[i * k + l] == 0;
    if (!zero) continue;
    for (int64_t i = 0; i < rows; ++i) y[i * k + l] = (coin(rng) ? 1.0 : -1.0) / std::sqrt(static_cast<double>(rows));
  }
  Dense v(static_cast<size_t>(k * cols), 0.0);  // Y^T W
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t l = 0; l < k; ++l) {
      for (int64_t j = 0; j < cols; ++j) v[l * cols + j] += y[i * k + l] * w[i * cols + j];
    }
  }
  Factors f{rows, cols, k, Dense(y.size()), Dense(v.size()), {}, {}, {}};
  for (size_t i = 0; i < y.size(); ++i) f.sa[i] = sign(y[i]);
  for (size_t i = 0; i < v.size(); ++i) f.sb[i] = sign(v[i]);
  std::vector<double> c, e;
  rank1_magnitudes(y, rows, k, f.a, c);
  rank1_magnitudes(v, k, cols, e, f.b);
  f.m.resize(static_cast<size_t>(k));
  for (int64_t l = 0; l < k; ++l) f.m[l] = c[l] * e[l];

  Factors best = f;
  double best_error = INFINITY;
  for (int round = 0; round < rounds; ++round) {
    fit_scales(f, w);
    const double error = squared_error(w, f.product());
    if (error < best_error) best_error = error, best = f;
    flip_signs(f, w);
  }
  fit_scales(f, w);
  if (squared_error(w, f.product()) < best_error) best = f;

  // fp16 scales: a and b (unweighted) normalised to 1, m refitted to them.
  f = best;
  for (int64_t j = 0; j < cols; ++j) f.b[j] /= importance[j];
  const double a_scale = normalise(f.a), b_scale = normalise(f.b);
  for (double& x : f.a) x = fp16_value(x);
  for (double& x : f.b) x = fp16_value(x);
  for (double& x : f.m) x *= a_scale * b_scale;
  Factors weighted = f;  // m against the weighted target, with the rounded a and b
  for (int64_t j = 0; j < cols; ++j) weighted.b[j] *= importance[j];
  fit_middle(weighted, w);
  f.m = weighted.m;
  QuantizedTensor q = factored_layout("dbf", CodeKind::BinaryFactors, rows, cols, k);
  for (int64_t i = 0; i < rows * k; ++i) q.codes[i] = f.sa[i] < 0;
  for (int64_t i = 0; i < k * cols; ++i) q.codes[rows * k + i] = f.sb[i] < 0;
  for (int64_t i = 0; i < rows; ++i) q.scales[i] = fp16_pattern(f.a[i]);
  for (int64_t l = 0; l < k; ++l) q.scales[rows + l] = fp16_pattern(f.m[l]);
  for (int64_t j = 0; j < cols; ++j) q.scales[rows + k + j] = fp16_pattern(f.b[j]);
  return {q, reconstruct(q)};
}

QuantResult onebit_quantize(std::span<const float> weights, int64_t rows, int64_t cols,
                            const std::vector<double>* hessian) {
  check_quant_input("onebit", weights, rows, cols, 1);
  const std::vector<double> importance = column_weights("onebit", hessian, cols);
  const Dense w = weighted_columns(weights, rows, cols, importance);
  std::vector<double> a, b;
  rank1_magnitudes(w, rows, cols, a, b);  // |W~| ~ a b^T: the best scales for sign(W)
  for (int64_t j = 0; j < cols; ++j) b[j] /= importance[j];
  const double scale = std::sqrt(normalise(a) * normalise(b));
  QuantizedTensor q = factored_layout("onebit", CodeKind::SignScaled, rows, cols, 0);
  for (int64_t i = 0; i < rows * cols; ++i) q.codes[i] = weights[i] < 0;
  for (int64_t i = 0; i < rows; ++i) q.scales[i] = fp16_pattern(a[i] * scale);
  for (int64_t j = 0; j < cols; ++j) q.scales[rows + j] = fp16_pattern(b[j] * scale);
  return {q, reconstruct(q)};
}

std::vector<double> binary_factor_apply(const QuantizedTensor& q, std::span<const double> x) {
  if (!q.factored() || static_cast<int64_t>(x.size()) != q.cols) {
    throw std::invalid_argument("binary_factor_apply: a dbf or onebit tensor and cols inputs");
  }
  const int64_t rows = q.rows, cols = q.cols;
  const int64_t k = q.code_kind == CodeKind::BinaryFactors ? q.group : 0;
  auto scale = [&](int64_t index) { return to_double(Fp16::decode(q.scales[index])); };
  std::vector<double> t(static_cast<size_t>(cols));
  for (int64_t j = 0; j < cols; ++j) t[j] = scale(rows + k + j) * x[j];
  // A sign-matrix product: every term is added or subtracted, nothing multiplied.
  auto signed_sum = [](const uint32_t* signs, std::span<const double> v) {
    double sum = 0;
    for (size_t i = 0; i < v.size(); ++i) sum = signs[i] != 0 ? sum - v[i] : sum + v[i];
    return sum;
  };
  std::vector<double> y(static_cast<size_t>(rows));
  if (q.code_kind == CodeKind::SignScaled) {
    for (int64_t i = 0; i < rows; ++i) y[i] = scale(i) * signed_sum(q.codes.data() + i * cols, t);
    return y;
  }
  std::vector<double> u(static_cast<size_t>(k));
  for (int64_t l = 0; l < k; ++l) u[l] = scale(rows + l) * signed_sum(q.codes.data() + rows * k + l * cols, t);
  for (int64_t i = 0; i < rows; ++i) y[i] = scale(i) * signed_sum(q.codes.data() + i * k, u);
  return y;
}

}  // namespace ws::golden
