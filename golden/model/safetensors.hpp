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
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "golden/io/file_io.hpp"
#include "golden/model/source_layout.hpp"
#include "golden/model/tensor.hpp"

namespace ws::golden {

struct SafetensorsFile {
  std::vector<Tensor> tensors;                  // in data offset order
  std::map<std::string, std::string> metadata;  // the "__metadata__" object
  SourceLayout layout;                          // the file, byte for byte, around the tensors
};

SafetensorsFile read_safetensors_file(const std::string& path);
std::vector<Tensor> read_safetensors(const std::string& path);  // the tensors of read_safetensors_file

// Throws std::invalid_argument for duplicate or reserved names, a shape that
// does not match the element count, or a bit pattern wider than the dtype;
// OutputError if the file cannot be written (no partial file is left).
void write_safetensors(const std::string& path, const std::vector<Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// A tensor's entry in a safetensors header: everything but its data.
struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
};

// Writes a safetensors file to `out` without committing it: the header for
// `tensors`, then each tensor's data as data_of(i) returns it (little-endian,
// exactly its size), one tensor at a time, so that only one is in memory.
void write_safetensors_to(AtomicFileWriter& out, const std::vector<TensorInfo>& tensors,
                          const std::map<std::string, std::string>& metadata,
                          const std::function<std::vector<uint8_t>(size_t)>& data_of);

// Bytes of a file's beginning that looks_like_safetensors needs.
inline constexpr size_t kSafetensorsSignatureBytes = 9;

// A cheap content test, not validation: the header opens with '{' at offset 8.
bool looks_like_safetensors(std::span<const uint8_t> first_bytes);

}  // namespace ws::golden
