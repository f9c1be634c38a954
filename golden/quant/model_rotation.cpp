#include "golden/quant/model_rotation.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>

namespace ws::golden {
namespace {

// Rows first .. first + n - 1 of m become R times them (R n x n).
void transform_rows(Matrix& m, int64_t first, const std::vector<double>& r, int64_t n) {
  std::vector<double> column(static_cast<size_t>(n));
  for (int64_t j = 0; j < m.cols; ++j) {
    for (int64_t k = 0; k < n; ++k) column[k] = m.values[(first + k) * m.cols + j];
    for (int64_t i = 0; i < n; ++i) {
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) sum += r[i * n + k] * column[k];
      m.values[(first + i) * m.cols + j] = static_cast<float>(sum);
    }
  }
}

// Columns first .. first + n - 1 of every row of m become that segment times
// R^T: the inputs those columns read are rotated by R.
void transform_columns(Matrix& m, int64_t first, const std::vector<double>& r, int64_t n) {
  std::vector<double> segment(static_cast<size_t>(n));
  for (int64_t i = 0; i < m.rows; ++i) {
    float* row = m.values.data() + i * m.cols + first;
    for (int64_t k = 0; k < n; ++k) segment[k] = row[k];
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) sum += segment[k] * r[j * n + k];
      row[j] = static_cast<float>(sum);
    }
  }
}

void scale_columns(Matrix& m, const Matrix& norm) {
  for (int64_t i = 0; i < m.rows; ++i) {
    for (int64_t j = 0; j < m.cols; ++j) m.values[i * m.cols + j] *= norm.values[j];
  }
}

void check_size(const Butterfly& r, int64_t expected, const char* what) {
  if (r.size() != expected) {
    throw std::invalid_argument(std::string(what) + " rotation of size " + std::to_string(r.size()) +
                                ", the model needs " + std::to_string(expected));
  }
}

// One matrix's share of the fit: W' = A R^T (reads the stream) or R A (writes it).
struct FitTerm {
  const Matrix* matrix;
  bool reads_stream;
  const std::vector<double>* hessian;  // null: identity (the embedding, read one row at a time)
  double signal = 0;                   // tr(A H A^T)
};

// sum x_i y_i: with y = E H, tr(E H E^T).
double dot(const std::vector<double>& x, const std::vector<double>& y, int64_t size) {
  double sum = 0;
  for (int64_t i = 0; i < size; ++i) sum += x[i] * y[i];
  return sum;
}

std::vector<double> times_hessian(const std::vector<double>& e, int64_t rows, int64_t cols,
                                  const std::vector<double>* h) {
  if (h == nullptr) return e;
  std::vector<double> out(e.size(), 0.0);
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t k = 0; k < cols; ++k) {
      const double v = e[i * cols + k];
      if (v == 0) continue;
      const double* hk = h->data() + k * cols;
      double* o = out.data() + i * cols;
      for (int64_t j = 0; j < cols; ++j) o[j] += v * hk[j];
    }
  }
  return out;
}

QuantRequest fit_request(const QuantRequest& q) {
  const MethodInfo* method = find_quant_method(q.method);
  if (method == nullptr)
    throw std::invalid_argument("a butterfly rotation is fitted against a method of 14.2, not '" + q.method + "'");
  // Stand-ins where the method itself is too slow for every step: gptq's grid
  // (rtn-asym), and for dbf the single binary factor (onebit).
  if (method->name == "gptq") return {"rtn-asym", q.bits, q.group, false};
  if (method->name == "dbf") return {"onebit", 1, q.group, false};
  if (method->quality_first) {
    throw std::invalid_argument("a butterfly rotation is fitted against a bit width; " + q.method +
                                " takes --rotate hadamard");
  }
  QuantRequest own = q;
  own.act_order = false;
  return own;
}

}  // namespace

std::optional<RotationKind> parse_rotation(std::string_view name) {
  if (name == "none") return RotationKind::None;
  if (name == "hadamard") return RotationKind::Hadamard;
  if (name == "butterfly") return RotationKind::Butterfly;
  return std::nullopt;
}

std::string_view rotation_name(RotationKind kind) {
  switch (kind) {
    case RotationKind::None:
      return "none";
    case RotationKind::Hadamard:
      return "hadamard";
    case RotationKind::Butterfly:
      return "butterfly";
  }
  return "?";
}

Llama2Weights fold_norms(const Llama2Weights& reference) {
  Llama2Weights w = reference;
  if (w.config.shared_classifier) {
    w.wcls = w.token_embedding;
    w.wcls.name = "wcls";
    w.config.shared_classifier = false;
  }
  for (Llama2Layer& l : w.layers) {
    for (Matrix* m : {&l.wq, &l.wk, &l.wv}) scale_columns(*m, l.rms_att);
    for (Matrix* m : {&l.w1, &l.w3}) scale_columns(*m, l.rms_ffn);
    std::ranges::fill(l.rms_att.values, 1.0f);
    std::ranges::fill(l.rms_ffn.values, 1.0f);
  }
  scale_columns(w.wcls, w.rms_final);
  std::ranges::fill(w.rms_final.values, 1.0f);
  return w;
}

Llama2Weights rotate_values(const Llama2Weights& folded, const Butterfly& head) {
  const int64_t head_size = folded.config.dim / folded.config.n_heads;
  check_size(head, head_size, "a head");
  const std::vector<double> h = head.matrix();
  Llama2Weights w = folded;
  for (Llama2Layer& l : w.layers) {
    for (int64_t first = 0; first < l.wv.rows; first += head_size) transform_rows(l.wv, first, h, head_size);
    for (int64_t first = 0; first < l.wo.cols; first += head_size) transform_columns(l.wo, first, h, head_size);
  }
  return w;
}

Llama2Weights rotate_residual(const Llama2Weights& folded, const Butterfly& residual) {
  const int64_t dim = folded.config.dim;
  check_size(residual, dim, "a residual");
  auto ones = [](const Matrix& norm) { return std::ranges::all_of(norm.values, [](float v) { return v == 1.0f; }); };
  bool folded_norms = !folded.config.shared_classifier && ones(folded.rms_final);
  for (const Llama2Layer& l : folded.layers) folded_norms = folded_norms && ones(l.rms_att) && ones(l.rms_ffn);
  if (!folded_norms) throw std::invalid_argument("rotate_residual needs the norms folded (fold_norms) first");
  const std::vector<double> r = residual.matrix();
  Llama2Weights w = folded;
  transform_columns(w.token_embedding, 0, r, dim);
  transform_columns(w.wcls, 0, r, dim);
  for (Llama2Layer& l : w.layers) {
    for (Matrix* m : {&l.wq, &l.wk, &l.wv, &l.w1, &l.w3}) transform_columns(*m, 0, r, dim);
    for (Matrix* m : {&l.wo, &l.w2}) transform_rows(*m, 0, r, dim);
  }
  return w;
}

Butterfly fit_butterfly(const Llama2Weights& folded, const Hessians& hessians, const QuantRequest& quantiser, bool all,
                        Butterfly start, const RotationFit& fit, RotationFitReport* report) {
  const int64_t n = folded.config.dim;
  check_size(start, n, "a residual");
  const QuantRequest request = fit_request(quantiser);
  std::vector<FitTerm> terms;
  auto add = [&](const Matrix& m, bool reads_stream, bool identity) {
    const std::vector<double>* h = nullptr;
    if (!identity) {
      const auto it = hessians.find(m.name);
      if (it == hessians.end()) throw std::invalid_argument("fit_butterfly: no calibration inputs of " + m.name);
      h = &it->second;
    }
    std::vector<double> a(m.values.begin(), m.values.end());
    const double signal = dot(a, times_hessian(a, m.rows, m.cols, h), m.rows * m.cols);
    if (signal > 0) terms.push_back({&m, reads_stream, h, signal});
  };
  for (const Llama2Layer& l : folded.layers) {
    for (const Matrix* m : {&l.wq, &l.wk, &l.wv, &l.w1, &l.w3}) add(*m, true, false);
    for (const Matrix* m : {&l.wo, &l.w2}) add(*m, false, false);
  }
  if (all) {
    add(folded.token_embedding, true, true);
    if (!folded.config.shared_classifier) add(folded.wcls, true, false);
  }
  if (terms.empty()) throw std::invalid_argument("fit_butterfly: the model has no nonzero matrix to fit");

  Butterfly b = std::move(start);
  std::vector<double> best(b.angles().begin(), b.angles().end());
  std::vector<double> m1(best.size(), 0.0), m2(best.size(), 0.0);
  double best_error = INFINITY, lambda = 0;
  for (int iteration = 0;; ++iteration) {
    const std::vector<double> r = b.matrix();
    std::vector<double> d_r(static_cast<size_t>(n * n), 0.0);
    double error = 0, kurtosis = 0;
    std::vector<std::vector<double>> kurtosis_gradients(terms.size());  // per term: d kurtosis / d W'
    for (size_t term = 0; term < terms.size(); ++term) {
      const FitTerm& t = terms[term];
      const Matrix& a = *t.matrix;
      const int64_t rows = a.rows, cols = a.cols, size = rows * cols;
      std::vector<float> rotated(static_cast<size_t>(size));
      for (int64_t i = 0; i < rows; ++i) {
        for (int64_t j = 0; j < cols; ++j) {
          double sum = 0;
          if (t.reads_stream) {
            for (int64_t k = 0; k < n; ++k) sum += double{a.values[i * cols + k]} * r[j * n + k];
          } else {
            for (int64_t k = 0; k < n; ++k) sum += r[i * n + k] * a.values[k * cols + j];
          }
          rotated[i * cols + j] = static_cast<float>(sum);
        }
      }
      const std::vector<float> q = quantize(request, rotated, rows, cols, nullptr).dequantized;
      // The error in the unrotated basis: Q R - A (reads) or R^T Q - A, taken as Q - R A (writes).
      std::vector<double> e(static_cast<size_t>(size));
      for (int64_t i = 0; i < rows; ++i) {
        for (int64_t k = 0; k < cols; ++k) {
          if (t.reads_stream) {
            double sum = 0;
            for (int64_t j = 0; j < n; ++j) sum += double{q[i * cols + j]} * r[j * n + k];
            e[i * cols + k] = sum - a.values[i * cols + k];
          } else {
            e[i * cols + k] = double{q[i * cols + k]} - rotated[i * cols + k];
          }
        }
      }
      const std::vector<double> eh = times_hessian(e, rows, cols, t.hessian);
      error += dot(e, eh, size) / t.signal;
      const double scale = 2 / t.signal;
      if (t.reads_stream) {  // d/dR of tr((QR - A) H (QR - A)^T) = 2 Q^T E H
        for (int64_t i = 0; i < rows; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            const double qij = scale * q[i * cols + j];
            for (int64_t k = 0; k < n; ++k) d_r[j * n + k] += qij * eh[i * cols + k];
          }
        }
      } else {  // d/dR of tr((Q - RA) H (Q - RA)^T) = -2 E H A^T
        for (int64_t i = 0; i < n; ++i) {
          for (int64_t k = 0; k < n; ++k) {
            double sum = 0;
            for (int64_t j = 0; j < cols; ++j) sum += eh[i * cols + j] * a.values[k * cols + j];
            d_r[i * n + k] -= scale * sum;
          }
        }
      }
      double s2 = 0, s4 = 0;
      for (float v : rotated) {
        s2 += double{v} * v;
        s4 += double{v} * v * v * v;
      }
      if (s2 == 0) continue;
      kurtosis += s4 * size / (s2 * s2);
      std::vector<double>& g = kurtosis_gradients[term];
      g.resize(static_cast<size_t>(size));
      for (int64_t i = 0; i < size; ++i) g[i] = 4.0 * size * std::pow(double{rotated[i]}, 3) / (s2 * s2);
    }
    error /= static_cast<double>(terms.size());
    kurtosis /= static_cast<double>(terms.size());
    if (iteration == 0) {
      lambda = kurtosis > 0 ? fit.uniformity * error / kurtosis : 0;
      if (report != nullptr) report->start_error = error;
    }
    if (error < best_error) {
      best_error = error;
      std::ranges::copy(b.angles(), best.begin());
      if (report != nullptr) report->best_iteration = iteration;
    }
    if (iteration == fit.iterations) break;

    for (double& v : d_r) v /= static_cast<double>(terms.size());
    // The uniformity term: d kurtosis / d W' chained through W' = A R^T or R A.
    for (size_t term = 0; term < terms.size(); ++term) {
      const std::vector<double>& g = kurtosis_gradients[term];
      if (g.empty()) continue;
      const Matrix& a = *terms[term].matrix;
      const bool reads = terms[term].reads_stream;
      const double weight = lambda / static_cast<double>(terms.size());
      for (int64_t i = 0; i < a.rows; ++i) {
        for (int64_t j = 0; j < a.cols; ++j) {
          const double gij = weight * g[i * a.cols + j];
          if (reads) {
            for (int64_t k = 0; k < n; ++k) d_r[j * n + k] += gij * a.values[i * a.cols + k];
          } else {
            for (int64_t k = 0; k < n; ++k) d_r[i * n + k] += gij * a.values[k * a.cols + j];
          }
        }
      }
    }
    // Adam.
    const std::vector<double> d_angles = b.angle_gradient(d_r);
    const double beta1 = 0.9, beta2 = 0.999, step = iteration + 1;
    std::span<double> angles = b.angles();
    for (size_t p = 0; p < angles.size(); ++p) {
      m1[p] = beta1 * m1[p] + (1 - beta1) * d_angles[p];
      m2[p] = beta2 * m2[p] + (1 - beta2) * d_angles[p] * d_angles[p];
      const double m_hat = m1[p] / (1 - std::pow(beta1, step)), v_hat = m2[p] / (1 - std::pow(beta2, step));
      angles[p] -= fit.learning_rate * m_hat / (std::sqrt(v_hat) + 1e-12);
    }
  }
  std::ranges::copy(best, b.angles().begin());
  if (report != nullptr) report->end_error = best_error;
  return b;
}

RotatedModel rotate_model(const Llama2Weights& reference, const RotationOptions& options, const QuantRequest& quantiser,
                          bool all) {
  const auto began = std::chrono::steady_clock::now();
  RotatedModel result;
  if (options.kind == RotationKind::None) {
    result.weights = reference;
    return result;
  }
  const Llama2Config& c = reference.config;
  const Llama2Weights prepared = rotate_values(fold_norms(reference), Butterfly(c.dim / c.n_heads, options.seed + 1));
  Butterfly residual(c.dim, options.seed);
  if (options.kind == RotationKind::Butterfly) {
    if (options.calibration_sequences < 1 || options.calibration_positions < options.calibration_sequences) {
      throw std::invalid_argument("the butterfly fit needs at least one calibration position per sequence");
    }
    const Hessians hessians =
        collect_hessians(prepared, options.calibration_sequences,
                         options.calibration_positions / options.calibration_sequences, options.calibration_seed);
    residual = fit_butterfly(prepared, hessians, quantiser, all, std::move(residual), options.fit, &result.fit);
  }
  result.weights = rotate_residual(prepared, residual);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  return result;
}

}  // namespace ws::golden
