// The stored form of a quantised weight matrix: what the hardware would read.
// Every method of golden/quant/ produces one; dequantize() is the single
// definition of the values it stands for, so a method's own dequantised output
// is checked against it bit for bit.
//
// A matrix of rows x cols (row-major, a row is one output channel) is cut into
// groups of `group` consecutive weights along a row: ceil(cols / group) per
// row, the last one holding cols % group weights when that is not 0, so no
// group spans two rows and no weight is padding. Groups are numbered row by
// row. Each weight has a code of code_bits; each group a scale (a pattern of
// scale_format) and, for asymmetric integer methods, a zero point of
// code_bits; some methods add one fp32 scale for the whole tensor.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ws::golden {

// How a method's codes become numbers before scaling.
enum class CodeKind : uint8_t {
  SignedInt = 0,    // two's complement, code_bits wide
  UnsignedInt = 1,  // 0 .. 2^code_bits - 1, minus the group's zero point
  Float = 2,        // a pattern of element_format (e2m1, e4m3, ...)
  // Weights as products of 1-bit sign codes (0: +1, 1: -1) and fp16 scales,
  // not per weight (binary_factors.hpp); code_bits is 1, scale_kind fp16.
  BinaryFactors = 3,  // diag(a) A diag(m) B diag(b): A rows x k, B k x cols, k = group
  SignScaled = 4,     // diag(a) S diag(b): S rows x cols (a single binary factor)
  // Signed integers whose width varies by block of a row- and column-permuted
  // matrix (sfmp.hpp): codes, scales and groups are those of the permuted
  // matrix, code_bits the widest block.
  MixedSignedInt = 5,
  // An index of code_bits into a codebook of `group` fp16 entries (the
  // scales), and a sparse residual of outliers kept as fp16 (codebook.hpp).
  Codebook = 6,
};

// How a group's scale pattern is read.
enum class ScaleKind : uint8_t {
  Fp16 = 0,  // IEEE half
  E8M0 = 1,  // OCP MX power of two
  E4M3 = 2,  // OCP E4M3 (NVFP4's block scale)
};

struct QuantizedTensor {
  std::string method;  // "rtn", "gptq", "mxfp4", ...: the name encode --method takes
  int64_t rows = 0, cols = 0;
  int group = 0;  // weights per scale, along a row; BinaryFactors: the middle dimension k
  CodeKind code_kind = CodeKind::SignedInt;
  int code_bits = 0;
  std::string element_format;  // a golden format name when code_kind == Float
  int element_fraction_shift = 0;  // SignedInt codes are multiplied by 2^-shift (MXINT8: 6)
  ScaleKind scale_kind = ScaleKind::Fp16;
  bool has_zero_point = false;
  bool has_tensor_scale = false;
  float tensor_scale = 1.0f;

  std::vector<uint32_t> codes;        // rows * cols, right-aligned patterns
  std::vector<uint32_t> scales;       // groups() patterns
  std::vector<uint32_t> zero_points;  // groups() patterns when has_zero_point

  // MixedSignedInt only. Stored row r is row row_order[r] of the matrix,
  // stored column c its column col_order[c]; the stored matrix is cut into
  // blocks of block_rows x block_cols (the last ones shorter), numbered row
  // by row, block b's codes block_bits[b] wide. block_cols is a multiple of group.
  int64_t block_rows = 0, block_cols = 0;
  std::vector<uint8_t> block_bits;
  std::vector<uint32_t> row_order, col_order;
  // Codebook only: the outliers' positions (row-major, ascending) and fp16
  // values; a library of `codebooks` codebooks of `group` entries each, one
  // chosen per library group of kLibraryGroup weights along a row (numbered
  // as section 14's groups) when there are several.
  std::vector<uint32_t> outlier_index, outlier_value;
  int codebooks = 1;
  std::vector<uint32_t> group_codebook;
  // Codebook only: the indices tANS-coded at this table log (0: raw, code_bits
  // each), taking a table of index_table_bytes and a lane of index_lane_bytes.
  int index_table_log = 0;
  uint64_t index_table_bytes = 0, index_lane_bytes = 0;
  static constexpr int64_t kLibraryGroup = 128;
  int64_t library_groups() const { return rows * ((cols + kLibraryGroup - 1) / kLibraryGroup); }
  int library_group_of(int64_t index) const {
    return static_cast<int>(index / cols * ((cols + kLibraryGroup - 1) / kLibraryGroup) + index % cols / kLibraryGroup);
  }
  // Bits of a library group's codebook number: 0 for a single codebook.
  int codebook_bits() const {
    return codebooks <= 1 ? 0 : static_cast<int>(std::bit_width(static_cast<unsigned>(codebooks - 1)));
  }
  int64_t block_grid_cols() const { return (cols + block_cols - 1) / block_cols; }
  int64_t blocks() const { return (rows + block_rows - 1) / block_rows * block_grid_cols(); }
  // The width of stored weight `index` (row-major in the stored matrix).
  // Bits of one entry of row_order (n = rows) or col_order (n = cols).
  static int order_bits(int64_t n) {
    return n <= 2 ? 1 : static_cast<int>(std::bit_width(static_cast<uint64_t>(n - 1)));
  }
  // Every code's bits: code_count() * code_bits, or the blocks' widths over their weights.
  int64_t code_bits_total() const;
  int code_width(int64_t index) const {
    if (code_kind != CodeKind::MixedSignedInt) return code_bits;
    return block_bits[index / cols / block_rows * block_grid_cols() + index % cols / block_cols];
  }

  int64_t size() const { return rows * cols; }
  bool factored() const { return code_kind == CodeKind::BinaryFactors || code_kind == CodeKind::SignScaled; }
  // Codes and scales stored: rows * cols and groups(), except for the factored kinds:
  // BinaryFactors rows * k + k * cols signs and rows + k + cols scales (a, m, b),
  // SignScaled rows * cols signs and rows + cols scales (a, b).
  int64_t code_count() const;
  int64_t scale_count() const;

  // The grouping rule, written here only: every method, dequantize() and
  // check_quantized() go through these.
  struct Span {
    int64_t first, count;  // weights first .. first + count - 1, row-major
  };
  int64_t groups_per_row() const { return cols / group + (cols % group != 0); }  // ceil, without overflow
  int64_t groups() const { return rows * groups_per_row(); }
  // The group of weight `index` (row-major).
  int64_t group_of(int64_t index) const { return index / cols * groups_per_row() + index % cols / group; }
  // The weights of group g: `group` of them, or fewer at the end of a row.
  Span group_span(int64_t g) const {
    const int64_t row = g / groups_per_row(), column = g % groups_per_row() * group;
    return {row * cols + column, std::min<int64_t>(group, cols - column)};
  }
  int scale_bits() const;  // 16 or 8
  // Every stored bit (codes, scales, zero points, tensor scale) per weight.
  double bits_per_weight() const;
};

// The value of one group's scale pattern (exact in double); NaN or inf for
// the patterns that stand for them.
double decode_scale(ScaleKind kind, uint32_t pattern);

// The values a quantised tensor stands for, in fp32: code value (exact) times
// group scale (exact) times tensor scale, one rounding to fp32 per product as
// written in docs/FORMAT.md 14.
std::vector<float> dequantize(const QuantizedTensor& q);

// Throws InputError (naming `source`) when the fields do not describe a
// well-formed tensor: sizes, widths, pattern ranges, known element format,
// finite scales and element values.
void check_quantized(const QuantizedTensor& q, const std::string& source);

}  // namespace ws::golden
