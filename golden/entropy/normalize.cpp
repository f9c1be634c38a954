#include "golden/entropy/normalize.hpp"

#include <cmath>
#include <queue>
#include <stdexcept>

namespace ws::golden {

double entropy_bits(std::span<const uint64_t> histogram) {
  double total = 0;
  for (uint64_t c : histogram) total += static_cast<double>(c);
  double bits = 0;
  for (uint64_t c : histogram) {
    if (c != 0) bits -= static_cast<double>(c) * std::log2(static_cast<double>(c) / total);
  }
  return bits;
}

double coded_bits(std::span<const uint64_t> histogram, std::span<const uint32_t> normalized, int table_log) {
  double bits = 0;
  for (size_t s = 0; s < histogram.size(); ++s) {
    if (histogram[s] != 0) {
      bits += static_cast<double>(histogram[s]) * (table_log - std::log2(static_cast<double>(normalized[s])));
    }
  }
  return bits;
}

std::vector<uint32_t> normalize_counts(std::span<const uint64_t> histogram, int table_log) {
  const uint64_t slots = uint64_t{1} << table_log;
  uint64_t total = 0, present = 0;
  for (uint64_t c : histogram) {
    total += c;
    present += c != 0;
  }
  if (present > slots) {
    throw std::invalid_argument(std::to_string(present) + " symbols do not fit a table of " + std::to_string(slots) +
                                " slots");
  }
  std::vector<uint32_t> counts(histogram.size(), 0);
  if (total == 0) return counts;

  // Start below the ideal share, then hand out the remaining slots one at a
  // time to the symbol whose coded size drops most (c * log2((n+1)/n)).
  uint64_t used = 0;
  for (size_t s = 0; s < histogram.size(); ++s) {
    if (histogram[s] == 0) continue;
    const double share = static_cast<double>(histogram[s]) * static_cast<double>(slots) / static_cast<double>(total);
    counts[s] = static_cast<uint32_t>(std::max(1.0, std::floor(share)));
    used += counts[s];
  }
  auto gain = [&](size_t s) {
    return static_cast<double>(histogram[s]) * std::log2((counts[s] + 1.0) / counts[s]);
  };
  auto loss = [&](size_t s) {
    return static_cast<double>(histogram[s]) * std::log2(static_cast<double>(counts[s]) / (counts[s] - 1.0));
  };
  using Item = std::pair<double, size_t>;
  if (used < slots) {
    std::priority_queue<Item> best;  // largest gain first
    for (size_t s = 0; s < histogram.size(); ++s) {
      if (histogram[s] != 0) best.push({gain(s), s});
    }
    for (; used < slots; ++used) {
      const size_t s = best.top().second;
      best.pop();
      ++counts[s];
      best.push({gain(s), s});
    }
  }
  if (used > slots) {  // the floor of 1 for rare symbols overshot: take back where it costs least
    std::priority_queue<Item, std::vector<Item>, std::greater<>> cheapest;
    for (size_t s = 0; s < histogram.size(); ++s) {
      if (counts[s] > 1) cheapest.push({loss(s), s});
    }
    for (; used > slots; --used) {
      const size_t s = cheapest.top().second;
      cheapest.pop();
      --counts[s];
      if (counts[s] > 1) cheapest.push({loss(s), s});
    }
  }
  return counts;
}

}  // namespace ws::golden
