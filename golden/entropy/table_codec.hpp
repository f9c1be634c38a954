// Compact serialization of a normalized count table (the table log and the
// alphabet size are known to the reader from elsewhere).
//
// Layout (bit stream, LSB-first), with b = bit width of (alphabet_size - 1):
//   b bits             h: the highest symbol with a nonzero count
//   then for s = h, h-1, ... while slots remain:
//     count n_s in [0, remaining], truncated binary over remaining+1 values
//     after a zero count: the number of further zero counts, Elias gamma of (run + 1)
// Counts go from the top symbol down because exponent histograms put their
// large counts high: once those are coded, `remaining` is small and the long
// tail of rare symbols costs few bits each. The lowest symbol reached when
// slots remain takes them all and is not written.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "golden/common/error.hpp"
#include "golden/entropy/bit_stream.hpp"

namespace ws::golden {

void write_table(BitWriter& out, std::span<const uint32_t> normalized, int table_log);

// Reads a table; a BadInput status if the bits do not describe a valid table
// of 2^table_log slots over alphabet_size symbols.
Status read_table(BitReader& in, int table_log, size_t alphabet_size, std::vector<uint32_t>& normalized);

}  // namespace ws::golden
