// The budget search of `encode --method codebook --fit-bytes N` (docs/FORMAT.md
// 14.6): a strict floor for the attention matrices (wq, wk, wv, wo) and a
// lazy one for the rest, chosen as the pair whose quantised matrices fit N
// payload bytes with the lowest mean KL of the model's next-token
// distribution. Every pair of floors from a fixed ladder (lazy no stricter
// than strict) is walked; each matrix is coded once per floor and the pairs
// assemble from those, so only the model's KL costs per pair, and only for
// pairs that fit. The walk is the frontier the report shows: too tight and
// the KL blows up, too loose and it does not fit.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "golden/model/llama2_weights.hpp"
#include "golden/quant/model_quantizer.hpp"

namespace ws::golden {

// Cosine floors, loosest first.
inline constexpr double kCodebookFloorLadder[] = {0.95, 0.98, 0.99, 0.995, 0.998, 0.999, 0.9995};

struct BudgetPoint {
  double strict = 0, lazy = 0;  // cosine floors
  uint64_t bytes = 0;           // payload bytes of the quantised matrices
  bool fits = false;
  std::optional<double> mean_kl{};  // measured for the pairs that fit
};

struct BudgetSearch {
  std::vector<BudgetPoint> walk;  // every pair, strict then lazy ascending
  std::optional<size_t> chosen;   // index into walk; none when no pair fits
  QuantRequest request;           // codebook with the chosen floors (quality and quality_for)
};

// True for the matrices the strict floor holds: attention's.
bool is_attention_matrix(const std::string& name);

BudgetSearch search_codebook_budget(const Llama2Weights& reference, const Hessians& hessians, uint64_t budget_bytes,
                                    const EvalSet& set, bool all);

}  // namespace ws::golden
