#include "golden/quant/quant_methods.hpp"

#include <array>
#include <cmath>
#include <stdexcept>

#include "golden/quant/binary_factors.hpp"
#include "golden/quant/codebook.hpp"
#include "golden/quant/gptq.hpp"
#include "golden/quant/mx_block.hpp"
#include "golden/quant/nvfp4.hpp"
#include "golden/quant/rtn.hpp"
#include "golden/quant/sfmp.hpp"

namespace ws::golden {
namespace {

constexpr std::array<MethodInfo, 14> kMethods = {{
    {"rtn-sym", "round to nearest, signed codes, fp16 scale per group", 0, false, 32},
    {"rtn-asym", "round to nearest, unsigned codes, fp16 scale and zero point per group", 0, false, 32},
    {"gptq", "GPTQ (Hessian-weighted error feedback) on the rtn-asym grid", 0, true, 32},
    {"mxfp8-e4m3", "OCP MX: e4m3 elements, E8M0 scale per 32", 8, false, kMxBlock},
    {"mxfp8-e5m2", "OCP MX: e5m2 elements, E8M0 scale per 32", 8, false, kMxBlock},
    {"mxfp6-e3m2", "OCP MX: e3m2 elements, E8M0 scale per 32", 6, false, kMxBlock},
    {"mxfp6-e2m3", "OCP MX: e2m3 elements, E8M0 scale per 32", 6, false, kMxBlock},
    {"mxfp4", "OCP MX: e2m1 elements, E8M0 scale per 32", 4, false, kMxBlock},
    {"mxint8", "OCP MX: 8-bit integers times 2^-6, E8M0 scale per 32", 8, false, kMxBlock},
    {"nvfp4", "e2m1 elements, e4m3 scale per 16, one fp32 tensor scale", 4, false, kNvfp4Block},
    {"dbf", "double binary factorisation diag(a) A diag(m) B diag(b), A and B signs, at fractional bits", 0, true, 0,
     true},
    {"onebit", "one binary factor diag(a) sign(W) diag(b)", 1, true, 0},
    {"sfmp", "search-free mixed precision: salience-ordered blocks at floor or ceil of fractional bits", 0, true, 32,
     true},
    {"codebook", "a fitted fp16 codebook per tensor and fp16 outliers, at a quality floor per row", 0, true, 0, false,
     true},
}};

std::string text(std::string_view s) { return std::string(s); }

}  // namespace

std::span<const MethodInfo> quant_methods() { return kMethods; }

const MethodInfo* find_quant_method(std::string_view name) {
  for (const MethodInfo& m : kMethods) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::string known_quant_method_names() {
  std::string names;
  for (const MethodInfo& m : kMethods) names += (names.empty() ? "" : ", ") + text(m.name);
  return names;
}

bool accepts_bits(const MethodInfo& method, double b) {
  if (method.fixed_bits != 0 || method.quality_first) return false;
  if (method.name == "dbf") return b > 0 && b <= 4;
  if (method.fractional_bits) return b >= 2 && b <= 8;
  return b == std::floor(b) && b >= 2 && b <= 8;
}

void check_quant_input(std::string_view method, std::span<const float> weights, int64_t rows, int64_t cols, int group) {
  const auto fail = [&](const std::string& what) { throw std::invalid_argument(text(method) + ": " + what); };
  if (rows <= 0 || cols <= 0) {
    fail("rows (" + std::to_string(rows) + ") and cols (" + std::to_string(cols) + ") must be positive");
  }
  if (static_cast<uint64_t>(cols) > weights.size() / static_cast<uint64_t>(rows) ||
      static_cast<int64_t>(weights.size()) != rows * cols) {
    fail(std::to_string(weights.size()) + " weights for a " + std::to_string(rows) + " x " + std::to_string(cols) +
         " matrix");
  }
  if (group <= 0) fail("group size " + std::to_string(group) + " must be positive");
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!std::isfinite(weights[i])) {
      fail("weight " + std::to_string(i) + " (row " + std::to_string(static_cast<int64_t>(i) / cols) + ", col " +
           std::to_string(static_cast<int64_t>(i) % cols) + ") is not finite");
    }
  }
}

std::vector<double> hessian_diagonal(std::string_view method, const std::vector<double>* hessian, int64_t cols) {
  std::vector<double> d(static_cast<size_t>(cols), 1.0);
  if (hessian == nullptr) return d;
  if (hessian->size() != static_cast<size_t>(cols * cols)) {
    throw std::invalid_argument(text(method) + ": the Hessian holds " + std::to_string(hessian->size()) +
                                " values, expected cols x cols = " + std::to_string(cols * cols));
  }
  for (int64_t j = 0; j < cols; ++j) d[j] = (*hessian)[j * cols + j];
  return d;
}

void check_int_bits(std::string_view method, int bits) {
  if (bits < 2 || bits > 8) {
    throw std::invalid_argument(text(method) + ": bits " + std::to_string(bits) + " is not in 2..8");
  }
}

QuantResult quantize(const QuantRequest& request, std::span<const float> weights, int64_t rows, int64_t cols,
                     const std::vector<double>* hessian) {
  const MethodInfo* method = find_quant_method(request.method);
  if (method == nullptr) {
    throw std::invalid_argument("unknown quantisation method '" + request.method +
                                "' (known: " + known_quant_method_names() + ")");
  }
  if (request.act_order && method->name != "gptq") {
    throw std::invalid_argument(request.method + ": act_order applies to gptq only");
  }
  if (method->name == "rtn-sym" || method->name == "rtn-asym") {
    return rtn_quantize(weights, rows, cols, request.bits, request.group, method->name == "rtn-sym");
  }
  if (method->name == "gptq") {
    if (hessian == nullptr) {
      throw std::invalid_argument("gptq: needs the Hessian of the layer's inputs (H = 2 X^T X, cols x cols)");
    }
    GptqOptions options;
    options.bits = request.bits;
    options.group = request.group;
    options.act_order = request.act_order;
    return gptq_quantize(weights, rows, cols, *hessian, options);
  }
  if (method->name == "nvfp4") return nvfp4_quantize(weights, rows, cols);
  if (method->name == "dbf") return dbf_quantize(weights, rows, cols, request.target_bits, hessian);
  if (method->name == "onebit") return onebit_quantize(weights, rows, cols, hessian);
  if (method->name == "codebook") {
    if (request.quality.empty()) throw std::invalid_argument("codebook: needs a quality floor (cos=0.999, sqnr=30dB)");
    return codebook_quantize(weights, rows, cols, vp::parse_quality(request.quality), hessian);
  }
  if (method->name == "sfmp") return sfmp_quantize(weights, rows, cols, request.target_bits, request.group, hessian);
  return mx_quantize(*find_mx_format(method->name), weights, rows, cols);
}

}  // namespace ws::golden
