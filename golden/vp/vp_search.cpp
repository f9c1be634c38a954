#include "golden/vp/vp_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include "golden/entropy/bit_stream.hpp"
#include "golden/entropy/normalize.hpp"
#include "golden/entropy/table_codec.hpp"

namespace ws::golden::vp {

std::string QualityFloor::text() const {
  std::string v = std::to_string(value);
  while (v.size() > 1 && v.back() == '0') v.pop_back();
  if (!v.empty() && v.back() == '.') v.pop_back();
  return (kind == Kind::Sqnr ? "sqnr=" + v + "dB" : "cos=" + v) + (per_row ? " per row" : "");
}

QualityFloor parse_quality(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos) {
    throw std::invalid_argument("quality '" + text + "': expected sqnr=<dB>[dB] or cos=<cosine>");
  }
  const std::string kind = text.substr(0, eq);
  std::string number = text.substr(eq + 1);
  QualityFloor f;
  if (kind == "sqnr") {
    if (number.size() > 2 && (number.ends_with("dB") || number.ends_with("db"))) number.resize(number.size() - 2);
  } else if (kind == "cos") {
    f.kind = QualityFloor::Kind::Cosine;
  } else {
    throw std::invalid_argument("quality '" + text + "': unknown measure '" + kind + "' (sqnr or cos)");
  }
  size_t used = 0;
  try {
    f.value = std::stod(number, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != number.size() || !std::isfinite(f.value)) {
    throw std::invalid_argument("quality '" + text + "': '" + number + "' is not a number");
  }
  if (f.kind == QualityFloor::Kind::Sqnr && (f.value <= 0 || f.value > 200)) {
    throw std::invalid_argument("quality '" + text + "': an SQNR floor must be in (0, 200] dB");
  }
  if (f.kind == QualityFloor::Kind::Cosine && (f.value <= 0 || f.value >= 1)) {
    throw std::invalid_argument("quality '" + text + "': a cosine floor must be in (0, 1)");
  }
  return f;
}

namespace {

// Sums over a set of values x and their reconstructions y.
struct Sums {
  double xx = 0, dd = 0, xy = 0, yy = 0;
  void add(double x, double y) {
    xx += x * x;
    dd += (x - y) * (x - y);
    xy += x * y;
    yy += y * y;
  }
  Sums& operator+=(const Sums& o) {
    xx += o.xx, dd += o.dd, xy += o.xy, yy += o.yy;
    return *this;
  }
  double sqnr_db() const { return dd == 0 ? std::numeric_limits<double>::infinity() : 10 * std::log10(xx / dd); }
  double cosine() const { return xx == 0 || yy == 0 ? (dd == 0 ? 1.0 : 0.0) : xy / std::sqrt(xx * yy); }
};

bool sums_meet(const QualityFloor& f, const Sums& s) {
  return f.kind == QualityFloor::Kind::Sqnr ? s.sqnr_db() >= f.value : s.cosine() >= f.value;
}

size_t row_length_of(const Tensor& t) {
  return t.shape.size() >= 2 && t.shape.back() > 0 ? static_cast<size_t>(t.shape.back()) : std::max<size_t>(1, t.size());
}

}  // namespace

QualityMeasure measure_quality(std::span<const double> x, std::span<const double> y, size_t row_length) {
  Sums all;
  QualityMeasure q{0, 1, std::numeric_limits<double>::infinity(), 1};
  row_length = std::max<size_t>(row_length, 1);
  for (size_t start = 0; start < x.size(); start += row_length) {
    Sums row;
    for (size_t i = start; i < std::min(x.size(), start + row_length); ++i) {
      if (std::isfinite(x[i])) row.add(x[i], y[i]);
    }
    all += row;
    q.worst_row_sqnr_db = std::min(q.worst_row_sqnr_db, row.sqnr_db());
    q.worst_row_cosine = std::min(q.worst_row_cosine, row.cosine());
  }
  q.sqnr_db = all.sqnr_db();
  q.cosine = all.cosine();
  return q;
}

bool meets(const QualityFloor& f, const QualityMeasure& q) {
  const bool sqnr = f.kind == QualityFloor::Kind::Sqnr;
  const double got = f.per_row ? (sqnr ? q.worst_row_sqnr_db : q.worst_row_cosine) : (sqnr ? q.sqnr_db : q.cosine);
  return got >= f.value;
}

namespace {

// The per-binade model of section 16.4. Options of a binade: m = 0..F mantissa
// bits, kZeroOption (to zero) and kUpOption (the binade just under the cut: to
// the cut's first value, or to zero from exactly its own start).
struct Model {
  FieldLayout layout;
  int bias = 0;
  uint32_t all_ones = 0;
  size_t row_length = 1, rows = 1;
  bool per_row = false;
  bool non_finite = false;
  int lo = 1, hi = 0;                               // binades (exponent fields) that hold values
  std::vector<double> x;                            // the weights
  std::vector<uint64_t> n;                          // values per binade (index b - lo)
  std::vector<std::vector<Sums>> stats;             // [b - lo][option]
  std::vector<std::vector<double>> weighted;        // relative distortion of [b - lo][option]
  std::vector<std::vector<uint64_t>> carries;       // values rounding out of the binade at m bits
  // [b - lo][m]: the mantissa histogram as sum n_q log2 n_q and n_0, for its
  // entropy with the values of the binade under the cut added at q = 0.
  std::vector<std::vector<double>> mantissa_nlogn;
  std::vector<std::vector<uint64_t>> mantissa_zero;
  int histogram_bits = 0;

  // Ideal bits of binade b's mantissas at m bits (those that stay in the
  // binade), `extra` values from below at q = 0.
  double mantissa_bits(int b, int m, uint64_t extra = 0) const {
    const auto i = static_cast<size_t>(b - lo);
    const int hm = std::min(m, histogram_bits);
    const auto nlogn = [](double v) { return v > 0 ? v * std::log2(v) : 0.0; };
    const double total = static_cast<double>(n[i] - carries[i][static_cast<size_t>(m)] + extra);
    const double zero = static_cast<double>(mantissa_zero[i][static_cast<size_t>(hm)]);
    const double entropy = nlogn(total) - (mantissa_nlogn[i][static_cast<size_t>(hm)] - nlogn(zero) +
                                           nlogn(zero + static_cast<double>(extra)));
    return std::max(0.0, entropy) + total * (m - hm);
  }
  std::vector<std::vector<std::vector<Sums>>> row_stats;  // [row][b - lo][option], per_row only
  Sums base;                                        // zeros and subnormals: always zero
  std::vector<Sums> row_base;
  uint64_t base_count = 0;

  int zero_option() const { return layout.fraction_bits + 1; }
  int up_option() const { return layout.fraction_bits + 2; }
  int options() const { return layout.fraction_bits + 3; }
  int binades() const { return hi - lo + 1; }
};

// A binade's value at m bits: the rounding of vp_table.hpp (nearest; a tie goes
// up when the lower neighbour's last kept bit is 1: q's parity, or for m = 0
// the exponent field's).
double round_in_binade(double a, int e, int bias, int m, bool& carry) {
  const double base = std::ldexp(1.0, e - bias), step = std::ldexp(1.0, e - bias - m);
  const double pos = (a - base) / step;
  const double q = std::floor(pos), r = pos - q;
  const bool odd = m ? std::fmod(q, 2.0) != 0 : (e & 1) != 0;
  const bool up = r > 0.5 || (r == 0.5 && odd);
  carry = up && q + 1 == std::ldexp(1.0, m);
  return base + (q + (up ? 1 : 0)) * step;
}

Model build_model(const Tensor& t, bool per_row) {
  Model md;
  md.layout = FieldLayout::of(t.dtype, 0);
  md.bias = (1 << (md.layout.exponent_bits - 1)) - 1;
  md.all_ones = (1u << md.layout.exponent_bits) - 1;
  md.row_length = row_length_of(t);
  md.rows = (t.size() + md.row_length - 1) / md.row_length;
  md.per_row = per_row;
  const std::vector<float> values = t.to_floats();
  md.x.assign(values.begin(), values.end());
  const int f = md.layout.fraction_bits;
  std::vector<int> binade(t.size(), 0);
  int lo = INT32_MAX, hi = INT32_MIN;
  for (size_t i = 0; i < t.size(); ++i) {
    const uint32_t e = (t.bits[i] >> f) & md.all_ones;
    if (e == md.all_ones) {
      md.non_finite = true;
      binade[i] = -1;
    } else {
      binade[i] = static_cast<int>(e);
      if (e) lo = std::min(lo, static_cast<int>(e)), hi = std::max(hi, static_cast<int>(e));
    }
  }
  if (lo > hi) lo = 1, hi = 0;
  md.lo = lo, md.hi = hi;
  const size_t nb = static_cast<size_t>(std::max(0, md.binades()));
  const auto options = static_cast<size_t>(md.options());
  md.n.assign(nb, 0);
  md.stats.assign(nb, std::vector<Sums>(options));
  md.weighted.assign(nb, std::vector<double>(options, 0.0));
  md.carries.assign(nb, std::vector<uint64_t>(static_cast<size_t>(f + 1), 0));
  // Mantissa histograms up to kHistogramBits; wider mantissas count their extra bits as uniform.
  constexpr int kHistogramBits = 10;
  const int histogram_bits = std::min(f, kHistogramBits);
  md.histogram_bits = histogram_bits;
  std::vector<std::vector<std::vector<uint64_t>>> mantissa_counts(
      nb, std::vector<std::vector<uint64_t>>(static_cast<size_t>(histogram_bits + 1)));
  for (auto& per_m : mantissa_counts) {
    for (int m = 0; m <= histogram_bits; ++m) per_m[static_cast<size_t>(m)].assign(size_t{1} << m, 0);
  }
  md.row_base.assign(md.rows, Sums{});
  if (per_row) md.row_stats.assign(md.rows, std::vector<std::vector<Sums>>(nb, std::vector<Sums>(options)));
  // Relative weights: distortion over the tensor's energy, or each row's over its own.
  std::vector<double> row_energy(md.rows, 0.0);
  double energy = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    if (binade[i] < 0) continue;
    row_energy[i / md.row_length] += md.x[i] * md.x[i];
    energy += md.x[i] * md.x[i];
  }
  for (size_t i = 0; i < t.size(); ++i) {
    if (binade[i] < 0) continue;
    const double a = std::fabs(md.x[i]), sign = md.x[i] < 0 ? -1.0 : 1.0;
    const size_t row = i / md.row_length;
    if (binade[i] == 0) {
      md.base.add(md.x[i], 0.0);
      md.row_base[row].add(md.x[i], 0.0);
      ++md.base_count;
      continue;
    }
    const double w = per_row ? (row_energy[row] > 0 ? 1.0 / (row_energy[row] * static_cast<double>(md.rows)) : 0.0)
                             : (energy > 0 ? 1.0 / energy : 0.0);
    const auto b = static_cast<size_t>(binade[i] - md.lo);
    ++md.n[b];
    const auto record = [&](int option, double y) {
      const double signed_y = sign * y;
      md.stats[b][static_cast<size_t>(option)].add(md.x[i], signed_y);
      md.weighted[b][static_cast<size_t>(option)] += w * (md.x[i] - signed_y) * (md.x[i] - signed_y);
      if (per_row) md.row_stats[row][b][static_cast<size_t>(option)].add(md.x[i], signed_y);
    };
    for (int m = 0; m <= f; ++m) {
      bool carry = false;
      const double y = round_in_binade(a, binade[i], md.bias, m, carry);
      record(m, y);
      if (carry) {
        ++md.carries[b][static_cast<size_t>(m)];
      } else if (m <= histogram_bits) {
        const double start = std::ldexp(1.0, binade[i] - md.bias);
        ++mantissa_counts[b][static_cast<size_t>(m)][static_cast<size_t>((y - start) / std::ldexp(start, -m))];
      }
    }
    record(md.zero_option(), 0.0);
    const double start = std::ldexp(1.0, binade[i] - md.bias);
    record(md.up_option(), a == start ? 0.0 : 2 * start);
  }
  md.mantissa_nlogn.assign(nb, std::vector<double>(static_cast<size_t>(histogram_bits + 1), 0.0));
  md.mantissa_zero.assign(nb, std::vector<uint64_t>(static_cast<size_t>(histogram_bits + 1), 0));
  for (size_t b = 0; b < nb; ++b) {
    for (int m = 0; m <= histogram_bits; ++m) {
      const auto& counts = mantissa_counts[b][static_cast<size_t>(m)];
      for (const uint64_t c : counts) {
        if (c) md.mantissa_nlogn[b][static_cast<size_t>(m)] += static_cast<double>(c) * std::log2(static_cast<double>(c));
      }
      md.mantissa_zero[b][static_cast<size_t>(m)] = counts[0];
    }
  }
  return md;
}

// A choice: binades below cut - 1 go to zero, cut - 1 goes up, cut .. hi keep mantissa[b - cut] bits.
struct Allocation {
  int cut = 0;
  std::vector<int> mantissa;
};

int option_of(const Model& md, const Allocation& a, int b) {
  if (b >= a.cut) return a.mantissa[static_cast<size_t>(b - a.cut)];
  return b == a.cut - 1 ? md.up_option() : md.zero_option();
}

Sums tensor_sums(const Model& md, const Allocation& a) {
  Sums s = md.base;
  for (int b = md.lo; b <= md.hi; ++b) s += md.stats[static_cast<size_t>(b - md.lo)][static_cast<size_t>(option_of(md, a, b))];
  return s;
}

bool feasible(const Model& md, const Allocation& a, const QualityFloor& floor) {
  if (!floor.per_row) return sums_meet(floor, tensor_sums(md, a));
  for (size_t r = 0; r < md.rows; ++r) {
    Sums s = md.row_base[r];
    for (int b = md.lo; b <= md.hi; ++b) {
      s += md.row_stats[r][static_cast<size_t>(b - md.lo)][static_cast<size_t>(option_of(md, a, b))];
    }
    if (s.xx > 0 && !sums_meet(floor, s)) return false;
  }
  return true;
}

// The model's bits: the symbols' order-0 entropy, a sign per nonzero value,
// and the mantissas' entropy within their binade (what folding them into the
// symbols approaches).
double model_bits(const Model& md, const Allocation& a) {
  std::vector<uint64_t> h{md.base_count};
  double raw = 0;
  uint64_t incoming = 0;  // values rounding up into the next binade's first value
  for (int b = md.lo; b <= md.hi; ++b) {
    const uint64_t n = md.n[static_cast<size_t>(b - md.lo)];
    if (b < a.cut - 1) {
      h[0] += n;
    } else if (b == a.cut - 1) {
      raw += static_cast<double>(n);  // the sign
      incoming = n;
    } else {
      const int m = a.mantissa[static_cast<size_t>(b - a.cut)];
      const uint64_t out = md.carries[static_cast<size_t>(b - md.lo)][static_cast<size_t>(m)];
      raw += static_cast<double>(n) + md.mantissa_bits(b, m, incoming);
      h.push_back(n - out + incoming);
      incoming = out;
    }
  }
  h.push_back(incoming);  // out of the top binade: one more symbol
  return entropy_bits(h) + raw;
}

double weighted_distortion(const Model& md, const Allocation& a) {
  double d = 0;
  for (int b = md.lo; b <= md.hi; ++b) d += md.weighted[static_cast<size_t>(b - md.lo)][static_cast<size_t>(option_of(md, a, b))];
  return d;
}

// The allocation minimising bits + lambda * relative distortion (the symbol
// entropy taken per cut, the mantissa widths per binade).
Allocation lagrangian(const Model& md, double lambda) {
  const int f = md.layout.fraction_bits;
  std::vector<int> best_m(static_cast<size_t>(md.binades()));
  for (int b = md.lo; b <= md.hi; ++b) {
    const auto i = static_cast<size_t>(b - md.lo);
    double best = 1e300;
    for (int m = 0; m <= f; ++m) {
      const double cost = md.mantissa_bits(b, m) + lambda * md.weighted[i][static_cast<size_t>(m)];
      if (cost < best) best = cost, best_m[i] = m;
    }
  }
  Allocation best_a;
  double best_cost = 1e300;
  for (int cut = md.lo; cut <= md.hi; ++cut) {
    Allocation a{cut, {best_m.begin() + (cut - md.lo), best_m.end()}};
    const double cost = model_bits(md, a) + lambda * weighted_distortion(md, a);
    if (cost < best_cost) best_cost = cost, best_a = std::move(a);
  }
  return best_a;
}

// The table of an allocation, with up to `fold` leading mantissa bits folded into the symbols.
VpTable table_of(const Model& md, const Allocation& a, int fold, DType dtype) {
  VpTable t{dtype, {{SymbolClass::Zero, 0, 0, 0, 0, false}}};
  for (int b = a.cut; b <= md.hi; ++b) {
    const int m = a.mantissa[static_cast<size_t>(b - a.cut)];
    const int j = std::min(fold, m);
    for (uint32_t p = 0; p < (1u << j); ++p) t.symbols.push_back({SymbolClass::Finite, static_cast<uint32_t>(b), j, p, m - j, true});
  }
  if (md.binades() > 0) {
    const int top_m = a.mantissa.back();
    if (md.carries[static_cast<size_t>(md.hi - md.lo)][static_cast<size_t>(top_m)] && md.hi + 1 < static_cast<int>(md.all_ones)) {
      t.symbols.push_back({SymbolClass::Finite, static_cast<uint32_t>(md.hi + 1), 0, 0, 0, true});
    }
  }
  if (md.non_finite) t.symbols.push_back({SymbolClass::Special, md.all_ones, 0, 0, md.layout.fraction_bits, true});
  return t;
}

std::vector<double> decoded_values(const VpTable& table, const std::vector<VpCode>& codes) {
  std::vector<double> y(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) y[i] = pattern_to_float(table.dtype, pattern_of(table, codes[i]));
  return y;
}

// Codes the allocation for real at each fold; the smallest coding.
VpChoice code_allocation(const Tensor& t, const Model& md, const Allocation& a, const VpCodingOptions& o) {
  VpChoice best;
  best.bits_per_weight = 1e300;
  for (int fold = 0; fold <= 3; ++fold) {
    if (fold > 0 && std::ranges::none_of(a.mantissa, [&](int m) { return m >= fold; })) break;
    const VpTable table = table_of(md, a, fold, t.dtype);
    const std::vector<VpCode> codes = encode_codes(t, VpEncoder(table));
    EncodedTensor e = encode_vp(t, table, codes, o);
    const double bits = 8.0 * static_cast<double>(e.payload_bytes() + table_descriptor_bytes(table));
    const double per_weight = t.size() ? bits / static_cast<double>(t.size()) : 0.0;
    if (per_weight < best.bits_per_weight) {
      best.quality = measure_quality(md.x, decoded_values(table, codes), md.row_length);
      best.encoded = std::move(e);
      best.bits_per_weight = per_weight;
      best.fold_bits = fold;
    }
  }
  return best;
}

// Moves that keep the floor and lower the model's bits, best first, until
// none is left: a mantissa bit less in one binade (and, as an exchange, one
// more in another), or the cut up or down a binade.
Allocation local_search(const Model& md, Allocation a, const QualityFloor& floor) {
  const int f = md.layout.fraction_bits;
  for (;;) {
    const double bits = model_bits(md, a);
    double best_bits = bits - 1e-9;
    std::optional<Allocation> best;
    const auto consider = [&](Allocation&& c) {
      const double b = model_bits(md, c);
      if (b < best_bits && feasible(md, c, floor)) best_bits = b, best = std::move(c);
    };
    for (size_t i = 0; i < a.mantissa.size(); ++i) {
      if (a.mantissa[i] == 0) continue;
      Allocation c = a;
      --c.mantissa[i];
      consider(Allocation(c));
      for (size_t j = 0; j < a.mantissa.size(); ++j) {
        if (j == i || c.mantissa[j] >= f) continue;
        Allocation e = c;
        ++e.mantissa[j];
        consider(std::move(e));
      }
    }
    if (a.cut < md.hi) consider(Allocation{a.cut + 1, {a.mantissa.begin() + 1, a.mantissa.end()}});
    if (a.cut > md.lo) {
      for (int m = 0; m <= std::min(f, a.mantissa.front()); ++m) {
        Allocation c{a.cut - 1, a.mantissa};
        c.mantissa.insert(c.mantissa.begin(), m);
        consider(std::move(c));
      }
    }
    if (!best) break;
    a = std::move(*best);
  }
  return a;
}

Allocation exact_allocation(const Model& md) {
  return {md.lo, std::vector<int>(static_cast<size_t>(md.binades()), md.layout.fraction_bits)};
}

}  // namespace

VpChoice choose_vp(const Tensor& t, const QualityFloor& floor, const VpCodingOptions& o) {
  const Model md = build_model(t, floor.per_row);
  if (md.binades() <= 0) return code_allocation(t, md, Allocation{md.lo, {}}, o);
  if (!feasible(md, exact_allocation(md), floor)) {
    throw InputError("tensor '" + t.name + "': the quality floor " + floor.text() +
                     " cannot be met even keeping every fraction bit (subnormal weights go to zero)");
  }
  // Bracket and bisect lambda on a log scale.
  double lambda_hi = static_cast<double>(t.size());
  while (!feasible(md, lagrangian(md, lambda_hi), floor) && lambda_hi < 1e300) lambda_hi *= 4;
  double lambda_lo = lambda_hi / 4;
  for (int it = 0; it < 40; ++it) {
    const double mid = std::sqrt(lambda_lo * lambda_hi);
    (feasible(md, lagrangian(md, mid), floor) ? lambda_hi : lambda_lo) = mid;
  }
  Allocation a = lagrangian(md, lambda_hi);
  if (!feasible(md, a, floor)) a = exact_allocation(md);
  a = local_search(md, std::move(a), floor);
  // The uniform-step start (one step 2^k for every binade, as ECSQ: binade b
  // keeps b - bias - k bits, those under the step go to zero) may lead to a
  // better optimum: the coarsest such step that meets the floor.
  for (int cut = md.hi; cut >= md.lo; --cut) {
    Allocation u{cut, {}};
    for (int b = cut; b <= md.hi; ++b) u.mantissa.push_back(std::min(md.layout.fraction_bits, b - cut));
    if (!feasible(md, u, floor)) continue;
    u = local_search(md, std::move(u), floor);
    if (model_bits(md, u) < model_bits(md, a)) a = std::move(u);
    break;
  }
  VpChoice choice = code_allocation(t, md, a, o);
  if (!meets(floor, choice.quality)) {
    throw std::logic_error("tensor '" + t.name + "': the coded weights miss the floor the model predicted met");
  }
  return choice;
}

VpChoice choose_vp_at_rate(const Tensor& t, double target, const VpCodingOptions& o) {
  const Model md = build_model(t, false);
  if (md.binades() <= 0) return code_allocation(t, md, Allocation{md.lo, {}}, o);
  // The Lagrangian point with the most bits that fit brackets the answer from
  // below; then the highest SQNR floor whose quality-first coding fits,
  // bisected (choose_vp's local search uses the rate the sweep leaves).
  double lambda_lo = 1e-6, lambda_hi = 1e18;
  VpChoice best = code_allocation(t, md, lagrangian(md, lambda_lo), o);
  for (int it = 0; it < 30; ++it) {
    const double mid = std::sqrt(lambda_lo * lambda_hi);
    VpChoice c = code_allocation(t, md, lagrangian(md, mid), o);
    if (c.bits_per_weight <= target) {
      lambda_lo = mid;
      if (c.quality.sqnr_db > best.quality.sqnr_db || best.bits_per_weight > target) best = std::move(c);
    } else {
      lambda_hi = mid;
    }
  }
  if (!std::isfinite(best.quality.sqnr_db)) return best;
  QualityFloor floor{QualityFloor::Kind::Sqnr, std::max(0.01, best.quality.sqnr_db), false};
  double fits = floor.value, misses = floor.value + 12;
  for (int it = 0; it < 12; ++it) {
    floor.value = (fits + misses) / 2;
    VpChoice c = choose_vp(t, floor, o);
    if (c.bits_per_weight <= target) {
      fits = floor.value;
      if (c.quality.sqnr_db > best.quality.sqnr_db) best = std::move(c);
    } else {
      misses = floor.value;
    }
  }
  return best;
}

EcsqPoint ecsq_for_floor(const Tensor& t, const QualityFloor& floor) {
  const std::vector<float> values = t.to_floats();
  const size_t row_length = row_length_of(t);
  std::vector<double> x(values.begin(), values.end());
  double max_abs = 0;
  for (const double v : x) {
    if (std::isfinite(v)) max_abs = std::max(max_abs, std::fabs(v));
  }
  EcsqPoint p;
  if (max_abs == 0) return p;
  std::vector<double> y(x.size());
  const auto quantise = [&](double step) {
    for (size_t i = 0; i < x.size(); ++i) y[i] = std::isfinite(x[i]) ? std::nearbyint(x[i] / step) * step : x[i];
    return measure_quality(x, y, row_length);
  };
  // The largest step meeting the floor, bisected on log2(step).
  double good = std::log2(max_abs) - 60, bad = std::log2(max_abs) + 2;
  if (!meets(floor, quantise(std::exp2(good)))) throw InputError("tensor '" + t.name + "': ECSQ cannot meet " + floor.text());
  for (int it = 0; it < 60; ++it) {
    const double mid = (good + bad) / 2;
    (meets(floor, quantise(std::exp2(mid))) ? good : bad) = mid;
  }
  p.step = std::exp2(good);
  p.quality = quantise(p.step);
  std::vector<int64_t> q;
  int64_t qmin = INT64_MAX, qmax = INT64_MIN;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) continue;
    q.push_back(static_cast<int64_t>(std::nearbyint(x[i] / p.step)));
    qmin = std::min(qmin, q.back()), qmax = std::max(qmax, q.back());
  }
  const auto range = static_cast<uint64_t>(qmax - qmin) + 1;
  std::vector<uint64_t> h(range <= (uint64_t{1} << 24) ? range : 0, 0);
  if (h.empty()) throw InputError("tensor '" + t.name + "': ECSQ integers span more than 2^24 values");
  for (const int64_t v : q) ++h[static_cast<size_t>(v - qmin)];
  const double entropy = entropy_bits(h);
  const auto distinct = static_cast<size_t>(std::ranges::count_if(h, [](uint64_t c) { return c != 0; }));
  p.side_bits = 32 + 32;  // the step and the smallest integer
  if (range <= 4096) {
    BitWriter w;
    write_table(w, normalize_counts(h, 12), 12);
    p.side_bits += 8.0 * static_cast<double>(w.finish().size());
  } else {
    p.side_bits += 16.0 * static_cast<double>(distinct);
  }
  p.bits_per_weight = (entropy + p.side_bits) / static_cast<double>(std::max<size_t>(1, q.size()));
  return p;
}

}  // namespace ws::golden::vp
