#include "golden/model/source_layout.hpp"

namespace ws::golden {

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::Safetensors:
      return "safetensors";
    case SourceKind::Llama2c:
      return "llama2c";
    case SourceKind::Gguf:
      return "gguf";
  }
  return "unknown";
}

uint64_t tensor_data_bytes(DType dtype, uint64_t count) { return count * static_cast<uint64_t>(dtype_bits(dtype) / 8); }

void check_source_layout(const SourceLayout& layout, const std::vector<uint64_t>& tensor_bytes,
                         const std::string& source) {
  std::vector<bool> seen(tensor_bytes.size(), false);
  uint64_t size = 0;
  for (const SourceSegment& s : layout.segments) {
    if (s.is_tensor) {
      if (s.tensor >= tensor_bytes.size() || seen[s.tensor]) {
        throw InputError(source + ": source layout: tensor " + std::to_string(s.tensor) +
                         (s.tensor >= tensor_bytes.size() ? " does not exist" : " appears twice"));
      }
      seen[s.tensor] = true;
      size += tensor_bytes[s.tensor];
    } else {
      size += s.bytes.size();
    }
  }
  for (size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) throw InputError(source + ": source layout: tensor " + std::to_string(i) + " is missing");
  }
  if (size != layout.file_size) {
    throw InputError(source + ": source layout: the segments add up to " + std::to_string(size) + " bytes, not " +
                     std::to_string(layout.file_size));
  }
}

}  // namespace ws::golden
