// A named tensor of fp32 weights as read from a model file.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ws::golden {

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;  // row-major, outermost first
  std::vector<float> values;
};

// Bad or unreadable input: the message names the file and, where it applies,
// the tensor and byte offset. The command line maps it to exit code 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ws::golden
