#include "golden/quant/sfmp.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "golden/quant/rtn.hpp"

namespace ws::golden {
namespace {

// Indices 0 .. n-1 by decreasing salience, ties by index.
std::vector<uint32_t> by_salience(const std::vector<double>& salience) {
  std::vector<uint32_t> order(salience.size());
  std::iota(order.begin(), order.end(), 0u);
  std::ranges::stable_sort(order, [&](uint32_t a, uint32_t b) { return salience[a] > salience[b]; });
  return order;
}

}  // namespace

SfmpOrder sfmp_order(std::span<const float> weights, int64_t rows, int64_t cols, const std::vector<double>* hessian) {
  const std::vector<double> d = hessian_diagonal("sfmp", hessian, cols);
  std::vector<double> row_salience(static_cast<size_t>(rows), 0.0), col_salience(static_cast<size_t>(cols), 0.0);
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      const double s = double{weights[i * cols + j]} * weights[i * cols + j] * d[j];
      row_salience[i] += s;
      col_salience[j] += s;
    }
  }
  return {by_salience(row_salience), by_salience(col_salience)};
}

SfmpBlocks sfmp_blocks(int64_t rows, int64_t cols, int group) {
  const int64_t quarter_cols = (cols + 3) / 4;
  return {std::min<int64_t>(512, (rows + 3) / 4),
          std::min<int64_t>(std::max<int64_t>(group, 128 / group * group), (quarter_cols + group - 1) / group * group)};
}

QuantResult sfmp_quantize(std::span<const float> weights, int64_t rows, int64_t cols, double target_bits, int group,
                          const std::vector<double>* hessian) {
  check_quant_input("sfmp", weights, rows, cols, group);
  if (!(target_bits >= 2 && target_bits <= 8)) {
    throw std::invalid_argument("sfmp: average code bits " + std::to_string(target_bits) + " is not in [2, 8]");
  }
  const SfmpOrder order = sfmp_order(weights, rows, cols, hessian);
  const SfmpBlocks blocks = sfmp_blocks(rows, cols, group);
  QuantizedTensor q;
  q.method = "sfmp";
  q.rows = rows;
  q.cols = cols;
  q.group = group;
  q.code_kind = CodeKind::MixedSignedInt;
  q.scale_kind = ScaleKind::Fp16;
  q.block_rows = blocks.rows;
  q.block_cols = blocks.cols;
  q.row_order = order.rows;
  q.col_order = order.cols;
  const int floor_bits = static_cast<int>(std::floor(target_bits));
  const int ceil_bits = std::min(8, floor_bits + 1);
  q.code_bits = target_bits > floor_bits ? ceil_bits : floor_bits;
  q.block_bits.assign(static_cast<size_t>(q.blocks()), static_cast<uint8_t>(floor_bits));

  // The stored (permuted) matrix and each block's mean salience.
  const std::vector<double> d = hessian_diagonal("sfmp", hessian, cols);
  std::vector<float> stored(static_cast<size_t>(rows * cols));
  std::vector<double> block_salience(q.block_bits.size(), 0.0);
  std::vector<int64_t> block_weights(q.block_bits.size(), 0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const float w = weights[int64_t{order.rows[r]} * cols + order.cols[c]];
      stored[r * cols + c] = w;
      const int64_t b = r / q.block_rows * q.block_grid_cols() + c / q.block_cols;
      block_salience[b] += double{w} * w * d[order.cols[c]];
      ++block_weights[b];
    }
  }
  // The ceiling to the most salient blocks while the average stays at or under the target.
  if (q.code_bits > floor_bits) {
    std::vector<double> mean(block_salience.size());
    for (size_t b = 0; b < mean.size(); ++b) mean[b] = block_salience[b] / static_cast<double>(block_weights[b]);
    const double budget = (target_bits - floor_bits) * static_cast<double>(rows * cols);
    double used = 0;
    for (uint32_t b : by_salience(mean)) {
      if (used + static_cast<double>(block_weights[b]) > budget + 1e-9) continue;
      used += static_cast<double>(block_weights[b]);
      q.block_bits[b] = static_cast<uint8_t>(ceil_bits);
    }
  }

  q.codes.resize(static_cast<size_t>(q.size()));
  q.scales.resize(static_cast<size_t>(q.groups()));
  QuantResult result{q, std::vector<float>(static_cast<size_t>(q.size()))};
  QuantizedTensor& s = result.stored;
  for (int64_t g = 0; g < s.groups(); ++g) {
    const auto [first, count] = s.group_span(g);
    const int bits = s.code_width(first);
    double amax = 0;
    for (int64_t i = first; i < first + count; ++i) amax = std::max(amax, std::abs(double{stored[i]}));
    const IntGroupGrid grid = symmetric_grid(amax, bits);
    s.scales[g] = grid.scale_pattern;
    for (int64_t i = first; i < first + count; ++i) {
      const int32_t code = grid.nearest_code(stored[i]);
      s.codes[i] = static_cast<uint32_t>(code) & ((1u << bits) - 1);
      const int64_t r = i / cols, c = i % cols;
      result.dequantized[int64_t{order.rows[r]} * cols + order.cols[c]] = static_cast<float>(grid.value(code));
    }
  }
  return result;
}

void PermutedLinear::apply(const LinearWeights& w, std::span<const float> x, std::span<float> out, int batch) {
  const auto it = orders_.find(w.name);
  if (it == orders_.end()) {
    fp32_.apply(w, x, out, batch);
    return;
  }
  const SfmpOrder& order = it->second;
  if (static_cast<int64_t>(order.rows.size()) != w.rows || static_cast<int64_t>(order.cols.size()) != w.cols) {
    throw std::invalid_argument("PermutedLinear: the order of " + w.name + " does not match its shape");
  }
  std::vector<float> gathered(static_cast<size_t>(w.cols));
  for (int b = 0; b < batch; ++b) {
    const float* in = x.data() + int64_t{b} * w.cols;
    for (int64_t c = 0; c < w.cols; ++c) gathered[c] = in[order.cols[c]];
    for (int64_t r = 0; r < w.rows; ++r) {
      const float* row = w.w.data() + int64_t{order.rows[r]} * w.cols;
      float sum = 0.0f;
      for (int64_t c = 0; c < w.cols; ++c) sum += row[order.cols[c]] * gathered[c];
      out[int64_t{b} * w.rows + order.rows[r]] = sum;
    }
  }
}

}  // namespace ws::golden
