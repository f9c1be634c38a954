// Per-tensor and total statistics of lossless coding, shared by `encode` and
// `inspect`: sizes, ratio, and the distance to the order-0 bound "exponent
// entropy-coded, sign and fraction raw" (docs/FORMAT.md, "encode --json").
#pragma once

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "golden/codec/lossless_codec.hpp"
#include "golden/model/tensor.hpp"

namespace ws::host {

struct CodingTotals {
  uint64_t weights = 0;
  uint64_t original_bytes = 0;
  uint64_t payload_bytes = 0;
  double bound_bits = 0;
};

nlohmann::json tensor_report(const golden::Tensor& tensor, const golden::EncodedTensor& encoded,
                             CodingTotals& totals);

// Totals over all tensors; compressed_bytes is the whole file (header and
// directory included).
nlohmann::json total_report(const CodingTotals& totals, uint64_t file_bytes, uint64_t directory_bytes);

// The human-readable table of a report made by the two functions above.
void print_report(const nlohmann::json& tensors, const nlohmann::json& total, std::FILE* out = stdout);

}  // namespace ws::host
