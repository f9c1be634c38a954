// OCP Microscaling (MX v1.0) block formats: blocks of 32 consecutive weights
// along a row share one E8M0 power-of-two scale; each weight is an element
// of a narrow float format, or an 8-bit integer for MXINT8. These are the
// formats MX hardware reads natively, so their quantiser follows the spec's
// conversion rule exactly rather than searching for a better scale.
//
// Names: mxfp8-e4m3, mxfp8-e5m2, mxfp6-e3m2, mxfp6-e2m3, mxfp4 (e2m1), mxint8.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "golden/quant/quant_methods.hpp"

namespace ws::golden {

inline constexpr int kMxBlock = 32;

struct MxFormat {
  std::string_view name;            // the method name, e.g. "mxfp4"
  std::string_view element_format;  // golden float format name; empty for MXINT8
  int element_bits;
};

std::span<const MxFormat> mx_formats();
const MxFormat* find_mx_format(std::string_view name);

// The largest element value and its power of two (emax) of an MX element
// format: e4m3 448 (8), e5m2 57344 (15), e3m2 28 (4), e2m3 7.5 (2),
// e2m1 6 (2), MXINT8 127/64 (0).
struct MxElementRange {
  double max_value;
  int emax;
};
MxElementRange mx_element_range(const MxFormat& format);

// The block's shared exponent: floor(log2(amax)) - emax clamped to the E8M0
// range [-127, 127]; -127 for an all-zero block.
int mx_shared_exponent(const MxFormat& format, double block_amax);

QuantResult mx_quantize(const MxFormat& format, std::span<const float> weights, int64_t rows, int64_t cols);

}  // namespace ws::golden
