#include "golden/quant/quantized_tensor.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include "golden/common/error.hpp"
#include "golden/formats/float_format.hpp"
#include "golden/formats/format_registry.hpp"
#include "golden/formats/scale_e8m0.hpp"

namespace ws::golden {
namespace {

// A code_bits-wide two's complement pattern as a number.
int64_t sign_extend(uint32_t pattern, int bits) {
  const int64_t sign = int64_t{1} << (bits - 1);
  return static_cast<int64_t>(pattern ^ static_cast<uint32_t>(sign)) - sign;
}

bool fits(uint32_t pattern, int bits) { return bits >= 32 || (pattern >> bits) == 0; }

// The element format of a Float tensor; nullptr when the name is not a golden float format.
const FormatInfo* float_element_format(const QuantizedTensor& q) {
  const FormatInfo* f = find_format(q.element_format);
  return f != nullptr && f->family == FormatFamily::Float ? f : nullptr;
}

// The value a weight's code stands for before scaling (exact in double).
double code_value(const QuantizedTensor& q, const FormatInfo* element, uint32_t code, uint32_t zero_point) {
  switch (q.code_kind) {
    case CodeKind::SignedInt:
      return std::ldexp(static_cast<double>(sign_extend(code, q.code_bits)), -q.element_fraction_shift);
    case CodeKind::UnsignedInt:
      return static_cast<double>(int64_t{code} - int64_t{zero_point});
    case CodeKind::Float:
      return to_double(element->decode(code));
    case CodeKind::BinaryFactors:
    case CodeKind::SignScaled:
    case CodeKind::MixedSignedInt:
    case CodeKind::Codebook:
      break;  // not a code times a group scale: dequantize_factored, dequantize_mixed, dequantize_codebook
  }
  return 0;
}

std::vector<float> dequantize_codebook(const QuantizedTensor& q) {
  std::vector<float> values(static_cast<size_t>(q.size()));
  for (int64_t i = 0; i < q.size(); ++i) {
    const uint32_t book = q.codebooks > 1 ? q.group_codebook[q.library_group_of(i)] : 0;
    values[i] = static_cast<float>(decode_scale(q.scale_kind, q.scales[book * q.group + q.codes[i]]));
  }
  for (size_t k = 0; k < q.outlier_index.size(); ++k) {
    values[q.outlier_index[k]] = static_cast<float>(decode_scale(ScaleKind::Fp16, q.outlier_value[k]));
  }
  return values;
}

// True when `order` holds every index below its size once.
bool is_permutation(const std::vector<uint32_t>& order) {
  std::vector<bool> seen(order.size(), false);
  for (uint32_t i : order) {
    if (i >= order.size() || seen[i]) return false;
    seen[i] = true;
  }
  return true;
}

// The permuted matrix's values put back in the matrix's own order.
std::vector<float> dequantize_mixed(const QuantizedTensor& q) {
  std::vector<float> values(static_cast<size_t>(q.size()));
  for (int64_t g = 0; g < q.groups(); ++g) {
    const double scale = decode_scale(q.scale_kind, q.scales[g]);
    const auto [first, count] = q.group_span(g);
    for (int64_t i = first; i < first + count; ++i) {
      const int64_t r = i / q.cols, c = i % q.cols;
      values[int64_t{q.row_order[r]} * q.cols + q.col_order[c]] =
          static_cast<float>(static_cast<double>(sign_extend(q.codes[i], q.code_width(i))) * scale);
    }
  }
  return values;
}

double sign_of(uint32_t code) { return code != 0 ? -1.0 : 1.0; }

// The factored kinds (binary_factors.hpp), in the order binary_factor_apply
// computes a product, so that the two agree bit for bit on unit vectors.
std::vector<float> dequantize_factored(const QuantizedTensor& q) {
  const int64_t rows = q.rows, cols = q.cols;
  std::vector<double> a(static_cast<size_t>(rows)), b(static_cast<size_t>(cols));
  for (int64_t i = 0; i < rows; ++i) a[i] = decode_scale(q.scale_kind, q.scales[i]);
  const int64_t k = q.code_kind == CodeKind::BinaryFactors ? q.group : 0;
  for (int64_t j = 0; j < cols; ++j) b[j] = decode_scale(q.scale_kind, q.scales[rows + k + j]);
  std::vector<float> values(static_cast<size_t>(q.size()));
  if (q.code_kind == CodeKind::SignScaled) {
    // a_i (s_ij (b_j x_j)) at x_j = 1: the product of two fp16 values is exact.
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < cols; ++j)
        values[i * cols + j] = static_cast<float>(a[i] * (sign_of(q.codes[i * cols + j]) * b[j]));
    }
    return values;
  }
  // a_i * sum over l, in order, of A_il (m_l (B_lj b_j)).
  const uint32_t* sign_a = q.codes.data();
  const uint32_t* sign_b = q.codes.data() + rows * k;
  std::vector<double> column(static_cast<size_t>(k));
  for (int64_t j = 0; j < cols; ++j) {
    for (int64_t l = 0; l < k; ++l)
      column[l] = decode_scale(q.scale_kind, q.scales[rows + l]) * (sign_of(sign_b[l * cols + j]) * b[j]);
    for (int64_t i = 0; i < rows; ++i) {
      double sum = 0;
      for (int64_t l = 0; l < k; ++l) sum += sign_of(sign_a[i * k + l]) * column[l];
      values[i * cols + j] = static_cast<float>(a[i] * sum);
    }
  }
  return values;
}

}  // namespace

int QuantizedTensor::scale_bits() const { return scale_kind == ScaleKind::Fp16 ? 16 : 8; }

int64_t QuantizedTensor::code_count() const {
  return code_kind == CodeKind::BinaryFactors ? (rows + cols) * group : size();
}

int64_t QuantizedTensor::scale_count() const {
  switch (code_kind) {
    case CodeKind::BinaryFactors:
      return rows + group + cols;
    case CodeKind::SignScaled:
      return rows + cols;
    case CodeKind::Codebook:
      return int64_t{codebooks} * group;
    default:
      return groups();
  }
}

int64_t QuantizedTensor::code_bits_total() const {
  if (code_kind == CodeKind::Codebook && index_table_log != 0) {
    return static_cast<int64_t>(8 * (index_table_bytes + index_lane_bytes));
  }
  if (code_kind != CodeKind::MixedSignedInt) return code_count() * code_bits;
  int64_t total = 0;
  for (int64_t b = 0; b < blocks(); ++b) {
    const int64_t r = b / block_grid_cols() * block_rows, c = b % block_grid_cols() * block_cols;
    total += std::min(block_rows, rows - r) * std::min(block_cols, cols - c) * block_bits[b];
  }
  return total;
}

double QuantizedTensor::bits_per_weight() const {
  double total = static_cast<double>(code_bits_total()) + static_cast<double>(scale_count()) * scale_bits() +
                 (has_zero_point ? static_cast<double>(groups()) * code_bits : 0.0) + (has_tensor_scale ? 32.0 : 0.0);
  if (code_kind == CodeKind::Codebook) {
    total += static_cast<double>(outlier_index.size()) * (order_bits(size()) + 16) +
             static_cast<double>(library_groups()) * codebook_bits();
  }
  if (code_kind == CodeKind::MixedSignedInt) {  // the block widths and the two orders
    total +=
        8.0 * blocks() + static_cast<double>(rows) * order_bits(rows) + static_cast<double>(cols) * order_bits(cols);
  }
  return total / static_cast<double>(size());
}

double decode_scale(ScaleKind kind, uint32_t pattern) {
  switch (kind) {
    case ScaleKind::Fp16:
      return to_double(Fp16::decode(pattern));
    case ScaleKind::E8M0:
      return to_double(ScaleE8M0::decode(pattern));
    case ScaleKind::E4M3:
      return to_double(E4M3::decode(pattern));
  }
  return std::numeric_limits<double>::quiet_NaN();
}

void check_quantized(const QuantizedTensor& q, const std::string& source) {
  const auto fail = [&](const std::string& what) {
    throw InputError(source + ": quantised tensor (method '" + q.method + "'): " + what);
  };
  if (q.rows <= 0 || q.cols <= 0) {
    fail("rows (" + std::to_string(q.rows) + ") and cols (" + std::to_string(q.cols) + ") must be positive");
  }
  if (q.cols > std::numeric_limits<int64_t>::max() / q.rows) fail("rows * cols overflows");
  if (q.group <= 0) fail("group (" + std::to_string(q.group) + ") must be positive");
  if (q.code_kind == CodeKind::MixedSignedInt) {
    if (q.code_bits < 2 || q.code_bits > 8) fail("code_bits " + std::to_string(q.code_bits) + " is not in 2..8");
    if (q.scale_kind != ScaleKind::Fp16 || q.has_zero_point || q.has_tensor_scale) {
      fail("mixed-width codes take fp16 scales, no zero point and no tensor scale");
    }
    if (q.block_rows < 1 || q.block_cols < 1 || q.block_cols % q.group != 0) {
      fail("blocks of " + std::to_string(q.block_rows) + " x " + std::to_string(q.block_cols) +
           " (positive, columns a multiple of the group " + std::to_string(q.group) + ")");
    }
    if (static_cast<int64_t>(q.block_bits.size()) != q.blocks()) {
      fail(std::to_string(q.block_bits.size()) + " block widths for " + std::to_string(q.blocks()) + " blocks");
    }
    for (uint8_t b : q.block_bits) {
      if (b < 2 || b > q.code_bits)
        fail("a block width " + std::to_string(b) + " outside 2.." + std::to_string(q.code_bits));
    }
    if (static_cast<int64_t>(q.row_order.size()) != q.rows || !is_permutation(q.row_order) ||
        static_cast<int64_t>(q.col_order.size()) != q.cols || !is_permutation(q.col_order)) {
      fail("the row and column orders are not permutations of the rows and columns");
    }
  } else if (!q.block_bits.empty() || !q.row_order.empty() || !q.col_order.empty()) {
    fail("block widths and orders belong to mixed-width codes only");
  }
  if (q.code_kind == CodeKind::Codebook) {
    if (q.code_bits < 1 || q.code_bits > 8) fail("index bits " + std::to_string(q.code_bits) + " are not in 1..8");
    if (q.group < 2 || q.group > (1 << q.code_bits)) {
      fail("a codebook of " + std::to_string(q.group) + " entries for " + std::to_string(q.code_bits) + "-bit indices");
    }
    if (q.scale_kind != ScaleKind::Fp16 || q.has_zero_point || q.has_tensor_scale) {
      fail("a codebook takes fp16 entries, no zero point and no tensor scale");
    }
    if (q.codebooks < 1 || q.codebooks > 16) fail("a library of " + std::to_string(q.codebooks) + " codebooks (1..16)");
    if (static_cast<int64_t>(q.group_codebook.size()) != (q.codebooks > 1 ? q.library_groups() : 0)) {
      fail(std::to_string(q.group_codebook.size()) + " codebook choices for the library groups");
    }
    for (uint32_t book : q.group_codebook) {
      if (book >= static_cast<uint32_t>(q.codebooks)) fail("a library group chooses codebook " + std::to_string(book));
    }
    if (q.outlier_index.size() != q.outlier_value.size()) fail("outlier positions and values differ in number");
    if (q.index_table_log != 0 && (q.index_table_log < 5 || q.index_table_log > 12)) {
      fail("index table log " + std::to_string(q.index_table_log) + " is not 0 (raw) or 5..12");
    }
    if (q.index_table_log == 0 && (q.index_table_bytes != 0 || q.index_lane_bytes != 0)) {
      fail("raw indices with the sizes of coded ones");
    }
    for (size_t k = 0; k < q.outlier_index.size(); ++k) {
      if (q.outlier_index[k] >= q.size() || (k > 0 && q.outlier_index[k] <= q.outlier_index[k - 1])) {
        fail("outlier positions must ascend within the tensor (outlier " + std::to_string(k) + ")");
      }
      if (!fits(q.outlier_value[k], 16) || !std::isfinite(decode_scale(ScaleKind::Fp16, q.outlier_value[k]))) {
        fail("outlier " + std::to_string(k) + " is not a finite fp16 value");
      }
    }
  } else if (!q.outlier_index.empty() || !q.outlier_value.empty() || q.codebooks != 1 || !q.group_codebook.empty() ||
             q.index_table_log != 0) {
    fail("outliers and codebook libraries belong to codebook tensors only");
  }
  if (q.factored()) {
    if (q.code_bits != 1) fail("code_bits " + std::to_string(q.code_bits) + " of sign factors is not 1");
    if (q.scale_kind != ScaleKind::Fp16) fail("sign factors take fp16 scales");
    if (q.has_zero_point || q.has_tensor_scale) fail("sign factors take no zero point or tensor scale");
    if (q.group > q.size()) fail("middle dimension " + std::to_string(q.group) + " above rows * cols");
  } else if (q.code_kind != CodeKind::MixedSignedInt && q.code_kind != CodeKind::Codebook &&
             (q.code_bits < 2 || q.code_bits > 8)) {
    fail("code_bits " + std::to_string(q.code_bits) + " is not in 2..8");
  }

  const FormatInfo* element = nullptr;
  switch (q.code_kind) {
    case CodeKind::SignedInt:
      if (q.element_fraction_shift < 0 || q.element_fraction_shift > 30) {
        fail("element_fraction_shift " + std::to_string(q.element_fraction_shift) + " is not in 0..30");
      }
      break;
    case CodeKind::UnsignedInt:
    case CodeKind::BinaryFactors:
    case CodeKind::SignScaled:
    case CodeKind::MixedSignedInt:
    case CodeKind::Codebook:
      break;
    case CodeKind::Float:
      element = float_element_format(q);
      if (element == nullptr) fail("element format '" + q.element_format + "' is not a float format");
      if (element->bits != q.code_bits) {
        fail("element format " + q.element_format + " is " + std::to_string(element->bits) + " bits wide, code_bits " +
             std::to_string(q.code_bits));
      }
      break;
    default:
      fail("unknown code kind " + std::to_string(static_cast<int>(q.code_kind)));
  }
  if (q.scale_kind != ScaleKind::Fp16 && q.scale_kind != ScaleKind::E8M0 && q.scale_kind != ScaleKind::E4M3) {
    fail("unknown scale kind " + std::to_string(static_cast<int>(q.scale_kind)));
  }
  if (q.has_zero_point && q.code_kind != CodeKind::UnsignedInt) fail("zero points need unsigned codes");
  if (q.has_tensor_scale && !std::isfinite(q.tensor_scale)) fail("the tensor scale is not finite");

  const auto check_size = [&](const char* name, size_t actual, int64_t expected) {
    if (static_cast<int64_t>(actual) != expected) {
      fail(std::string(name) + " holds " + std::to_string(actual) + " patterns, expected " + std::to_string(expected));
    }
  };
  check_size("codes", q.codes.size(), q.code_count());
  check_size("scales", q.scales.size(), q.scale_count());
  check_size("zero_points", q.zero_points.size(), q.has_zero_point ? q.groups() : 0);

  for (size_t i = 0; i < q.codes.size(); ++i) {
    const int width = q.code_width(static_cast<int64_t>(i));
    if (!fits(q.codes[i], width)) {
      fail("code " + std::to_string(i) + " (" + std::to_string(q.codes[i]) + ") is wider than " +
           std::to_string(width) + " bits");
    }
    if (q.code_kind == CodeKind::Codebook && q.codes[i] >= static_cast<uint32_t>(q.group)) {
      fail("index " + std::to_string(i) + " (" + std::to_string(q.codes[i]) + ") beyond the codebook's " +
           std::to_string(q.group) + " entries");
    }
    if (element != nullptr && element->decode(q.codes[i]).cls != NumClass::Finite &&
        element->decode(q.codes[i]).cls != NumClass::Zero) {
      fail("code " + std::to_string(i) + " is not a finite " + q.element_format + " value");
    }
  }
  for (size_t g = 0; g < q.scales.size(); ++g) {
    if (!fits(q.scales[g], q.scale_bits())) {
      fail("scale " + std::to_string(g) + " (" + std::to_string(q.scales[g]) + ") is wider than " +
           std::to_string(q.scale_bits()) + " bits");
    }
    if (!std::isfinite(decode_scale(q.scale_kind, q.scales[g]))) fail("scale " + std::to_string(g) + " is not finite");
  }
  for (size_t g = 0; g < q.zero_points.size(); ++g) {
    if (!fits(q.zero_points[g], q.code_bits)) {
      fail("zero point " + std::to_string(g) + " (" + std::to_string(q.zero_points[g]) + ") is wider than " +
           std::to_string(q.code_bits) + " bits");
    }
  }
}

std::vector<float> dequantize(const QuantizedTensor& q) {
  check_quantized(q, "dequantize");
  if (q.factored()) return dequantize_factored(q);
  if (q.code_kind == CodeKind::MixedSignedInt) return dequantize_mixed(q);
  if (q.code_kind == CodeKind::Codebook) return dequantize_codebook(q);
  const FormatInfo* element = q.code_kind == CodeKind::Float ? float_element_format(q) : nullptr;
  std::vector<float> values(static_cast<size_t>(q.size()));
  for (int64_t g = 0; g < q.groups(); ++g) {
    const double scale = decode_scale(q.scale_kind, q.scales[g]);
    const uint32_t zero_point = q.has_zero_point ? q.zero_points[g] : 0;
    const auto [first, count] = q.group_span(g);
    for (int64_t i = first; i < first + count; ++i) {
      // Code and scale have at most 20 significant bits between them, so the
      // double product is exact and rounding it to fp32 is the one rounding.
      float value = static_cast<float>(code_value(q, element, q.codes[i], zero_point) * scale);
      if (q.has_tensor_scale) value = static_cast<float>(double{value} * double{q.tensor_scale});
      values[i] = value;
    }
  }
  return values;
}

}  // namespace ws::golden
