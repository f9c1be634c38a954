// GGUF, llama.cpp's model file (versions 2 and 3): "GGUF", a u32 version, a
// u64 tensor count and a u64 metadata count; the metadata as typed key-value
// pairs; per tensor its name, dimensions (innermost first), ggml type and
// offset into the data section; the data section at the first multiple of
// `general.alignment` (32 when absent) after the tensor infos. Every integer
// is little-endian, every string a u64 length and its bytes.
//
// The reader takes the F32, F16 and BF16 tensors as weights (shape outermost
// first: the dimensions reversed) and keeps every other byte verbatim in the
// layout: the header, the metadata, the tensor infos, the padding, and the
// data of every other tensor type (llama.cpp's quantised blocks), which
// `entries` lists with coded = false. A coded tensor's bytes must lie inside
// the data section and share no byte with another; anything else is an
// InputError naming the file and the offset.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "golden/model/source_layout.hpp"
#include "golden/model/tensor.hpp"

namespace ws::golden {

inline constexpr size_t kGgufSignatureBytes = 4;
bool looks_like_gguf(std::span<const uint8_t> head);  // the magic "GGUF"

struct GgufTensorEntry {
  std::string name;
  uint32_t ggml_type = 0;
  std::vector<int64_t> shape;  // outermost first
  uint64_t offset = 0;         // in the file
  bool coded = false;          // F32, F16 or BF16: one of the file's tensors; otherwise kept verbatim
};

struct GgufFile {
  uint32_t version = 3;
  uint64_t alignment = 32;
  uint64_t metadata_count = 0;
  std::vector<Tensor> tensors;           // the coded entries, in file order
  std::vector<GgufTensorEntry> entries;  // every tensor, in the order of the tensor infos
  SourceLayout layout;
};

GgufFile read_gguf_file(const std::string& path);

// "F32", "F16", "BF16", "Q8_0", ... ("type N" for a type this table lacks).
std::string ggml_type_name(uint32_t type);

}  // namespace ws::golden
