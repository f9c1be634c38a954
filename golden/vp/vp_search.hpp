// Quality first: the user states a floor (SQNR in dB or cosine similarity,
// per tensor or per output channel) and the encoder picks the variable-
// precision table that meets it at the fewest bits per weight, side
// information included (docs/FORMAT.md 16.4).
//
// The search works per binade of the output dtype: a binade either keeps m
// mantissa bits (0..F), or, below a cut, goes to zero (the binade just under
// the cut rounds up to the cut's first value). Distortion and the sums a
// cosine needs are exact per binade and option (the rounding of vp_table.hpp),
// so a choice's quality is known without encoding. A Lagrangian sweep (bits +
// lambda * relative distortion, bisected on lambda) gives the first choice;
// a greedy pass then takes mantissa bits back while the floor holds. Last,
// the choice is coded for real with 0..3 leading mantissa bits folded into
// the symbol, and the smallest coding that meets the floor wins.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "golden/vp/vp_codec.hpp"

namespace ws::golden::vp {

struct QualityFloor {
  enum class Kind { Sqnr, Cosine };
  Kind kind = Kind::Sqnr;
  double value = 30;     // dB, or the cosine
  bool per_row = false;  // every output channel (row) must meet it, not just the tensor

  std::string text() const;  // "sqnr=30dB", "cos=0.999", with " per row"
};
// "sqnr=30dB", "sqnr=30", "cos=0.999"; throws std::invalid_argument saying what is wrong.
QualityFloor parse_quality(const std::string& text);

struct QualityMeasure {
  double sqnr_db = 0;            // 10 log10(sum x^2 / sum (x - y)^2), +inf when exact
  double cosine = 1;
  double worst_row_sqnr_db = 0;  // the worst output channel's
  double worst_row_cosine = 1;
};
// Over the finite values; a row is row_length consecutive values (the tensor's last dimension).
QualityMeasure measure_quality(std::span<const double> reference, std::span<const double> decoded, size_t row_length);
bool meets(const QualityFloor& floor, const QualityMeasure& q);

struct VpChoice {
  EncodedTensor encoded;          // vp set
  QualityMeasure quality;         // measured on the decoded weights
  double bits_per_weight = 0;     // payload and table descriptor
  int fold_bits = 0;              // leading mantissa bits folded into the symbols
};

// The smallest coding meeting the floor. Throws InputError when the tensor is
// not of floating point values the type holds (NaN is kept by a special symbol).
VpChoice choose_vp(const Tensor& t, const QualityFloor& floor, const VpCodingOptions& options);

// The best quality (SQNR, per tensor) at no more than `bits_per_weight`,
// side information included; for rate-distortion comparisons at equal rate.
VpChoice choose_vp_at_rate(const Tensor& t, double bits_per_weight, const VpCodingOptions& options);

// Ideal entropy-coded uniform scalar quantisation (ECSQ) at the largest step
// that meets the same floor: order-0 entropy of the integers plus honest side
// information (the step, 32 bits, and the integers' normalized-count table as
// this project's table codec stores it).
struct EcsqPoint {
  double step = 0;
  double bits_per_weight = 0;  // entropy and side information
  double side_bits = 0;
  QualityMeasure quality;
};
EcsqPoint ecsq_for_floor(const Tensor& t, const QualityFloor& floor);

// The Gaussian rate-distortion line: 6.02 dB per bit at the tensor's variance.
inline double gaussian_sqnr_db(double bits_per_weight) { return 6.020599913279624 * bits_per_weight; }

}  // namespace ws::golden::vp
