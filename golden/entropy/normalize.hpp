// Symbol statistics for the entropy coder: histograms, the order-0 entropy
// bound, and normalization of counts to a table of 2^table_log slots.
//
// Invariants of a normalized table: the counts sum to 2^table_log, and every
// symbol that occurs has a count of at least 1 (no escape: a table log is only
// valid when it has room for every present symbol).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace ws::golden {

// Order-0 entropy of a histogram in bits, summed over all symbols.
double entropy_bits(std::span<const uint64_t> histogram);

// Ideal cost in bits of coding a histogram with a normalized table.
double coded_bits(std::span<const uint64_t> histogram, std::span<const uint32_t> normalized, int table_log);

// Counts scaled to 2^table_log, minimizing the ideal coded size greedily.
// Throws std::invalid_argument if more symbols occur than the table has slots.
std::vector<uint32_t> normalize_counts(std::span<const uint64_t> histogram, int table_log);

}  // namespace ws::golden
