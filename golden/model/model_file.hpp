// A model file of any supported kind, recognised by its content rather than
// its name: safetensors if the first 8 bytes, read as a little-endian u64
// header length, are less than the file size and byte 8 is '{'; otherwise a
// llama2.c checkpoint. Whichever reader runs validates the whole file, so a
// file that passes the cheap test but is corrupt still fails with InputError.
#pragma once

#include <string>
#include <vector>

#include "golden/model/tensor.hpp"

namespace ws::golden {

struct Model {
  std::string path;
  std::string kind;  // "safetensors" or "llama2c"
  std::vector<Tensor> tensors;
};

// Throws InputError for an unreadable, unrecognised or corrupt file.
Model load_model(const std::string& path);

}  // namespace ws::golden
