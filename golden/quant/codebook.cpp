#include "golden/quant/codebook.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>

#include "golden/formats/float_format.hpp"
#include "golden/quant/index_coding.hpp"

namespace ws::golden {
namespace {

constexpr int kLloydIterations = 25;
constexpr int64_t kOutlierFractions[] = {0, 1024, 256, 64};  // taken before the fit: 1 / n of the weights; 0: none
constexpr int kLibrarySizes[] = {1, 2, 4};                   // codebooks per tensor

uint32_t fp16_pattern(double v) { return Fp16::encode(std::clamp(v, -65504.0, 65504.0)); }
double fp16_round(double v) { return to_double(Fp16::decode(fp16_pattern(v))); }

// K entries for (value, weight) pairs sorted by value: weighted quantiles,
// then Lloyd iterations; the entries are returned sorted.
std::vector<double> lloyd(const std::vector<std::pair<double, double>>& points, int k) {
  double total = 0;
  for (const auto& p : points) total += p.second;
  std::vector<double> entries(static_cast<size_t>(k));
  double seen = 0;
  size_t at = 0;
  for (int e = 0; e < k; ++e) {
    const double target = (e + 0.5) / k * total;
    while (at + 1 < points.size() && seen + points[at].second < target) seen += points[at++].second;
    entries[e] = points.empty() ? 0.0 : points[at].first;
  }
  for (int iteration = 0; iteration < kLloydIterations; ++iteration) {
    std::ranges::sort(entries);
    std::vector<double> sum(entries.size(), 0.0), weight(entries.size(), 0.0);
    size_t e = 0;
    for (const auto& [value, w] : points) {  // points ascend: the nearest entry only moves up
      while (e + 1 < entries.size() && std::abs(entries[e + 1] - value) <= std::abs(entries[e] - value)) ++e;
      sum[e] += w * value;
      weight[e] += w;
    }
    bool moved = false;
    for (size_t i = 0; i < entries.size(); ++i) {
      const double updated = weight[i] > 0 ? sum[i] / weight[i] : entries[i];
      // Entries end as fp16 (11 significant bits): a move below 2^-16 of the entry is done.
      moved = moved || std::abs(updated - entries[i]) > 0x1p-16 * std::abs(entries[i]);
      entries[i] = updated;
    }
    if (!moved) break;
  }
  std::ranges::sort(entries);
  return entries;
}

// The nearest entry of an ascending list (the lower one on a tie).
uint32_t nearest(const std::vector<double>& entries, double v) {
  const auto it = std::ranges::lower_bound(entries, v);
  if (it == entries.begin()) return 0;
  if (it == entries.end()) return static_cast<uint32_t>(entries.size() - 1);
  const auto i = static_cast<uint32_t>(it - entries.begin());
  return v - entries[i - 1] <= entries[i] - v ? i - 1 : i;
}

// Weighted squared error of weights `members` against their nearest entries.
double weighted_error(std::span<const float> weights, const std::vector<int64_t>& members,
                      const std::vector<double>& entries, const std::vector<double>& importance, int64_t cols) {
  double e = 0;
  for (int64_t i : members) {
    const double d = weights[i] - entries[nearest(entries, weights[i])];
    e += importance[i % cols] * d * d;
  }
  return e;
}

struct Fit {
  std::span<const float> weights;
  int64_t rows, cols;
  const std::vector<double>& importance;
  vp::QualityFloor per_row;
};

// One candidate: `books` codebooks of 2^bits entries over the weights not
// already outliers (`ascending`: their indices by increasing value), every
// row repaired to the floor with more outliers.
QuantResult fit_candidate(const Fit& f, std::vector<bool> outlier, const std::vector<int64_t>& ascending, int bits,
                          int books) {
  const int64_t size = f.rows * f.cols;
  QuantizedTensor q;
  q.method = "codebook";
  q.rows = f.rows;
  q.cols = f.cols;
  q.code_kind = CodeKind::Codebook;
  q.code_bits = bits;
  q.group = 1 << bits;
  q.scale_kind = ScaleKind::Fp16;
  q.codebooks = books;
  // The weights of each library group that the codebooks code.
  std::vector<std::vector<int64_t>> members(static_cast<size_t>(q.library_groups()));
  for (int64_t i = 0; i < size; ++i) {
    if (!outlier[i]) members[q.library_group_of(i)].push_back(i);
  }
  // Start: library groups split by their weighted RMS into `books` equal bins.
  std::vector<uint32_t> choice(members.size(), 0);
  if (books > 1) {
    std::vector<double> rms(members.size(), 0.0);
    for (size_t g = 0; g < members.size(); ++g) {
      for (int64_t i : members[g]) rms[g] += f.importance[i % f.cols] * f.weights[i] * f.weights[i];
    }
    std::vector<uint32_t> order(members.size());
    std::iota(order.begin(), order.end(), 0u);
    std::ranges::stable_sort(order, [&](uint32_t a, uint32_t b) { return rms[a] < rms[b]; });
    for (size_t k = 0; k < order.size(); ++k) choice[order[k]] = static_cast<uint32_t>(k * books / order.size());
  }
  std::vector<std::vector<double>> entries(static_cast<size_t>(books));
  for (int round = 0; round < (books > 1 ? 4 : 1); ++round) {
    for (int b = 0; b < books; ++b) {
      std::vector<std::pair<double, double>> points;  // ascending, as `ascending` is
      for (int64_t i : ascending) {
        if (choice[q.library_group_of(i)] != static_cast<uint32_t>(b)) continue;
        points.emplace_back(f.weights[i], f.importance[i % f.cols] > 0 ? f.importance[i % f.cols] : 1e-12);
      }
      entries[b] = lloyd(points, q.group);
      for (double& e : entries[b]) e = fp16_round(e);
      std::ranges::sort(entries[b]);
    }
    if (books == 1 || round == 3) break;
    for (size_t g = 0; g < members.size(); ++g) {  // each group to the codebook that codes it best
      double best = INFINITY;
      for (int b = 0; b < books; ++b) {
        const double e = weighted_error(f.weights, members[g], entries[b], f.importance, f.cols);
        if (e < best) best = e, choice[g] = static_cast<uint32_t>(b);
      }
    }
  }
  for (const std::vector<double>& book : entries) {
    for (double e : book) q.scales.push_back(fp16_pattern(e));
  }
  if (books > 1) q.group_codebook = choice;
  q.codes.assign(static_cast<size_t>(size), 0);
  std::vector<float> decoded(static_cast<size_t>(size));
  for (int64_t i = 0; i < size; ++i) {
    const std::vector<double>& book = entries[choice[q.library_group_of(i)]];
    q.codes[i] = outlier[i] ? 0 : nearest(book, f.weights[i]);
    decoded[i] = static_cast<float>(outlier[i] ? fp16_round(f.weights[i]) : book[q.codes[i]]);
  }
  // Rows below the floor give up their worst-coded weights, in doubling steps, until they meet it.
  for (int64_t r = 0; r < f.rows; ++r) {
    const std::vector<double> x(f.weights.begin() + r * f.cols, f.weights.begin() + (r + 1) * f.cols);
    auto row_meets = [&] {
      const std::vector<double> y(decoded.begin() + r * f.cols, decoded.begin() + (r + 1) * f.cols);
      return vp::meets(f.per_row, vp::measure_quality(x, y, static_cast<size_t>(f.cols)));
    };
    if (row_meets()) continue;
    std::vector<int64_t> worst;
    for (int64_t c = 0; c < f.cols; ++c) {
      if (!outlier[r * f.cols + c]) worst.push_back(c);
    }
    std::ranges::stable_sort(worst, [&](int64_t a, int64_t b) {
      return std::abs(x[a] - decoded[r * f.cols + a]) > std::abs(x[b] - decoded[r * f.cols + b]);
    });
    size_t taken = 0;
    for (size_t step = 1; taken < worst.size(); step *= 2) {
      for (size_t k = taken; k < std::min(worst.size(), taken + step); ++k) {
        const int64_t i = r * f.cols + worst[k];
        outlier[i] = true;
        q.codes[i] = 0;
        decoded[i] = static_cast<float>(fp16_round(f.weights[i]));
      }
      taken = std::min(worst.size(), taken + step);
      if (row_meets()) break;
    }
  }
  for (int64_t i = 0; i < size; ++i) {
    if (outlier[i]) {
      q.outlier_index.push_back(static_cast<uint32_t>(i));
      q.outlier_value.push_back(fp16_pattern(f.weights[i]));
    }
  }
  return {q, decoded};
}

}  // namespace

QuantResult codebook_quantize(std::span<const float> weights, int64_t rows, int64_t cols, const vp::QualityFloor& floor,
                              const std::vector<double>* hessian) {
  check_quant_input("codebook", weights, rows, cols, 1);
  const int64_t size = rows * cols;
  std::vector<double> importance = hessian_diagonal("codebook", hessian, cols);
  for (double& d : importance) d = std::max(d, 0.0);
  // Candidates for the outliers taken before the fit, most outlying first.
  std::vector<uint32_t> by_outlyingness(static_cast<size_t>(size));
  std::iota(by_outlyingness.begin(), by_outlyingness.end(), 0u);
  auto outlyingness = [&](uint32_t i) { return std::abs(double{weights[i]}) * std::sqrt(importance[i % cols]); };
  std::ranges::stable_sort(by_outlyingness, [&](uint32_t a, uint32_t b) { return outlyingness(a) > outlyingness(b); });
  std::vector<int64_t> by_value(static_cast<size_t>(size));
  std::iota(by_value.begin(), by_value.end(), int64_t{0});
  std::ranges::stable_sort(by_value, [&](int64_t a, int64_t b) { return weights[a] < weights[b]; });
  vp::QualityFloor per_row = floor;
  per_row.per_row = true;
  const Fit fit{weights, rows, cols, importance, per_row};
  const std::vector<double> reference(weights.begin(), weights.end());

  std::optional<QuantResult> best;
  for (const int books : kLibrarySizes) {
    for (const int64_t fraction : kOutlierFractions) {
      std::vector<bool> outlier(static_cast<size_t>(size), false);
      for (int64_t k = 0; k < (fraction == 0 ? 0 : size / fraction); ++k) outlier[by_outlyingness[k]] = true;
      std::vector<int64_t> ascending;
      for (int64_t i : by_value) {
        if (!outlier[i]) ascending.push_back(i);
      }
      // Once a candidate meets the floor, others start one index bit below its K:
      // far smaller codebooks only buy their floor with many outliers.
      for (int bits = best ? std::max(1, best->stored.code_bits - 1) : 1; bits <= 8; ++bits) {
        // What the indices, entries and choices alone cost: larger codebooks only cost more.
        QuantizedTensor bound;
        bound.rows = rows, bound.cols = cols, bound.code_kind = CodeKind::Codebook, bound.code_bits = bits;
        bound.group = 1 << bits, bound.codebooks = books;
        if (best && bound.bits_per_weight() >= best->stored.bits_per_weight()) break;
        QuantResult candidate = fit_candidate(fit, outlier, ascending, bits, books);
        const std::vector<double> got(candidate.dequantized.begin(), candidate.dequantized.end());
        if (!vp::meets(per_row, vp::measure_quality(reference, got, static_cast<size_t>(cols)))) continue;
        if (!best || candidate.stored.bits_per_weight() < best->stored.bits_per_weight()) best = std::move(candidate);
      }
    }
  }
  if (!best) {
    throw std::invalid_argument("codebook: " + floor.text() + " cannot be met in every row, even by fp16 outliers");
  }
  // The indices tANS-coded where that takes fewer bytes than log2 K bits each.
  QuantizedTensor& q = best->stored;
  if (const std::optional<CodedIndices> coded = code_indices(q.codes, q.group, q.code_bits)) {
    q.index_table_log = coded->table_log;
    q.index_table_bytes = coded->table.size();
    q.index_lane_bytes = coded->lane.size();
  }
  return *best;
}

}  // namespace ws::golden
