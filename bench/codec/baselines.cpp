#include "bench/codec/baselines.hpp"

#include <zlib.h>
#include <zstd.h>

#include <stdexcept>

#include "golden/codec/field_layout.hpp"
#include "golden/entropy/huffman.hpp"

namespace ws::bench {

std::vector<uint8_t> raw_bytes(std::span<const golden::Tensor> tensors) {
  std::vector<uint8_t> bytes;
  for (const golden::Tensor& t : tensors) {
    const int width = golden::dtype_bits(t.dtype) / 8;
    for (uint32_t p : t.bits) {
      for (int b = 0; b < width; ++b) bytes.push_back(static_cast<uint8_t>(p >> (8 * b)));
    }
  }
  return bytes;
}

uint64_t zlib_bytes(std::span<const uint8_t> data, int level) {
  uLongf size = compressBound(data.size());
  std::vector<uint8_t> out(size);
  if (compress2(out.data(), &size, data.data(), data.size(), level) != Z_OK) throw std::runtime_error("zlib failed");
  return size;
}

uint64_t zstd_bytes(std::span<const uint8_t> data, int level) {
  std::vector<uint8_t> out(ZSTD_compressBound(data.size()));
  const size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  if (ZSTD_isError(size)) throw std::runtime_error("zstd failed");
  return size;
}

uint64_t zstd_byte_planes_bytes(std::span<const golden::Tensor> tensors, int level) {
  uint64_t total = 0;
  for (const golden::Tensor& t : tensors) {
    const int width = golden::dtype_bits(t.dtype) / 8;
    for (int b = 0; b < width; ++b) {
      std::vector<uint8_t> plane;
      for (uint32_t p : t.bits) plane.push_back(static_cast<uint8_t>(p >> (8 * b)));
      total += zstd_bytes(plane, level);
    }
  }
  return total;
}

uint64_t huffman_exponent_bytes(std::span<const golden::Tensor> tensors) {
  uint64_t total = 0;
  for (const golden::Tensor& t : tensors) {
    const golden::FieldLayout layout = golden::FieldLayout::of(t.dtype, 0);
    std::vector<uint64_t> hist(size_t{1} << layout.exponent_bits, 0);
    for (uint32_t p : t.bits) ++hist[layout.symbol(p)];
    const std::vector<int> lengths = golden::huffman_code_lengths(hist);
    uint64_t present = 0;
    for (uint64_t c : hist) present += c != 0;
    const uint64_t bits = golden::huffman_coded_bits(hist, lengths) + t.size() * static_cast<uint64_t>(layout.raw_bits());
    total += (bits + 7) / 8 + 2 * present;
  }
  return total;
}

}  // namespace ws::bench
