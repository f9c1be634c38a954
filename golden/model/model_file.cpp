#include "golden/model/model_file.hpp"

#include "golden/io/file_io.hpp"
#include "golden/model/llama2c_reader.hpp"
#include "golden/model/safetensors.hpp"

namespace ws::golden {

Model load_model(const std::string& path) {
  const FileHead head = read_file_head(path, kSafetensorsSignatureBytes);
  if (looks_like_safetensors(head.bytes, head.file_size)) return {path, "safetensors", read_safetensors(path)};
  return {path, "llama2c", read_llama2c(path).tensors};
}

}  // namespace ws::golden
