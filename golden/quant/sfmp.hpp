// Search-free fractional mixed precision (`--method sfmp --bits 2.5`,
// docs/FORMAT.md 14.5). No search: one pass of statistics decides everything.
//
// - Salience of weight (i, j): w_ij^2 H_jj, H the Hessian of the layer's
//   inputs (1 without one).
// - Rows are ordered by their salience, most salient first, and so are the
//   columns: the salient weights gather in the top-left of the stored
//   (permuted) matrix.
// - The stored matrix is cut into blocks (512 x 128, smaller for small
//   matrices: about a quarter of each side, columns in whole groups); every
//   block gets floor(B) or ceil(B) code bits, the most salient blocks (by
//   mean salience) the ceiling, as many as keep the average code width at or
//   under B: exactly B when (B - floor(B)) times the block count is whole and
//   the blocks are of one size.
// - Within a block: rtn-sym at the block's width, one fp16 scale per group.
// - The orders are stored and undone at inference: the input is gathered by
//   the column order, each output scattered by the row order (PermutedLinear).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "golden/model/linear.hpp"
#include "golden/quant/quant_methods.hpp"

namespace ws::golden {

struct SfmpOrder {
  std::vector<uint32_t> rows, cols;  // stored row r is row rows[r], stored column c column cols[c]
};
SfmpOrder sfmp_order(std::span<const float> weights, int64_t rows, int64_t cols, const std::vector<double>* hessian);

struct SfmpBlocks {
  int64_t rows, cols;
};
SfmpBlocks sfmp_blocks(int64_t rows, int64_t cols, int group);

// target_bits in [2, 8]: the average code width.
QuantResult sfmp_quantize(std::span<const float> weights, int64_t rows, int64_t cols, double target_bits, int group,
                          const std::vector<double>* hessian);

// Matrix products in a stored order: out_i = sum over stored columns c, in
// stored order, of w[i, cols[c]] x[cols[c]] in fp32, rows computed in stored
// order and scattered to their own index. Matrices without an order go
// through Fp32Linear.
class PermutedLinear final : public LinearBackend {
 public:
  explicit PermutedLinear(std::map<std::string, SfmpOrder> orders) : orders_(std::move(orders)) {}
  void apply(const LinearWeights& w, std::span<const float> x, std::span<float> out, int batch) override;

 private:
  std::map<std::string, SfmpOrder> orders_;
  Fp32Linear fp32_;
};

}  // namespace ws::golden
