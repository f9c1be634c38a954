// Codebook indices entropy-coded with the lossless codec's tANS coder
// (docs/FORMAT.md 14.6), where that pays: one lane of K symbols, its
// normalized table written as for a lossless tensor (table_codec.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ws::golden {

struct CodedIndices {
  int table_log = 0;           // 5..12
  std::vector<uint8_t> table;  // write_table's bytes
  std::vector<uint8_t> lane;   // tans_encode_lane's bytes
  uint64_t bytes() const { return table.size() + lane.size(); }
};

// The indices (each below `alphabet`) coded at the table log that gives the
// fewest bytes; nullopt unless that is fewer than the raw indices' bytes at
// raw_bits each.
std::optional<CodedIndices> code_indices(std::span<const uint32_t> indices, int alphabet, int raw_bits);
// The same indices coded at a given table log (how pack_quantized rebuilds them).
CodedIndices code_indices_at(std::span<const uint32_t> indices, int alphabet, int table_log);

// Decodes `count` indices; throws InputError naming `source` for a table or
// lane that does not describe exactly that many symbols below `alphabet`.
std::vector<uint32_t> decode_indices(int table_log, std::span<const uint8_t> table, std::span<const uint8_t> lane,
                                     int alphabet, uint64_t count, const std::string& source);

}  // namespace ws::golden
