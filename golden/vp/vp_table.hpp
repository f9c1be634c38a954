// The variable-precision type (docs/FORMAT.md 16): a user-defined superset of
// floats and posits. A table maps each symbol to a range of the output word
// (bf16, fp16 or fp32 bit patterns): an exponent field, optionally the top
// fraction bits (the prefix, "folded" into the symbol), and a mantissa width.
// A value is (symbol, sign, mantissa bits); symbols are tANS-coded, sign and
// mantissa are the raw field, whose width comes from the symbol. The output
// pattern is
//   sign << (P-1) | exponent << F | prefix << (F - j) | mantissa << (F - j - m)
// so the decoder places the mantissa right under the symbol's bits, zeros below.
//
// Rules a table keeps (check_table): a zero symbol first if any; then the
// finite symbols in increasing order of magnitude, tiling the range from the
// first one's start (a binade boundary) up without gaps: each starts at the
// pattern where the one before ends; then the special symbols (exponent all
// ones: infinity and NaN). Finite symbols other than zero carry a sign.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "golden/codec/field_layout.hpp"
#include "golden/model/tensor.hpp"

namespace ws::golden::vp {

enum class SymbolClass : uint8_t { Zero = 0, Finite = 1, Special = 2 };

struct VpSymbol {
  SymbolClass cls = SymbolClass::Finite;
  uint32_t exponent = 0;  // the output dtype's biased exponent field
  int prefix_bits = 0;    // j: top fraction bits the symbol fixes
  uint32_t prefix = 0;
  int mantissa_bits = 0;  // m: fraction bits stored raw under the prefix
  bool has_sign = true;   // the raw field ends with the sign

  friend bool operator==(const VpSymbol&, const VpSymbol&) = default;
};

struct VpTable {
  DType dtype = DType::BF16;
  std::vector<VpSymbol> symbols;

  FieldLayout layout() const { return FieldLayout::of(dtype, 0); }
  friend bool operator==(const VpTable&, const VpTable&) = default;
};

// Where a symbol's bits go in the output word (the hardware table word's fields).
struct SymbolPlacement {
  uint32_t pattern = 0;  // exponent and prefix in place, sign and mantissa 0
  int keep_lo = 0;       // mantissa bits land at [keep_lo, keep_hi)
  int keep_hi = 0;
  bool has_sign = false;
  int raw_bits() const { return keep_hi - keep_lo + (has_sign ? 1 : 0); }
};
SymbolPlacement placement(const VpTable& t, const VpSymbol& s);

// Throws InputError naming `where` when the table breaks a rule above.
void check_table(const VpTable& t, const std::string& where);

struct VpCode {
  uint16_t symbol = 0;
  bool sign = false;
  uint32_t mantissa = 0;
};

// The output pattern of a code.
uint32_t pattern_of(const VpTable& t, const VpCode& c);
// The raw field as the lane stream holds it: the mantissa, then the sign.
inline uint32_t raw_field(const VpTable& t, const VpCode& c) {
  const VpSymbol& s = t.symbols[c.symbol];
  return c.mantissa | (s.has_sign && c.sign ? 1u << s.mantissa_bits : 0u);
}

// Encoding into a table (docs/FORMAT.md 16.2): the nearest value; halfway
// cases go up when the lower neighbour's last kept bit (pattern bit keep_lo)
// is 1, else down, and between zero and the smallest nonzero value to zero;
// magnitudes above the largest finite value saturate to it. Infinity and NaN
// go to a special symbol holding them (an infinity without one saturates; a
// NaN without one is an InputError).
class VpEncoder {
 public:
  explicit VpEncoder(const VpTable& table);
  VpCode encode(double value) const;
  const VpTable& table() const { return table_; }

 private:
  VpTable table_;
  int zero_symbol_ = -1;
  std::vector<uint16_t> finite_;  // finite symbols, ascending
  std::vector<double> first_;     // their first values
  std::vector<double> step_;      // their grid steps
};

// The compact form stored in a container (docs/FORMAT.md 16.3) and its reader
// (which checks the table; errors name `where`).
std::vector<uint8_t> serialize_table(const VpTable& t);
VpTable parse_table(std::span<const uint8_t> bytes, DType dtype, const std::string& where);

// Reference tables, built from each format's definition: every value of the
// format, exactly once.
VpTable identity_table(DType dtype);  // one symbol per exponent field, the whole fraction raw
VpTable posit_table(int n, int es, DType dtype);
VpTable float_table(int exponent_bits, int mantissa_bits, bool finite_only_e4m3, DType dtype);

// A one-line description, e.g. "24 symbols: zero, 2^-20 m0 .. 2^-3 m9, fold 1".
std::string describe(const VpTable& t);

}  // namespace ws::golden::vp
