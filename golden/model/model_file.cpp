#include "golden/model/model_file.hpp"

#include <algorithm>

#include "golden/io/file_io.hpp"
#include "golden/model/gguf.hpp"
#include "golden/model/llama2c_reader.hpp"
#include "golden/model/safetensors.hpp"

namespace ws::golden {

Model load_model(const std::string& path) {
  const FileHead head =
      read_file_head(path, std::max({kSafetensorsSignatureBytes, kLlama2cSignatureBytes, kGgufSignatureBytes}));
  if (looks_like_gguf(head.bytes)) {
    GgufFile f = read_gguf_file(path);
    Model m{path, "gguf", std::move(f.tensors), std::move(f.layout), {}};
    for (const GgufTensorEntry& e : f.entries) {
      if (!e.coded) m.verbatim.push_back({e.name, ggml_type_name(e.ggml_type), e.shape});
    }
    return m;
  }
  if (looks_like_llama2c(head.bytes)) {
    Llama2Model m = read_llama2c(path);
    return {path, "llama2c", std::move(m.tensors), std::move(m.layout), {}};
  }
  if (looks_like_safetensors(head.bytes)) {
    SafetensorsFile f = read_safetensors_file(path);
    return {path, "safetensors", std::move(f.tensors), std::move(f.layout), {}};
  }
  throw InputError(path + ": not a model file this tool reads: neither safetensors (a JSON header at offset 8), " +
                   "GGUF (the magic \"GGUF\") nor a llama2.c checkpoint (seven plausible int32 header fields)");
}

}  // namespace ws::golden
