// Compression baselines measured on the same tensors as the lossless codec:
// zlib and zstd on the raw bytes, zstd on byte planes per tensor (ZipNN's
// grouping), and a per-tensor Huffman-coded exponent with sign and fraction
// raw (DFloat11's method). Sizes in bytes, everything included.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "golden/model/tensor.hpp"

namespace ws::bench {

// The tensors' elements as little-endian bytes of their dtype, concatenated.
std::vector<uint8_t> raw_bytes(std::span<const golden::Tensor> tensors);

uint64_t zlib_bytes(std::span<const uint8_t> data, int level);
uint64_t zstd_bytes(std::span<const uint8_t> data, int level);
// Per tensor, byte position b of every element in its own zstd frame.
uint64_t zstd_byte_planes_bytes(std::span<const golden::Tensor> tensors, int level);
// Per tensor: Huffman-coded exponent field, a code table of 2 bytes per
// present exponent, and the sign and fraction bits raw.
uint64_t huffman_exponent_bytes(std::span<const golden::Tensor> tensors);

}  // namespace ws::bench
