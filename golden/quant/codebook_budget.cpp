#include "golden/quant/codebook_budget.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "golden/quant/quantized_payload.hpp"

namespace ws::golden {
namespace {

std::string floor_text(double cosine) {
  char text[32];
  std::snprintf(text, sizeof text, "cos=%g", cosine);
  return text;
}

}  // namespace

bool is_attention_matrix(const std::string& name) {
  for (const char* kind : {".wq", ".wk", ".wv", ".wo"}) {
    if (name.ends_with(kind)) return true;
  }
  return false;
}

BudgetSearch search_codebook_budget(const Llama2Weights& reference, const Hessians& hessians, uint64_t budget_bytes,
                                    const EvalSet& set, bool all) {
  Llama2Weights candidate = reference;
  const std::vector<Matrix*> matrices = candidate.matrices(all);
  constexpr size_t kFloors = std::size(kCodebookFloorLadder);
  // Every matrix at every floor, coded once.
  std::vector<std::vector<QuantResult>> coded(matrices.size());
  for (size_t m = 0; m < matrices.size(); ++m) {
    for (const double floor : kCodebookFloorLadder) {
      QuantRequest request{"codebook", 0, 0};
      request.quality = floor_text(floor);
      coded[m].push_back(quantize_matrix(request, matrices[m]->name, matrices[m]->values, matrices[m]->rows,
                                         matrices[m]->cols, &hessians));
    }
  }
  BudgetSearch search;
  double best_kl = INFINITY;
  for (size_t s = 0; s < kFloors; ++s) {
    for (size_t l = 0; l <= s; ++l) {
      BudgetPoint point{kCodebookFloorLadder[s], kCodebookFloorLadder[l]};
      for (size_t m = 0; m < matrices.size(); ++m) {
        point.bytes += quantized_payload_bytes(coded[m][is_attention_matrix(matrices[m]->name) ? s : l].stored);
      }
      point.fits = point.bytes <= budget_bytes;
      if (point.fits) {
        for (size_t m = 0; m < matrices.size(); ++m) {
          matrices[m]->values = coded[m][is_attention_matrix(matrices[m]->name) ? s : l].dequantized;
        }
        point.mean_kl = measure_quality(candidate, set).mean_kl;
        if (*point.mean_kl < best_kl) {
          best_kl = *point.mean_kl;
          search.chosen = search.walk.size();
        }
      }
      search.walk.push_back(point);
    }
  }
  if (search.chosen) {
    const BudgetPoint& chosen = search.walk[*search.chosen];
    search.request = QuantRequest{"codebook", 0, 0};
    search.request.quality = floor_text(chosen.lazy);
    for (const char* kind : {"wq", "wk", "wv", "wo"}) {
      search.request.quality_for.push_back(std::string("*.") + kind + "=" + floor_text(chosen.strict));
    }
  }
  return search;
}

}  // namespace ws::golden
