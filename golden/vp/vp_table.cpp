#include "golden/vp/vp_table.hpp"

#include <algorithm>
#include <cmath>

#include "golden/common/error.hpp"
#include "golden/container/byte_io.hpp"
#include "golden/formats/float_format.hpp"
#include "golden/formats/posit.hpp"

namespace ws::golden::vp {
namespace {

constexpr int kMaxPrefixBits = 3;
constexpr size_t kMaxSymbols = 4096;

uint32_t all_ones_exponent(const FieldLayout& l) { return (1u << l.exponent_bits) - 1; }

// The symbol's patterns without sign: [start, start + span), every 2^keep_lo.
uint32_t start_of(const FieldLayout& l, const VpSymbol& s) {
  return s.exponent << l.fraction_bits | s.prefix << (l.fraction_bits - s.prefix_bits);
}
uint32_t span_of(const FieldLayout& l, const VpSymbol& s) { return 1u << (l.fraction_bits - s.prefix_bits); }

}  // namespace

SymbolPlacement placement(const VpTable& t, const VpSymbol& s) {
  const FieldLayout l = t.layout();
  const int hi = l.fraction_bits - s.prefix_bits;
  return {start_of(l, s), hi - s.mantissa_bits, hi, s.has_sign};
}

void check_table(const VpTable& t, const std::string& where) {
  const auto fail = [&](size_t i, const std::string& why) {
    throw InputError(where + ": variable-precision table: symbol " + std::to_string(i) + ": " + why);
  };
  const FieldLayout l = t.layout();
  if (t.symbols.empty() || t.symbols.size() > kMaxSymbols) {
    throw InputError(where + ": variable-precision table: " + std::to_string(t.symbols.size()) +
                     " symbols (1.." + std::to_string(kMaxSymbols) + " allowed)");
  }
  bool have_value_symbol = false;
  uint64_t finite_end = 0, special_end = 0;  // pattern after the last symbol of each kind
  SymbolClass previous = SymbolClass::Zero;
  for (size_t i = 0; i < t.symbols.size(); ++i) {
    const VpSymbol& s = t.symbols[i];
    if (s.prefix_bits < 0 || s.prefix_bits > std::min(kMaxPrefixBits, l.fraction_bits)) {
      fail(i, "prefix of " + std::to_string(s.prefix_bits) + " bits (0.." + std::to_string(kMaxPrefixBits) + ")");
    }
    if (s.prefix >> s.prefix_bits) fail(i, "prefix wider than its bits");
    if (s.mantissa_bits < 0 || s.mantissa_bits > l.fraction_bits - s.prefix_bits) {
      fail(i, std::to_string(s.mantissa_bits) + " mantissa bits under a prefix of " + std::to_string(s.prefix_bits) +
                  " (the dtype has " + std::to_string(l.fraction_bits) + " fraction bits)");
    }
    if (s.exponent > all_ones_exponent(l)) fail(i, "exponent field out of range");
    if (static_cast<int>(s.cls) < static_cast<int>(previous)) fail(i, "out of order (zero, finite, special)");
    previous = s.cls;
    const uint64_t start = start_of(l, s), end = start + span_of(l, s);
    switch (s.cls) {
      case SymbolClass::Zero:
        if (i != 0) fail(i, "a zero symbol that is not the first");
        if (s.exponent || s.prefix_bits || s.mantissa_bits) fail(i, "a zero symbol with exponent, prefix or mantissa");
        have_value_symbol = true;
        finite_end = 1;  // a finite symbol after zero starts above it
        break;
      case SymbolClass::Finite:
        if (s.exponent == all_ones_exponent(l)) fail(i, "a finite symbol with the all-ones exponent");
        if (!s.has_sign) fail(i, "a finite symbol without a sign");
        if (start < finite_end) fail(i, "overlaps or precedes the symbol before it");
        finite_end = end;
        have_value_symbol = true;
        break;
      case SymbolClass::Special:
        if (s.exponent != all_ones_exponent(l)) fail(i, "a special symbol without the all-ones exponent");
        if (start < special_end) fail(i, "overlaps or precedes the special symbol before it");
        special_end = end;
        break;
      default: fail(i, "unknown class");
    }
  }
  if (!have_value_symbol) throw InputError(where + ": variable-precision table: no zero or finite symbol");
}

uint32_t pattern_of(const VpTable& t, const VpCode& c) {
  const VpSymbol& s = t.symbols.at(c.symbol);
  const SymbolPlacement p = placement(t, s);
  const uint32_t sign = s.has_sign && c.sign ? 1u << (t.layout().pattern_bits() - 1) : 0;
  return sign | p.pattern | c.mantissa << p.keep_lo;
}

VpEncoder::VpEncoder(const VpTable& table) : table_(table) {
  check_table(table_, "encoder");
  for (size_t i = 0; i < table_.symbols.size(); ++i) {
    const VpSymbol& s = table_.symbols[i];
    if (s.cls == SymbolClass::Zero) zero_symbol_ = static_cast<int>(i);
    if (s.cls != SymbolClass::Finite) continue;
    const SymbolPlacement p = placement(table_, s);
    finite_.push_back(static_cast<uint16_t>(i));
    first_.push_back(pattern_to_float(table_.dtype, p.pattern));
    // Within a symbol the grid is uniform (one exponent field).
    step_.push_back(s.mantissa_bits ? pattern_to_float(table_.dtype, p.pattern + (1u << p.keep_lo)) - first_.back() : 0.0);
  }
}

VpCode VpEncoder::encode(double value) const {
  const bool negative = std::signbit(value);
  const auto with_sign = [&](uint16_t symbol, uint32_t mantissa) {
    return VpCode{symbol, negative && table_.symbols[symbol].has_sign, mantissa};
  };
  if (!std::isfinite(value)) {
    const FieldLayout l = table_.layout();
    // The dtype's canonical pattern: infinity, or the quiet NaN (top fraction bit).
    const uint32_t magnitude = all_ones_exponent(l) << l.fraction_bits |
                               (std::isnan(value) ? 1u << (l.fraction_bits - 1) : 0u);
    for (size_t i = 0; i < table_.symbols.size(); ++i) {
      const VpSymbol& s = table_.symbols[i];
      if (s.cls != SymbolClass::Special) continue;
      const SymbolPlacement p = placement(table_, s);
      const uint32_t offset = magnitude - p.pattern;
      if (magnitude >= p.pattern && offset < span_of(l, s) && (offset & ((1u << p.keep_lo) - 1)) == 0) {
        return with_sign(static_cast<uint16_t>(i), offset >> p.keep_lo);
      }
    }
    if (std::isnan(value)) {
      // Any special symbol whose values are all NaN (its start is not infinity).
      for (size_t i = 0; i < table_.symbols.size(); ++i) {
        const VpSymbol& s = table_.symbols[i];
        if (s.cls == SymbolClass::Special && placement(table_, s).pattern != all_ones_exponent(l) << l.fraction_bits) {
          return with_sign(static_cast<uint16_t>(i), 0);
        }
      }
      throw InputError("a NaN weight, and the variable-precision table has no NaN symbol");
    }
    if (finite_.empty()) return with_sign(static_cast<uint16_t>(zero_symbol_), 0);
    const uint16_t top = finite_.back();
    return with_sign(top, (1u << table_.symbols[top].mantissa_bits) - 1);  // saturate
  }
  const double a = std::fabs(value);
  const size_t above = static_cast<size_t>(std::upper_bound(first_.begin(), first_.end(), a) - first_.begin());
  if (above == 0) {
    if (zero_symbol_ < 0) return with_sign(finite_.front(), 0);
    if (finite_.empty() || a <= first_.front() / 2) return with_sign(static_cast<uint16_t>(zero_symbol_), 0);
    return with_sign(finite_.front(), 0);
  }
  const size_t i = above - 1;
  const VpSymbol& s = table_.symbols[finite_[i]];
  const uint64_t n = uint64_t{1} << s.mantissa_bits;
  uint64_t q = n - 1;
  if (s.mantissa_bits) q = std::min<uint64_t>(n - 1, static_cast<uint64_t>(std::floor((a - first_[i]) / step_[i])));
  const double lower = first_[i] + static_cast<double>(q) * step_[i];
  bool has_upper = q + 1 < n || above < finite_.size();
  if (!has_upper) return with_sign(finite_[i], static_cast<uint32_t>(q));  // saturate
  const double upper = q + 1 < n ? lower + step_[i] : first_[above];
  const double down = a - lower, up = upper - a;
  const SymbolPlacement p = placement(table_, s);
  const uint32_t lower_pattern = p.pattern + static_cast<uint32_t>(q << p.keep_lo);
  const bool round_up = up < down || (up == down && ((lower_pattern >> p.keep_lo) & 1));
  if (!round_up) return with_sign(finite_[i], static_cast<uint32_t>(q));
  if (q + 1 < n) return with_sign(finite_[i], static_cast<uint32_t>(q + 1));
  return with_sign(finite_[above], 0);
}

// Stored form (docs/FORMAT.md 16.3).
std::vector<uint8_t> serialize_table(const VpTable& t) {
  check_table(t, "serialize");
  const FieldLayout l = t.layout();
  ByteWriter w;
  const bool zero = t.symbols.front().cls == SymbolClass::Zero;
  w.u8(static_cast<uint8_t>((zero ? 1 : 0) | (zero && t.symbols.front().has_sign ? 2 : 0)));
  std::vector<const VpSymbol*> finite, special;
  for (const VpSymbol& s : t.symbols) {
    if (s.cls == SymbolClass::Finite) finite.push_back(&s);
    if (s.cls == SymbolClass::Special) special.push_back(&s);
  }
  w.varint(finite.size());
  uint64_t end = 0;
  for (const VpSymbol* s : finite) {
    const uint64_t start = start_of(l, *s), unit = span_of(l, *s);
    const bool gap = start != end;
    w.u8(static_cast<uint8_t>((gap ? 0x80 : 0) | s->prefix_bits << 5 | s->mantissa_bits));
    if (gap) w.varint((start - end) / unit);  // the start is aligned to the symbol's span
    end = start + unit;
  }
  w.varint(special.size());
  for (const VpSymbol* s : special) {
    w.u8(static_cast<uint8_t>((s->has_sign ? 0x80 : 0) | s->prefix_bits << 5 | s->mantissa_bits));
    w.u8(static_cast<uint8_t>(s->prefix));
  }
  return w.data();
}

VpTable parse_table(std::span<const uint8_t> bytes, DType dtype, const std::string& where) {
  ByteReader r(bytes);
  VpTable t{dtype, {}};
  const FieldLayout l = t.layout();
  const auto bad = [&](const std::string& why) {
    throw InputError(where + ": variable-precision table: " + why);
  };
  const uint8_t flags = r.u8();
  if (flags & ~3u) bad("unknown flags");
  if (flags & 1) t.symbols.push_back({SymbolClass::Zero, 0, 0, 0, 0, (flags & 2) != 0});
  const uint64_t finite = r.varint();
  if (finite > kMaxSymbols) bad("too many symbols");
  uint64_t end = 0;
  for (uint64_t i = 0; i < finite && !r.failed(); ++i) {
    const uint8_t h = r.u8();
    const int j = (h >> 5) & 3, m = h & 31;
    if (j > l.fraction_bits || m > l.fraction_bits) bad("symbol " + std::to_string(i) + ": widths out of range");
    const uint64_t unit = uint64_t{1} << (l.fraction_bits - j);
    if (end % unit) bad("symbol " + std::to_string(i) + ": does not start on its own alignment");
    const uint64_t skip = (h & 0x80) ? r.varint() : 0;
    if (skip > (uint64_t{1} << 32)) bad("symbol " + std::to_string(i) + ": gap out of range");
    const uint64_t start = end + skip * unit;
    if (start + unit > (uint64_t{all_ones_exponent(l)} << l.fraction_bits)) {
      bad("symbol " + std::to_string(i) + ": beyond the finite range");
    }
    t.symbols.push_back({SymbolClass::Finite, static_cast<uint32_t>(start >> l.fraction_bits), j,
                         static_cast<uint32_t>((start >> (l.fraction_bits - j)) & ((1u << j) - 1)), m, true});
    end = start + unit;
  }
  const uint64_t specials = r.varint();
  if (specials > kMaxSymbols) bad("too many special symbols");
  for (uint64_t i = 0; i < specials && !r.failed(); ++i) {
    const uint8_t h = r.u8();
    const uint8_t prefix = r.u8();
    t.symbols.push_back({SymbolClass::Special, all_ones_exponent(l), (h >> 5) & 3, prefix, h & 31, (h & 0x80) != 0});
  }
  if (r.failed()) bad("ends early");
  if (r.remaining()) bad(std::to_string(r.remaining()) + " bytes after its end");
  check_table(t, where);
  return t;
}

VpTable identity_table(DType dtype) {
  VpTable t{dtype, {}};
  const FieldLayout l = t.layout();
  for (uint32_t e = 0; e < all_ones_exponent(l); ++e) t.symbols.push_back({SymbolClass::Finite, e, 0, 0, l.fraction_bits, true});
  t.symbols.push_back({SymbolClass::Special, all_ones_exponent(l), 0, 0, l.fraction_bits, true});
  return t;
}

namespace {

// The output dtype's symbol for the binade 2^x with `bits` fraction bits
// (x in the dtype's normal range).
VpSymbol binade_symbol(const FieldLayout& l, int x, int bits) {
  const int bias = (1 << (l.exponent_bits - 1)) - 1;
  if (x + bias < 1 || x + bias >= static_cast<int>(all_ones_exponent(l)) || bits > l.fraction_bits) {
    throw std::invalid_argument("reference table: binade 2^" + std::to_string(x) + " with " + std::to_string(bits) +
                                " fraction bits does not fit the output dtype");
  }
  return {SymbolClass::Finite, static_cast<uint32_t>(x + bias), 0, 0, bits, true};
}

// Aligned blocks covering fraction values [from, to) of a `bits`-bit fraction
// (top-aligned in the dtype): each a prefix of the block's fixed bits.
std::vector<VpSymbol> fraction_blocks(uint32_t exponent, int bits, uint32_t from, uint32_t to, SymbolClass cls,
                                      bool has_sign) {
  std::vector<VpSymbol> out;
  while (from < to) {
    int size_log = 0;  // the largest aligned block from `from` inside [from, to)
    while (size_log < bits && (from & ((2u << size_log) - 1)) == 0 && from + (2u << size_log) <= to) ++size_log;
    const int j = bits - size_log;
    out.push_back({cls, exponent, j, from >> size_log, size_log, has_sign});
    from += 1u << size_log;
  }
  return out;
}

}  // namespace

VpTable posit_table(int n, int es, DType dtype) {
  VpTable t{dtype, {}};
  const FieldLayout l = t.layout();
  t.symbols.push_back({SymbolClass::Zero, 0, 0, 0, 0, false});
  // Regime k: a run of k+1 ones (k >= 0) or -k zeros (k < 0) and its
  // terminating bit when it fits; the exponent bits that fit, the rest fraction.
  for (int k = -(n - 2); k <= n - 2; ++k) {
    const int regime = std::min(n - 1, k >= 0 ? k + 2 : -k + 1);
    const int rest = n - 1 - regime;
    const int exponent_bits = std::min(es, rest), fraction_bits = rest - exponent_bits;
    for (int e = 0; e < (1 << exponent_bits); ++e) {
      t.symbols.push_back(binade_symbol(l, k * (1 << es) + (e << (es - exponent_bits)), fraction_bits));
    }
  }
  // NaR: one NaN, no sign (the dtype's quiet NaN).
  t.symbols.push_back({SymbolClass::Special, all_ones_exponent(l), 1, 1, 0, false});
  return t;
}

VpTable float_table(int exponent_bits, int mantissa_bits, bool nan_all_ones, DType dtype) {
  VpTable t{dtype, {}};
  const FieldLayout l = t.layout();
  const int bias = (1 << (exponent_bits - 1)) - 1;
  const int all_ones = (1 << exponent_bits) - 1;
  t.symbols.push_back({SymbolClass::Zero, 0, 0, 0, 0, true});
  // Subnormals: fraction f * 2^(1 - bias - M), its leading one at bit b.
  for (int b = 0; b < mantissa_bits; ++b) t.symbols.push_back(binade_symbol(l, 1 - bias - mantissa_bits + b, b));
  for (int e = 1; e < all_ones; ++e) t.symbols.push_back(binade_symbol(l, e - bias, mantissa_bits));
  if (nan_all_ones) {
    // The all-ones exponent is finite but for its all-ones fraction (NaN).
    const VpSymbol top = binade_symbol(l, all_ones - bias, mantissa_bits);
    for (const VpSymbol& s :
         fraction_blocks(top.exponent, mantissa_bits, 0, (1u << mantissa_bits) - 1, SymbolClass::Finite, true)) {
      t.symbols.push_back(s);
    }
    t.symbols.push_back({SymbolClass::Special, all_ones_exponent(l), 1, 1, 0, true});
  } else {
    // Infinity (fraction 0) and the NaNs (fractions 1 .. 2^M - 1).
    for (const VpSymbol& s : fraction_blocks(all_ones_exponent(l), mantissa_bits, 0, 1u << mantissa_bits,
                                             SymbolClass::Special, true)) {
      t.symbols.push_back(s);
    }
  }
  return t;
}

std::string describe(const VpTable& t) {
  size_t finite = 0, special = 0;
  bool zero = false;
  int fold = 0, lo_m = 99, hi_m = -1;
  for (const VpSymbol& s : t.symbols) {
    if (s.cls == SymbolClass::Zero) zero = true;
    if (s.cls == SymbolClass::Special) ++special;
    if (s.cls != SymbolClass::Finite) continue;
    ++finite;
    fold = std::max(fold, s.prefix_bits);
    lo_m = std::min(lo_m, s.mantissa_bits + s.prefix_bits);
    hi_m = std::max(hi_m, s.mantissa_bits + s.prefix_bits);
  }
  std::string d = std::to_string(t.symbols.size()) + " symbols:" + (zero ? " zero," : "") + " " +
                  std::to_string(finite) + " finite";
  if (finite) d += " with " + std::to_string(lo_m) + ".." + std::to_string(hi_m) + " fraction bits";
  if (fold) d += ", up to " + std::to_string(fold) + " folded";
  if (special) d += ", " + std::to_string(special) + " special";
  return d;
}

}  // namespace ws::golden::vp
