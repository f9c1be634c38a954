// The safetensors format: an 8-byte little-endian u64 header length N, N
// bytes of UTF-8 JSON header, then the data buffer. The header maps each
// tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (byte
// offsets into the data buffer) plus an optional "__metadata__" object of
// string -> string.
//
// What the reader returns satisfies: every tensor has a supported dtype (F32,
// F16, BF16); its byte range lies inside the data buffer, holds exactly
// element_count(shape) * dtype size bytes and shares no byte with another
// tensor; tensors come in ascending data offset order. Holes in the data
// buffer are accepted, not required (the reference reader rejects them).
// Anything else is an InputError naming the file, the tensor and the offset.
//
// The writer produces what the reference writer does: metadata first, then
// the tensors in the given order packed back to back, and the header padded
// with spaces so that the data buffer starts at a multiple of 8.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "golden/model/tensor.hpp"

namespace ws::golden {

struct SafetensorsFile {
  std::vector<Tensor> tensors;
  std::map<std::string, std::string> metadata;  // the "__metadata__" object
};

SafetensorsFile read_safetensors_file(const std::string& path);
std::vector<Tensor> read_safetensors(const std::string& path);  // the tensors of read_safetensors_file

// Throws std::invalid_argument for duplicate or reserved names, a shape that
// does not match the element count, or a bit pattern wider than the dtype;
// std::runtime_error if the file cannot be written (no partial file is left).
void write_safetensors(const std::string& path, const std::vector<Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Bytes of a file's beginning that looks_like_safetensors needs.
inline constexpr size_t kSafetensorsSignatureBytes = 9;

// A cheap content test, not validation: the header length fits before the
// end of the file and the header opens with '{'.
bool looks_like_safetensors(std::span<const uint8_t> first_bytes, uint64_t file_size);

}  // namespace ws::golden
