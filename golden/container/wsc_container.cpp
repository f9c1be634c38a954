#include "golden/container/wsc_container.hpp"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "golden/common/crc32.hpp"
#include "golden/container/byte_io.hpp"
#include "golden/quant/quantized_payload.hpp"

namespace ws::golden {
namespace {

constexpr uint8_t kMagic[8] = {0x89, 'W', 'S', 'C', '\r', '\n', 0x1a, '\n'};
constexpr uint8_t kCodecLossless = 0;
constexpr uint8_t kCodecQuantized = 1;  // container version 3 on
constexpr uint8_t kCodecVp = 2;         // variable precision (docs/FORMAT.md 16.3), version 3 on
constexpr uint64_t kMaxVpTableBytes = 1 << 16;
constexpr uint8_t kQuantZeroPoint = 1, kQuantTensorScale = 2;  // flags of a quantised entry
constexpr size_t kMaxMethodBytes = 64;
constexpr size_t kMaxNameBytes = 4096;
constexpr uint64_t kMaxRank = 8;
constexpr uint64_t kMaxWeightsPerTensor = uint64_t{1} << 34;  // beyond any real tensor; bounds allocations
constexpr uint64_t kMaxDirectoryBytes = uint64_t{1} << 28;
constexpr uint64_t kMaxLayoutBytes = uint64_t{1} << 30;
constexpr int kDirectoryZstdLevel = 19;
constexpr uint16_t kFlagSourceLayout = 1;
constexpr uint8_t kSegmentBytes = 0;
constexpr uint8_t kSegmentTensor = 1;

std::vector<uint8_t> zstd_compress(std::span<const uint8_t> raw) {
  std::vector<uint8_t> compressed(ZSTD_compressBound(raw.size()));
  const size_t size = ZSTD_compress(compressed.data(), compressed.size(), raw.data(), raw.size(), kDirectoryZstdLevel);
  if (ZSTD_isError(size)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(size));
  compressed.resize(size);
  return compressed;
}

// A section stored as u32 stored size, u32 size uncompressed, u32 CRC32 of
// the stored bytes, then one zstd frame (the layout section; the header
// holds the directory's three fields itself).
void write_section(ByteWriter& out, std::span<const uint8_t> raw) {
  const std::vector<uint8_t> compressed = zstd_compress(raw);
  out.u32(static_cast<uint32_t>(compressed.size()));
  out.u32(static_cast<uint32_t>(raw.size()));
  out.u32(crc32_of(compressed));
  out.bytes(compressed);
}

std::vector<uint8_t> serialize_layout(const SourceLayout& layout) {
  ByteWriter w;
  w.u8(static_cast<uint8_t>(layout.kind));
  w.varint(layout.file_size);
  w.u32(layout.file_crc);
  w.varint(layout.segments.size());
  for (const SourceSegment& segment : layout.segments) {
    w.u8(segment.is_tensor ? kSegmentTensor : kSegmentBytes);
    if (segment.is_tensor) {
      w.varint(segment.tensor);
    } else {
      w.varint(segment.bytes.size());
      w.bytes(segment.bytes);
    }
  }
  return w.data();
}

// A name that safetensors can hold: valid UTF-8, not the metadata key (a
// duplicate is caught by the caller).
bool writable_name(const std::string& name) {
  if (name == "__metadata__") return false;
  try {
    (void)nlohmann::json(name).dump();  // throws on invalid UTF-8
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  return true;
}

uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

uint32_t payload_crc(const EncodedTensor& t) {  // of the lanes in memory
  if (t.quantized) return crc32_of(pack_quantized(*t.quantized));
  uint32_t crc = crc32_of(t.table_bytes);
  for (const auto& lane : t.lane_streams) crc = crc32_update(crc, lane);
  return crc;
}

}  // namespace

bool looks_like_wsc(std::span<const uint8_t> file) {
  return file.size() >= sizeof kMagic && std::memcmp(file.data(), kMagic, sizeof kMagic) == 0;
}

std::vector<uint8_t> serialize_wsc(std::span<const EncodedTensor> tensors, const SourceLayout* layout) {
  ByteWriter dir;
  dir.varint(tensors.size());
  for (const EncodedTensor& t : tensors) {
    dir.string(t.name);
    dir.u8(static_cast<uint8_t>(t.dtype));
    dir.varint(t.shape.size());
    for (int64_t d : t.shape) dir.varint(static_cast<uint64_t>(d));
    if (t.quantized) {
      const QuantizedTensor& q = *t.quantized;
      dir.u8(kCodecQuantized);
      dir.string(q.method);
      dir.varint(static_cast<uint64_t>(q.rows));
      dir.varint(static_cast<uint64_t>(q.cols));
      dir.varint(static_cast<uint64_t>(q.group));
      dir.u8(static_cast<uint8_t>(q.code_kind));
      dir.u8(static_cast<uint8_t>(q.code_bits));
      dir.string(q.element_format);
      dir.u8(static_cast<uint8_t>(q.element_fraction_shift));
      dir.u8(static_cast<uint8_t>(q.scale_kind));
      dir.u8((q.has_zero_point ? kQuantZeroPoint : 0) | (q.has_tensor_scale ? kQuantTensorScale : 0));
      dir.u32(std::bit_cast<uint32_t>(q.tensor_scale));
      if (q.code_kind == CodeKind::MixedSignedInt) {  // the blocks, so that the payload's size follows from here
        dir.varint(static_cast<uint64_t>(q.block_rows));
        dir.varint(static_cast<uint64_t>(q.block_cols));
        dir.varint(q.block_bits.size());
        for (uint8_t b : q.block_bits) dir.u8(b);
      }
      if (q.code_kind == CodeKind::Codebook) {
        dir.varint(q.outlier_index.size());
        dir.u8(static_cast<uint8_t>(q.codebooks));
        dir.u8(static_cast<uint8_t>(q.index_table_log));
        if (q.index_table_log != 0) {
          dir.varint(q.index_table_bytes);
          dir.varint(q.index_lane_bytes);
        }
      }
      dir.u32(payload_crc(t));
      continue;
    }
    if (t.vp) {
      dir.u8(kCodecVp);
      const std::vector<uint8_t> table = vp::serialize_table(*t.vp);
      dir.varint(table.size());
      dir.bytes(table);
    } else {
      dir.u8(kCodecLossless);
    }
    dir.u8(static_cast<uint8_t>(t.joint_bits));
    dir.varint(t.repeat_distance);
    dir.u8(static_cast<uint8_t>(t.repeat_bits));
    dir.u8(static_cast<uint8_t>(t.table_log));
    dir.varint(static_cast<uint64_t>(t.table_source + 1));
    dir.varint(t.table_bytes.size());
    dir.varint(t.lane_streams.size());
    // Lanes of a tensor are about the same size: the first size, then zigzag deltas.
    uint64_t previous = 0;
    for (const auto& lane : t.lane_streams) {
      dir.varint(zigzag(static_cast<int64_t>(lane.size() - previous)));
      previous = lane.size();
    }
    dir.u32(payload_crc(t));
  }
  const std::vector<uint8_t>& raw = dir.data();
  const std::vector<uint8_t> compressed = zstd_compress(raw);

  ByteWriter out;
  out.bytes(kMagic);
  out.u16(kWscVersion);
  out.u16(layout ? kFlagSourceLayout : 0);
  out.u32(static_cast<uint32_t>(compressed.size()));
  out.u32(static_cast<uint32_t>(raw.size()));
  out.u32(crc32_update(crc32_of(std::span(out.data()).subspan(8, 12)), compressed));
  out.bytes(compressed);
  if (layout) write_section(out, serialize_layout(*layout));
  for (const EncodedTensor& t : tensors) {
    if (t.quantized) out.bytes(pack_quantized(*t.quantized));
    out.bytes(t.table_bytes);
    for (const auto& lane : t.lane_streams) out.bytes(lane);
  }
  return out.data();
}

namespace {

// A zstd section of the file, checked and unpacked: its CRC, a plausible
// size (at most kMaxRatio times what is stored, so that a small file cannot
// make the reader allocate much), and a frame of exactly that size.
template <class Fail>
std::vector<uint8_t> unpack_section(std::span<const uint8_t> stored, uint64_t raw_size, uint32_t crc, uint64_t limit,
                                    uint64_t offset, const char* what, const Fail& fail, uint32_t crc_start = 0) {
  constexpr uint64_t kMaxRatio = 512;
  if (crc32_update(crc_start, stored) != crc) throw fail(offset, std::string(what) + " CRC mismatch");
  if (raw_size > limit || raw_size > std::max<uint64_t>(stored.size() * kMaxRatio, 1 << 16)) {
    throw fail(offset, std::string(what) + " claims " + std::to_string(raw_size) + " bytes from " +
                           std::to_string(stored.size()) + " stored");
  }
  std::vector<uint8_t> raw(raw_size);
  const size_t got = ZSTD_decompress(raw.data(), raw.size(), stored.data(), stored.size());
  if (ZSTD_isError(got) || got != raw.size()) throw fail(offset, std::string(what) + " does not decompress");
  return raw;
}

SourceLayout parse_layout(std::span<const uint8_t> raw, const std::vector<EncodedTensor>& tensors,
                          const std::string& source) {
  const auto bad = [&](const std::string& what) { return InputError(source + ": source layout: " + what); };
  ByteReader r(raw);
  SourceLayout layout;
  const uint8_t kind = r.u8();
  if (kind > static_cast<uint8_t>(SourceKind::Gguf)) throw bad("unknown file kind " + std::to_string(kind));
  layout.kind = static_cast<SourceKind>(kind);
  layout.file_size = r.varint();
  layout.file_crc = r.u32();
  const uint64_t segments = r.varint();
  if (r.failed() || segments > raw.size()) throw bad("truncated");
  for (uint64_t i = 0; i < segments; ++i) {
    SourceSegment segment;
    const uint8_t type = r.u8();
    if (type == kSegmentTensor) {
      segment.is_tensor = true;
      segment.tensor = r.varint();
    } else if (type == kSegmentBytes) {
      const std::span<const uint8_t> bytes = r.bytes(r.varint());
      segment.bytes.assign(bytes.begin(), bytes.end());
    } else {
      throw bad("unknown segment type " + std::to_string(type));
    }
    if (r.failed()) throw bad("truncated at segment " + std::to_string(i));
    layout.segments.push_back(std::move(segment));
  }
  if (r.remaining() != 0) throw bad("trailing bytes");
  std::vector<uint64_t> tensor_bytes;
  for (const EncodedTensor& t : tensors) tensor_bytes.push_back(tensor_data_bytes(t.dtype, t.count));
  check_source_layout(layout, tensor_bytes, source);
  return layout;
}

}  // namespace

WscContents parse_wsc(std::span<const uint8_t> file, const std::string& source, const WscReadOptions& options) {
  auto fail = [&](uint64_t offset, const std::string& what) -> InputError {
    return InputError(source + ": offset " + std::to_string(offset) + ": " + what);
  };
  if (file.size() < kWscHeaderBytes) {
    throw fail(0, "file of " + std::to_string(file.size()) + " bytes is too short for a .wsc header");
  }
  if (!looks_like_wsc(file)) throw fail(0, "not a weightstream container (bad magic)");
  ByteReader header(file.subspan(8, kWscHeaderBytes - 8), 8);
  const uint16_t version = header.u16();
  const uint16_t flags = header.u16();
  const uint32_t directory_bytes = header.u32();
  const uint32_t directory_raw_bytes = header.u32();
  const uint32_t directory_crc = header.u32();
  if (version < 1 || version > kWscVersion) {
    throw fail(8, "container version " + std::to_string(version) + " is not supported (this build reads versions 1 " +
                      "to " + std::to_string(kWscVersion) + ")");
  }
  if (flags & ~(version >= 2 ? kFlagSourceLayout : 0)) throw fail(10, "unknown flags " + std::to_string(flags));
  if (directory_bytes > file.size() - kWscHeaderBytes) {
    throw fail(12, "directory of " + std::to_string(directory_bytes) + " bytes runs past the end of the file");
  }
  WscContents contents;
  contents.directory_bytes = directory_bytes;
  contents.file_bytes = file.size();
  const uint32_t crc_start = version >= 4 ? crc32_of(file.subspan(8, 12)) : 0;  // version 4 covers the header too
  const std::vector<uint8_t> raw =
      unpack_section(file.subspan(kWscHeaderBytes, directory_bytes), directory_raw_bytes, directory_crc,
                     kMaxDirectoryBytes, kWscHeaderBytes, "directory", fail, crc_start);
  uint64_t payload_offset = kWscHeaderBytes + directory_bytes;
  std::vector<uint8_t> layout_raw;
  if (flags & kFlagSourceLayout) {
    ByteReader section(file.subspan(payload_offset), payload_offset);
    const uint32_t stored = section.u32(), raw_size = section.u32(), crc = section.u32();
    if (section.failed() || stored > section.remaining()) {
      throw fail(payload_offset, "source layout section runs past the end of the file");
    }
    layout_raw = unpack_section(section.bytes(stored), raw_size, crc, kMaxLayoutBytes, payload_offset + 12,
                                "source layout", fail);
    contents.layout_bytes = 12 + stored;
    payload_offset += contents.layout_bytes;
  }

  ByteReader dir(raw);
  const uint64_t count = dir.varint();
  if (dir.failed() || count > raw.size()) throw fail(kWscHeaderBytes, "directory: bad tensor count");
  std::set<std::string> names;
  for (uint64_t index = 0; index < count; ++index) {
    EncodedTensor t;
    const uint64_t entry_offset = dir.offset();
    t.name = dir.string(kMaxNameBytes);
    const std::string where = "directory entry " + std::to_string(index) + " ('" + t.name + "')";
    auto bad = [&](const std::string& what) {
      return InputError(source + ": tensor '" + t.name + "' (" + where + " at directory offset " +
                        std::to_string(entry_offset) + "): " + what);
    };
    if (!dir.failed() && !writable_name(t.name)) {
      throw bad("the name is not valid UTF-8 or is the reserved \"__metadata__\"");
    }
    if (!dir.failed() && !names.insert(t.name).second) throw bad("a second tensor of this name");
    const uint8_t dtype = dir.u8();
    const uint64_t rank = dir.varint();
    if (dir.failed()) throw bad("truncated");
    if (dtype > static_cast<uint8_t>(DType::BF16)) throw bad("unknown dtype " + std::to_string(dtype));
    if (rank > kMaxRank) throw bad("rank " + std::to_string(rank) + " above " + std::to_string(kMaxRank));
    t.dtype = static_cast<DType>(dtype);
    for (uint64_t d = 0; d < rank; ++d) t.shape.push_back(static_cast<int64_t>(dir.varint() & INT64_MAX));
    try {
      t.count = static_cast<uint64_t>(element_count(t.shape));
    } catch (const std::overflow_error&) {
      throw bad("shape overflows");
    }
    if (t.count > kMaxWeightsPerTensor) throw bad(std::to_string(t.count) + " weights, more than a tensor may hold");
    const uint8_t codec = dir.u8();
    if (codec == kCodecQuantized && version >= 3) {
      QuantizedTensor& q = t.quantized.emplace();
      q.method = dir.string(kMaxMethodBytes);
      q.rows = static_cast<int64_t>(std::min<uint64_t>(dir.varint(), kMaxWeightsPerTensor));
      q.cols = static_cast<int64_t>(std::min<uint64_t>(dir.varint(), kMaxWeightsPerTensor));
      q.group = static_cast<int>(std::min<uint64_t>(dir.varint(), uint64_t{1} << 30));
      q.code_kind = static_cast<CodeKind>(dir.u8());
      q.code_bits = dir.u8();
      q.element_format = dir.string(kMaxMethodBytes);
      q.element_fraction_shift = dir.u8();
      q.scale_kind = static_cast<ScaleKind>(dir.u8());
      const uint8_t quant_flags = dir.u8();
      q.has_zero_point = (quant_flags & kQuantZeroPoint) != 0;
      q.has_tensor_scale = (quant_flags & kQuantTensorScale) != 0;
      q.tensor_scale = std::bit_cast<float>(dir.u32());
      if (q.code_kind == CodeKind::MixedSignedInt) {
        q.block_rows = static_cast<int64_t>(std::min<uint64_t>(dir.varint(), kMaxWeightsPerTensor));
        q.block_cols = static_cast<int64_t>(std::min<uint64_t>(dir.varint(), kMaxWeightsPerTensor));
        const uint64_t blocks = dir.varint();
        if (dir.failed() || blocks > kMaxWeightsPerTensor) throw bad("truncated or oversized block list");
        const std::span<const uint8_t> widths = dir.bytes(blocks);
        if (dir.failed()) throw bad("truncated");
        q.block_bits.assign(widths.begin(), widths.end());
      }
      if (q.code_kind == CodeKind::Codebook) {
        const uint64_t outliers = dir.varint();
        if (dir.failed() || outliers > t.count) throw bad("truncated, or more outliers than weights");
        q.outlier_index.resize(outliers);
        q.outlier_value.resize(outliers);
        q.codebooks = dir.u8();
        if (dir.failed() || q.codebooks < 1 || q.codebooks > 16) {
          throw bad("truncated, or a codebook library of 0 or over 16");
        }
        q.index_table_log = dir.u8();
        if (q.index_table_log != 0) {
          q.index_table_bytes = dir.varint();
          q.index_lane_bytes = dir.varint();
          if (dir.failed() || q.index_table_log < 5 || q.index_table_log > 12 || q.index_table_bytes > t.count * 8 ||
              q.index_lane_bytes > t.count * 8) {
            throw bad("truncated, or index coding out of range");
          }
        }
      }
      const uint32_t crc = dir.u32();
      if (dir.failed()) throw bad("truncated");
      if (quant_flags & ~(kQuantZeroPoint | kQuantTensorScale)) throw bad("unknown quantisation flags");
      if (q.rows < 1 || q.cols < 1 || static_cast<uint64_t>(q.rows) * static_cast<uint64_t>(q.cols) != t.count) {
        throw bad("quantised as " + std::to_string(q.rows) + " x " + std::to_string(q.cols) + ", the shape holds " +
                  std::to_string(t.count) + " weights");
      }
      // The fields alone (no codes yet) must describe a well-formed tensor before its size is trusted.
      if (q.group < 1 || q.code_bits < 1 || q.code_bits > 8) throw bad("quantisation group or code width out of range");
      if (q.code_kind == CodeKind::MixedSignedInt &&
          (q.block_rows < 1 || q.block_cols < 1 || static_cast<int64_t>(q.block_bits.size()) != q.blocks() ||
           std::ranges::any_of(q.block_bits, [&q](uint8_t b) { return b < 2 || b > q.code_bits; }))) {
        throw bad("mixed-width blocks out of range");
      }
      const uint64_t size = quantized_payload_bytes(q);
      if (payload_offset > file.size() || size > file.size() - payload_offset) {
        throw bad("payload of " + std::to_string(size) + " bytes at offset " + std::to_string(payload_offset) +
                  " runs past the end of the file (" + std::to_string(file.size()) + " bytes)");
      }
      contents.payloads.push_back({payload_offset, {}, crc});
      payload_offset += size;
      contents.tensors.push_back(std::move(t));
      if (options.load_lanes) load_lanes(file, contents, contents.tensors.size() - 1, source, options.check_payload_crc);
      continue;
    }
    if (codec == kCodecVp && version >= 3) {
      const uint64_t size = dir.varint();
      if (dir.failed() || size > kMaxVpTableBytes) throw bad("truncated or oversized variable-precision table");
      const std::span<const uint8_t> table = dir.bytes(size);
      if (dir.failed()) throw bad("truncated");
      t.vp = vp::parse_table(table, t.dtype, source + ": tensor '" + t.name + "' (" + where + ")");
    } else if (codec != kCodecLossless) {
      throw bad("unknown codec " + std::to_string(codec));
    }
    t.joint_bits = dir.u8();
    t.repeat_distance = dir.varint();
    t.repeat_bits = dir.u8();
    t.table_log = dir.u8();
    t.table_source = static_cast<int>(std::min<uint64_t>(dir.varint(), uint64_t{1} << 30)) - 1;
    const uint64_t table_bytes = dir.varint();
    const uint64_t lanes = dir.varint();
    if (dir.failed()) throw bad("truncated");
    if (t.vp && (t.joint_bits || t.repeat_distance || t.repeat_bits || t.table_source != -1)) {
      throw bad("a variable-precision tensor with joint bits, REPEAT or a borrowed table");
    }
    if (lanes > 32) throw bad(std::to_string(lanes) + " lanes (at most 32)");
    std::vector<uint64_t> lane_bytes(lanes);
    uint64_t previous = 0;
    for (uint64_t& b : lane_bytes) {
      b = previous + static_cast<uint64_t>(unzigzag(dir.varint()));
      if (b > file.size()) throw bad("lane sizes beyond the file");
      previous = b;
    }
    const uint32_t crc = dir.u32();
    if (dir.failed()) throw bad("truncated");
    if (t.joint_bits > t.layout().fraction_bits) throw bad("joint bits " + std::to_string(t.joint_bits));
    if (t.alphabet_size() > TansTable::kMaxSymbols) throw bad("alphabet too large");
    if (t.table_log < TansTable::kMinTableLog || t.table_log > TansTable::kMaxTableLog) {
      throw bad("table log " + std::to_string(t.table_log) + " outside 5..12");
    }
    if (t.table_source >= static_cast<int>(index)) throw bad("table source is not an earlier tensor");
    if ((t.table_source >= 0) != (table_bytes == 0)) throw bad("a tensor has either its own table or a source");
    if ((lanes == 0) != (t.count == 0) || lanes > std::max<uint64_t>(t.count, 1)) {
      throw bad(std::to_string(lanes) + " lanes for " + std::to_string(t.count) + " weights");
    }
    if (t.repeat_distance >= std::max<uint64_t>(t.count, 1) || (lanes && t.repeat_distance % lanes)) {
      throw bad("repeat distance " + std::to_string(t.repeat_distance));
    }
    const FieldLayout layout = t.layout();
    const bool repeat_bits_ok = t.repeat_distance == 0 ? t.repeat_bits == 0
                                                       : t.repeat_bits > layout.exponent_bits &&
                                                             t.repeat_bits <= layout.pattern_bits();
    if (!repeat_bits_ok) throw bad("repeat bits " + std::to_string(t.repeat_bits));

    // The payload: table, then lanes, all inside the file.
    uint64_t size = table_bytes;
    for (uint64_t b : lane_bytes) {
      if (size > file.size()) throw bad("payload sizes beyond the file");
      size += b;
    }
    if (payload_offset > file.size() || size > file.size() - payload_offset) {
      throw bad("payload of " + std::to_string(size) + " bytes at offset " + std::to_string(payload_offset) +
                " runs past the end of the file (" + std::to_string(file.size()) + " bytes)");
    }
    const auto payload = file.subspan(payload_offset, size);
    t.table_bytes.assign(payload.begin(), payload.begin() + static_cast<ptrdiff_t>(table_bytes));
    contents.payloads.push_back({payload_offset, std::move(lane_bytes), crc});
    payload_offset += size;
    contents.tensors.push_back(std::move(t));
    if (options.load_lanes) load_lanes(file, contents, contents.tensors.size() - 1, source, options.check_payload_crc);
  }
  if (dir.remaining() != 0) throw fail(kWscHeaderBytes, "directory has trailing bytes");
  if (payload_offset != file.size()) {
    throw fail(payload_offset, std::to_string(file.size() - payload_offset) + " bytes after the last payload");
  }
  if (!layout_raw.empty()) contents.layout = parse_layout(layout_raw, contents.tensors, source);
  return contents;
}

void load_lanes(std::span<const uint8_t> file, WscContents& contents, size_t index, const std::string& source,
                bool check_payload_crc) {
  EncodedTensor& t = contents.tensors.at(index);
  const WscPayload& p = contents.payloads.at(index);
  if (t.quantized) {
    const auto payload = file.subspan(p.offset, quantized_payload_bytes(*t.quantized));
    if (check_payload_crc && crc32_of(payload) != p.crc) {
      throw InputError(source + ": tensor '" + t.name + "': CRC mismatch in the payload at offset " +
                       std::to_string(p.offset));
    }
    unpack_quantized(payload, *t.quantized, source + ": tensor '" + t.name + "'");
    return;
  }
  uint64_t size = t.table_bytes.size();
  for (const uint64_t b : p.lane_bytes) size += b;
  const auto payload = file.subspan(p.offset, size);
  if (check_payload_crc && crc32_of(payload) != p.crc) {
    throw InputError(source + ": tensor '" + t.name + "': CRC mismatch in the payload at offset " +
                     std::to_string(p.offset));
  }
  t.lane_streams.clear();
  uint64_t at = t.table_bytes.size();
  for (const uint64_t b : p.lane_bytes) {
    t.lane_streams.emplace_back(payload.begin() + static_cast<ptrdiff_t>(at),
                                payload.begin() + static_cast<ptrdiff_t>(at + b));
    at += b;
  }
}


}  // namespace ws::golden
