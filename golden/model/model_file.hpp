// A model file of any supported kind, recognised by its structure rather than
// its name: GGUF when it opens with "GGUF"; a llama2.c checkpoint when its seven int32 header fields describe
// a plausible model; otherwise safetensors when byte 8 opens its JSON header
// ('{'), whatever the length field says (the reader then says what is wrong
// with it); anything else is refused as neither. Whichever reader runs
// validates the whole file, so a file that passes the cheap test but is
// corrupt still fails with InputError.
#pragma once

#include <string>
#include <vector>

#include "golden/model/source_layout.hpp"
#include "golden/model/tensor.hpp"

namespace ws::golden {

// A tensor of the file that is not coded but kept in the layout's verbatim
// bytes (GGUF's quantised blocks and other types).
struct VerbatimTensor {
  std::string name;
  std::string type;            // as the file's format names it ("Q8_0")
  std::vector<int64_t> shape;  // outermost first
};

struct Model {
  std::string path;
  std::string kind;  // "safetensors", "llama2c" or "gguf"
  std::vector<Tensor> tensors;
  SourceLayout layout;  // the file around its tensors, to rebuild it byte for byte
  std::vector<VerbatimTensor> verbatim;
};

// Throws InputError for an unreadable, unrecognised or corrupt file.
Model load_model(const std::string& path);

}  // namespace ws::golden
