// CRC32 as zlib computes it, over spans of any length (zlib takes at most
// UINT_MAX bytes a call), continued across calls.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <span>

namespace ws::golden {

inline uint32_t crc32_update(uint32_t crc, std::span<const uint8_t> bytes) {
  uLong value = crc;
  for (size_t done = 0; done < bytes.size();) {
    const auto chunk = static_cast<uInt>(std::min<size_t>(bytes.size() - done, size_t{1} << 30));
    value = crc32(value, bytes.data() + done, chunk);
    done += chunk;
  }
  return static_cast<uint32_t>(value);
}

inline uint32_t crc32_of(std::span<const uint8_t> bytes) { return crc32_update(0, bytes); }

}  // namespace ws::golden
