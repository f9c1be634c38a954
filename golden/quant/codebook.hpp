// Quality-first codebooks with separated outliers (`--method codebook
// --quality cos=0.999`, docs/FORMAT.md 14.6). The user states a floor, not a
// bit width; every output channel (row) must meet it.
//
// A tensor is a sparse residual of outliers kept as fp16 (their positions
// stored) plus, for every other weight, an index into a codebook of K fp16
// entries. The entries are fitted by Lloyd's algorithm (k-means in one
// dimension) with each weight counted by its column's importance H_jj (1
// without a Hessian), from weighted quantiles. Outliers come two ways: the
// weights of largest |w| sqrt(H_jj) are taken out before the fit (none, 1/1024,
// 1/256 or 1/64 of the tensor), and a row that misses the floor after the fit
// gives up its worst-coded weights, in doubling steps, until it meets it. Of
// the K = 2, 4, ..., 256 and pre-fit fractions tried, the combination with the
// fewest bits per weight (indices, entries and outliers counted) is kept.
// Per tensor either one codebook or a library of 2 or 4, one chosen per 128
// weights of a row (fitted by alternating choice and refit from an RMS
// split), whichever costs fewer bits. The winner's indices are tANS-coded
// where that takes fewer bytes (index_coding.hpp). Deterministic. fp16 outliers meet any
// floor a fp16 copy of the row meets.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "golden/quant/quant_methods.hpp"
#include "golden/vp/vp_search.hpp"

namespace ws::golden {

// Throws std::invalid_argument when even fp16 copies of the rows miss the floor.
QuantResult codebook_quantize(std::span<const float> weights, int64_t rows, int64_t cols, const vp::QualityFloor& floor,
                              const std::vector<double>* hessian);

}  // namespace ws::golden
