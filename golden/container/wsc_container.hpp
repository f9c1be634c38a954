// The .wsc container: a directory of tensors, their coded payloads and,
// optionally, the byte layout of the file they came from.
// Bit-exact layout: docs/FORMAT.md, section "The .wsc container". In short:
//   24-byte header   magic 89 57 53 43 0d 0a 1a 0a, u16 version (4), u16 flags
//                    (bit 0: a source layout follows the directory),
//                    u32 directory size, u32 directory size uncompressed,
//                    u32 CRC32 of header bytes 8..19 then the (compressed)
//                    directory (versions 1 to 3: of the directory alone)
//   directory        zstd frame of: varint tensor count, then per tensor its
//                    name, dtype, shape, codec parameters, payload sizes and
//                    the CRC32 of its payload
//   source layout    (flag bit 0) u32 stored size, u32 size uncompressed, u32
//                    CRC32, then a zstd frame of the file's verbatim bytes
//                    and the order of its tensors
//   payloads         per tensor in directory order: table bytes, then each
//                    lane stream
// Version 1 files (no source layout, flags 0) are read as well. A reader
// rejects anything it cannot read with an InputError naming the file, the
// tensor and the byte offset.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "golden/codec/lossless_codec.hpp"
#include "golden/model/source_layout.hpp"

namespace ws::golden {

// The version this build writes and the newest it reads. Version 4 is
// version 3 with the header's version, flags and sizes under the directory's
// CRC, so that a damaged version byte cannot pass for another version;
// versions 1 to 3 are read as before.
inline constexpr uint16_t kWscVersion = 4;
inline constexpr size_t kWscHeaderBytes = 24;

// Where a tensor's payload lies in the file.
struct WscPayload {
  uint64_t offset = 0;               // file offset of the payload (its table bytes first)
  std::vector<uint64_t> lane_bytes;  // size of each lane stream
  uint32_t crc = 0;                  // CRC32 of the payload
};

struct WscContents {
  std::vector<EncodedTensor> tensors;  // lane streams empty when parsed without them
  std::vector<WscPayload> payloads;
  std::optional<SourceLayout> layout;  // the file the tensors came from, when stored
  uint64_t directory_bytes = 0;        // compressed directory as stored
  uint64_t layout_bytes = 0;           // the source layout section as stored (0: none)
  uint64_t file_bytes = 0;
};

// A container of `tensors`; with `layout`, decode can rebuild the source file
// byte for byte (its tensors must be the layout's, unconverted).
std::vector<uint8_t> serialize_wsc(std::span<const EncodedTensor> tensors, const SourceLayout* layout = nullptr);

struct WscReadOptions {
  bool check_payload_crc = true;  // false lets damaged payloads through, to show what a decoder does with them
  bool load_lanes = true;         // false leaves the lane streams in the file (load_lanes() reads a tensor's)
};

// Parses and validates a whole container: header, directory, layout and the
// payloads' place in the file (their CRCs too when the lanes are loaded).
WscContents parse_wsc(std::span<const uint8_t> file, const std::string& source, const WscReadOptions& options = {});

// Reads tensor `index`'s lane streams from the file into contents.tensors[index]
// (checking its payload CRC unless told not to).
void load_lanes(std::span<const uint8_t> file, WscContents& contents, size_t index, const std::string& source,
                bool check_payload_crc = true);

// True when the bytes start with the .wsc magic.
bool looks_like_wsc(std::span<const uint8_t> file);

}  // namespace ws::golden
