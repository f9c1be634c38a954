// A named tensor as read from a model file: element type, shape and the bit
// pattern of every element.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "golden/common/error.hpp"

namespace ws::golden {

// Element types of model files. Values are stable: the container stores them.
enum class DType : uint8_t { F32 = 0, F16 = 1, BF16 = 2 };

int dtype_bits(DType t);
std::string_view dtype_name(DType t);  // "F32", "F16", "BF16" as safetensors spells them

struct Tensor {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;  // row-major, outermost first
  std::vector<uint32_t> bits;  // one pattern per element, right-aligned

  size_t size() const { return bits.size(); }
  std::vector<float> to_floats() const;  // exact for every dtype
  friend bool operator==(const Tensor&, const Tensor&) = default;
};

// The value of one pattern of a dtype (exact: every dtype's values are floats).
float pattern_to_float(DType dtype, uint32_t pattern);

// A tensor's data as a file holds it: each pattern little-endian, in the dtype's bytes.
std::vector<uint8_t> tensor_bytes(const Tensor& t);

// Element count of a shape; throws InputError-free std::overflow_error on overflow.
int64_t element_count(const std::vector<int64_t>& shape);

// fp32 tensor rounded to bf16 or fp16, nearest even (NaN stays NaN; fp16
// overflows to inf). Other dtypes unchanged.
Tensor to_bf16(const Tensor& t);
Tensor to_fp16(const Tensor& t);

}  // namespace ws::golden
