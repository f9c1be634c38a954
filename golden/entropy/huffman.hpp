// Huffman code lengths for a histogram: the baseline the ANS coder is
// measured against (DFloat11 codes bf16 exponents this way).
// Invariants: every symbol that occurs gets a length >= 1 (a lone symbol gets
// 1), absent symbols get 0, and the lengths satisfy Kraft's equality.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace ws::golden {

std::vector<int> huffman_code_lengths(std::span<const uint64_t> histogram);

// Bits to code the histogram with those lengths.
uint64_t huffman_coded_bits(std::span<const uint64_t> histogram, std::span<const int> lengths);

}  // namespace ws::golden
