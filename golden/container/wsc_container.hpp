// The .wsc container: a directory of tensors and their coded payloads.
// Bit-exact layout: docs/FORMAT.md, section "The .wsc container". In short:
//   24-byte header   magic 89 57 53 43 0d 0a 1a 0a, u16 version (1), u16 flags (0),
//                    u32 directory size, u32 directory size uncompressed,
//                    u32 CRC32 of the (compressed) directory
//   directory        zstd frame of: varint tensor count, then per tensor its
//                    name, dtype, shape, codec parameters, payload sizes and
//                    the CRC32 of its payload
//   payloads         per tensor in directory order: table bytes, then each
//                    lane stream
// A reader rejects anything it cannot read with an InputError naming the
// file, the tensor and the byte offset.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "golden/codec/lossless_codec.hpp"

namespace ws::golden {

inline constexpr uint16_t kWscVersion = 1;
inline constexpr size_t kWscHeaderBytes = 24;

struct WscContents {
  std::vector<EncodedTensor> tensors;
  std::vector<uint64_t> payload_offsets;  // file offset of each tensor's payload
  uint64_t directory_bytes = 0;           // compressed directory as stored
  uint64_t file_bytes = 0;
};

std::vector<uint8_t> serialize_wsc(std::span<const EncodedTensor> tensors);

// Parses and validates a whole container, including every payload CRC
// (check_payload_crc = false lets damaged payloads through, so that tests can
// show what a decoder does with them).
WscContents parse_wsc(std::span<const uint8_t> file, const std::string& source, bool check_payload_crc = true);

// True when the bytes start with the .wsc magic.
bool looks_like_wsc(std::span<const uint8_t> file);

}  // namespace ws::golden
