// Random tensors whose raw fields are placed per symbol (docs/FORMAT.md 12.1),
// the way a weight type other than the lossless codec's (the variable-
// precision type) uses the table word: every symbol its own keep_lo <=
// keep_hi, a sign or none, pattern bits anywhere else below the sign, and
// optionally a REPEAT symbol that keeps any range. Symbols and raw fields are
// drawn at random, coded in lanes with golden's tANS coder and set up with the
// generic tensor_setup. The weights are formed here from the drawn symbols
// and raw fields, not by any decoder, so that they check golden's reading of
// the setup as well as the hardware's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "golden/codec/field_layout.hpp"
#include "golden/codec/lane_setup.hpp"
#include "golden/entropy/normalize.hpp"
#include "golden/entropy/tans.hpp"

namespace ws::test {

struct PlacedTensor {
  std::string name;
  golden::TensorSetup setup;
  std::vector<uint32_t> weights;  // weight i = lane i mod K's word i / K
};

// The highest keep_hi a weight of `pattern_bits` bits uses: the widest
// fraction field of a dtype of that width (every kept bit is a fraction bit).
inline int max_keep_hi(int pattern_bits) {
  int most = 0;
  for (const golden::DType d : {golden::DType::BF16, golden::DType::F16, golden::DType::F32}) {
    const golden::FieldLayout layout = golden::FieldLayout::of(d, 0);
    if (layout.pattern_bits() == pattern_bits) most = std::max(most, layout.fraction_bits);
  }
  return most;
}

// history_depth: the largest REPEAT distance in lane symbols the decoders under test hold.
inline PlacedTensor placed_tensor(uint64_t seed, int hardware_width, int pattern_bits, int lanes, uint64_t count,
                                  bool with_repeat, int history_depth = 64) {
  std::mt19937_64 rng(seed);
  const auto below = [&](uint64_t n) { return n ? rng() % n : 0; };
  const int keep_max = max_keep_hi(pattern_bits);
  const uint32_t below_sign = (1u << (pattern_bits - 1)) - 1;

  // Symbol 0 has the longest raw field, symbol 1 none (a sign only), the
  // others are random; the REPEAT symbol, if any, comes last.
  const int normal = 2 + static_cast<int>(below(40));
  std::vector<golden::SymbolWord> words;
  for (int s = 0; s < normal; ++s) {
    golden::SymbolWord w;
    w.keep_hi = s == 0 ? keep_max : static_cast<int>(below(static_cast<uint64_t>(keep_max) + 1));
    w.keep_lo = s == 0 ? 0 : s == 1 ? w.keep_hi : static_cast<int>(below(static_cast<uint64_t>(w.keep_hi) + 1));
    w.has_sign = s < 2 || below(2) == 1;
    const uint32_t kept = static_cast<uint32_t>((uint64_t{1} << w.keep_hi) - (uint64_t{1} << w.keep_lo));
    w.pattern = static_cast<uint32_t>(rng()) & below_sign & ~kept;
    words.push_back(w);
  }
  const uint64_t distance = with_repeat ? 1 + below(static_cast<uint64_t>(history_depth)) : 0;  // in lane symbols
  if (with_repeat) {
    golden::SymbolWord w;
    w.repeat = true;
    w.keep_hi = static_cast<int>(below(static_cast<uint64_t>(keep_max) + 1));
    w.keep_lo = static_cast<int>(below(static_cast<uint64_t>(w.keep_hi) + 1));
    words.push_back(w);
  }

  // The weights, in tensor order: a skewed choice of symbol, a REPEAT a third
  // of the time once the weight C = distance * K before exists.
  const uint64_t k_lanes = static_cast<uint64_t>(lanes);
  std::vector<uint16_t> symbols(count);
  std::vector<uint32_t> raws(count);
  PlacedTensor t;
  t.name = "placed_" + std::to_string(seed);
  t.weights.resize(count);
  std::vector<uint64_t> histogram(words.size(), 0);
  for (uint64_t i = 0; i < count; ++i) {
    const bool repeat = with_repeat && i >= distance * k_lanes && below(3) == 0;
    const auto s = static_cast<uint16_t>(repeat ? words.size() - 1
                                                : std::min(below(static_cast<uint64_t>(normal)),
                                                           below(static_cast<uint64_t>(normal))));
    const golden::SymbolWord& w = words[s];
    const uint32_t kept_bits = static_cast<uint32_t>(w.keep_hi - w.keep_lo);
    const uint32_t value = static_cast<uint32_t>(rng()) & static_cast<uint32_t>((uint64_t{1} << kept_bits) - 1);
    const uint32_t sign = w.has_sign ? static_cast<uint32_t>(below(2)) : 0;
    const uint32_t kept = static_cast<uint32_t>((uint64_t{1} << w.keep_hi) - (uint64_t{1} << w.keep_lo));
    const uint32_t base = repeat ? t.weights[i - distance * k_lanes] : w.pattern;
    t.weights[i] = (value << w.keep_lo) | (base & ~kept) | (sign << (pattern_bits - 1));
    symbols[i] = s;
    raws[i] = value | (sign << kept_bits);  // the raw field: the kept bits, then the sign
    ++histogram[s];
  }

  const int table_log = 6 + static_cast<int>(below(golden::TansTable::kMaxTableLog - 6 + 1));
  const golden::TansTable table(golden::normalize_counts(histogram, table_log), table_log);
  std::vector<std::vector<uint8_t>> streams;
  for (uint64_t k = 0; k < k_lanes; ++k) {
    std::vector<golden::CodedSymbol> coded;
    for (uint64_t i = k; i < count; i += k_lanes) {
      coded.push_back({symbols[i], static_cast<uint8_t>(words[symbols[i]].raw_bits()), raws[i]});
    }
    streams.push_back(golden::tans_encode_lane(table, coded));
  }
  const golden::SetupShape shape{.name = t.name,
                                 .hardware_width = hardware_width,
                                 .pattern_bits = pattern_bits,
                                 .count = count,
                                 .repeat_enable = with_repeat,
                                 .repeat_distance = distance};
  t.setup = golden::tensor_setup(shape, table, words, streams);
  return t;
}

// A random shape for seed: the pattern width (16, or 16 or 32 for a 32-bit
// decoder), 1..max_lanes lanes, K..K+2999 weights, REPEAT or not.
struct PlacedShape {
  int pattern_bits = 16;
  int lanes = 1;
  uint64_t count = 1;
  bool with_repeat = false;
};
inline PlacedShape random_placed_shape(uint64_t seed, int hardware_width, int max_lanes) {
  std::mt19937_64 rng(seed ^ 0x5bd1e995u);
  PlacedShape s;
  s.pattern_bits = hardware_width > 16 && rng() % 2 ? 32 : 16;
  s.lanes = 1 + static_cast<int>(rng() % static_cast<uint64_t>(max_lanes));
  s.count = static_cast<uint64_t>(s.lanes) + rng() % 3000;
  s.with_repeat = rng() % 2 == 0;
  return s;
}
inline PlacedTensor placed_tensor(uint64_t seed, int hardware_width, const PlacedShape& s, int history_depth = 64) {
  return placed_tensor(seed, hardware_width, s.pattern_bits, s.lanes, s.count, s.with_repeat, history_depth);
}
inline PlacedTensor random_placed_tensor(uint64_t seed, int hardware_width, int max_lanes, int history_depth = 64) {
  return placed_tensor(seed, hardware_width, random_placed_shape(seed, hardware_width, max_lanes), history_depth);
}

}  // namespace ws::test
