// Little-endian integers and LEB128 varints in byte buffers, with a bounds-
// checked reader that reports the offset of what it could not read.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ws::golden {

class ByteWriter {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u16(uint16_t v) { fixed(v, 2); }
  void u32(uint32_t v) { fixed(v, 4); }
  void u64(uint64_t v) { fixed(v, 8); }
  void varint(uint64_t v) {
    while (v >= 0x80) {
      bytes_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes_.push_back(static_cast<uint8_t>(v));
  }
  void string(const std::string& s) {
    varint(s.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
  }
  void bytes(std::span<const uint8_t> b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }
  const std::vector<uint8_t>& data() const { return bytes_; }

 private:
  void fixed(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> bytes_;
};

// Reads from a span; every read past the end, or an over-long varint, sets
// failed() and returns 0, so a parser checks once per record.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes, uint64_t base_offset = 0)
      : bytes_(bytes), base_(base_offset) {}

  uint8_t u8() { return static_cast<uint8_t>(fixed(1)); }
  uint16_t u16() { return static_cast<uint16_t>(fixed(2)); }
  uint32_t u32() { return static_cast<uint32_t>(fixed(4)); }
  uint64_t u64() { return fixed(8); }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return fail();
      const uint8_t b = bytes_[pos_++];
      v |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }
  std::string string(size_t max_length) {
    const uint64_t n = varint();
    if (failed_ || n > max_length || n > bytes_.size() - pos_) return fail(), std::string();
    std::string s(bytes_.begin() + static_cast<ptrdiff_t>(pos_), bytes_.begin() + static_cast<ptrdiff_t>(pos_ + n));
    pos_ += n;
    return s;
  }
  std::span<const uint8_t> bytes(uint64_t n) {
    if (n > bytes_.size() - pos_) return fail(), std::span<const uint8_t>();
    const auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }

  bool failed() const { return failed_; }
  uint64_t offset() const { return base_ + pos_; }  // where the next read starts
  uint64_t remaining() const { return bytes_.size() - pos_; }

 private:
  uint64_t fixed(int n) {
    if (static_cast<size_t>(n) > bytes_.size() - pos_) return fail();
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{bytes_[pos_ + i]} << (8 * i);
    pos_ += static_cast<size_t>(n);
    return v;
  }
  uint64_t fail() {
    failed_ = true;
    return 0;
  }

  std::span<const uint8_t> bytes_;
  uint64_t base_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace ws::golden
