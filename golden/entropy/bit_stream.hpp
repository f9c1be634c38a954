// Bit streams, least significant bit first: the first bit of a stream is bit 0
// of byte 0, and a value of n bits is stored from its bit 0 upward. This is
// the order a hardware reader with a funnel shifter over little-endian words
// consumes.
//
// BitReader is split the way the hardware is: refill() tops up a 64-bit
// window from memory; peek()/consume() take bits from the window only.
// Reading past the end yields zeros and sets overrun(), never touches memory
// out of range.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace ws::golden {

class BitWriter {
 public:
  void write(uint64_t value, int bits) {  // bits <= 57
    window_ |= (value & ((uint64_t{1} << bits) - 1)) << count_;
    count_ += bits;
    while (count_ >= 8) {
      bytes_.push_back(static_cast<uint8_t>(window_));
      window_ >>= 8;
      count_ -= 8;
    }
  }
  // Pads with zero bits to a whole byte and returns the stream.
  std::vector<uint8_t> finish() {
    if (count_ > 0) bytes_.push_back(static_cast<uint8_t>(window_));
    window_ = 0;
    count_ = 0;
    return std::move(bytes_);
  }
  uint64_t bit_count() const { return bytes_.size() * 8 + static_cast<uint64_t>(count_); }

 private:
  std::vector<uint8_t> bytes_;
  uint64_t window_ = 0;
  int count_ = 0;
};

class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> bytes) : bytes_(bytes) { refill(); }

  // Tops the window up to at least 57 bits (zeros past the end of the stream).
  void refill() {
    while (count_ <= 56) {
      const uint64_t byte = next_ < bytes_.size() ? bytes_[next_] : 0;
      window_ |= byte << count_;
      ++next_;
      count_ += 8;
    }
  }
  uint64_t peek(int bits) const { return window_ & ((uint64_t{1} << bits) - 1); }
  void consume(int bits) {
    window_ >>= bits;
    count_ -= bits;
    consumed_ += static_cast<uint64_t>(bits);
  }
  uint64_t read(int bits) {  // bits <= 57
    if (count_ < bits) refill();
    const uint64_t value = peek(bits);
    consume(bits);
    return value;
  }
  uint64_t bits_consumed() const { return consumed_; }
  bool overrun() const { return consumed_ > bytes_.size() * 8; }

 private:
  std::span<const uint8_t> bytes_;
  uint64_t window_ = 0;
  int count_ = 0;
  size_t next_ = 0;
  uint64_t consumed_ = 0;
};

}  // namespace ws::golden
