// The byte layout of a model file as it was read: every byte that is not a
// tensor's data (headers, metadata, padding, unreferenced bytes, tables that
// are not weights) kept verbatim, in file order with the tensors between
// them, so that the file can be rebuilt byte for byte from its tensors. The
// .wsc container stores it (docs/FORMAT.md 9.2); decode writes the original
// file back from it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "golden/model/tensor.hpp"

namespace ws::golden {

enum class SourceKind : uint8_t { Safetensors = 0, Llama2c = 1, Gguf = 2 };
std::string_view source_kind_name(SourceKind kind);  // "safetensors", "llama2c", "gguf"

struct SourceSegment {
  bool is_tensor = false;
  uint64_t tensor = 0;         // the tensor's index, when is_tensor: its data, little-endian
  std::vector<uint8_t> bytes;  // verbatim bytes otherwise
};

struct SourceLayout {
  SourceKind kind = SourceKind::Safetensors;
  uint64_t file_size = 0;
  uint32_t file_crc = 0;  // CRC32 (zlib) of the whole file
  std::vector<SourceSegment> segments;
};

// The bytes a tensor's data takes in a file: its count times its dtype's bytes.
uint64_t tensor_data_bytes(DType dtype, uint64_t count);

// Throws InputError (naming `source`) unless the segments name every one of
// `tensor_bytes.size()` tensors exactly once and add up to file_size.
void check_source_layout(const SourceLayout& layout, const std::vector<uint64_t>& tensor_bytes,
                         const std::string& source);

}  // namespace ws::golden
