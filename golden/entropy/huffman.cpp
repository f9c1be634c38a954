#include "golden/entropy/huffman.hpp"

#include <queue>

namespace ws::golden {

std::vector<int> huffman_code_lengths(std::span<const uint64_t> histogram) {
  std::vector<int> lengths(histogram.size(), 0);
  // Nodes: leaves first, then internal nodes; parent[] links each to its parent.
  std::vector<int> parent;
  std::vector<size_t> leaf_node(histogram.size(), SIZE_MAX);
  using Item = std::pair<uint64_t, int>;  // weight, node
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
  for (size_t s = 0; s < histogram.size(); ++s) {
    if (histogram[s] == 0) continue;
    leaf_node[s] = parent.size();
    queue.push({histogram[s], static_cast<int>(parent.size())});
    parent.push_back(-1);
  }
  if (parent.size() == 1) {
    for (size_t s = 0; s < histogram.size(); ++s) lengths[s] = histogram[s] ? 1 : 0;
    return lengths;
  }
  while (queue.size() > 1) {
    const Item a = queue.top();
    queue.pop();
    const Item b = queue.top();
    queue.pop();
    const int node = static_cast<int>(parent.size());
    parent.push_back(-1);
    parent[static_cast<size_t>(a.second)] = node;
    parent[static_cast<size_t>(b.second)] = node;
    queue.push({a.first + b.first, node});
  }
  for (size_t s = 0; s < histogram.size(); ++s) {
    if (leaf_node[s] == SIZE_MAX) continue;
    int depth = 0;
    for (int n = static_cast<int>(leaf_node[s]); parent[static_cast<size_t>(n)] != -1; n = parent[static_cast<size_t>(n)]) {
      ++depth;
    }
    lengths[s] = depth;
  }
  return lengths;
}

uint64_t huffman_coded_bits(std::span<const uint64_t> histogram, std::span<const int> lengths) {
  uint64_t bits = 0;
  for (size_t s = 0; s < histogram.size(); ++s) bits += histogram[s] * static_cast<uint64_t>(lengths[s]);
  return bits;
}

}  // namespace ws::golden
