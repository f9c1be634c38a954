// Coding a tensor in the variable-precision type (docs/FORMAT.md 16): every
// weight is encoded into the table (vp_table.hpp), its symbol tANS-coded in
// the lane streams of the lossless codec (FORMAT.md 8.4), its raw field the
// mantissa bits and then the sign, as wide as the symbol says.
#pragma once

#include <cstdint>
#include <vector>

#include "golden/codec/lossless_codec.hpp"
#include "golden/vp/vp_table.hpp"

namespace ws::golden::vp {

struct VpCodingOptions {
  int lanes = 8;                    // K, 1..32
  int min_weights_per_lane = 1024;  // smaller tensors use fewer lanes
  int table_log = 0;                // 0: the cheapest of 5..12 with room for every symbol used
};

// The codes of a tensor's weights (values of the tensor's dtype, read exactly).
std::vector<VpCode> encode_codes(const Tensor& t, const VpEncoder& encoder);

// The coded tensor: vp set, table bytes and lane streams filled; the tANS
// table log and counts chosen by the coded size. `codes` are encode_codes().
EncodedTensor encode_vp(const Tensor& t, const VpTable& table, const std::vector<VpCode>& codes,
                        const VpCodingOptions& options);

// Size of the side information of a vp tensor: its table's stored form.
inline uint64_t table_descriptor_bytes(const VpTable& t) { return serialize_table(t).size(); }

}  // namespace ws::golden::vp
