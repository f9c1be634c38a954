#include "golden/model/tensor.hpp"

#include <bit>

#include "golden/formats/float_format.hpp"

namespace ws::golden {

int dtype_bits(DType t) { return t == DType::F32 ? 32 : 16; }

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
  }
  return "?";
}

float pattern_to_float(DType dtype, uint32_t pattern) {
  switch (dtype) {
    case DType::F32: return std::bit_cast<float>(pattern);
    case DType::BF16: return std::bit_cast<float>(pattern << 16);
    case DType::F16: return to_float(Fp16::decode(pattern));
  }
  return 0;
}

std::vector<float> Tensor::to_floats() const {
  std::vector<float> out(bits.size());
  for (size_t i = 0; i < bits.size(); ++i) out[i] = pattern_to_float(dtype, bits[i]);
  return out;
}

int64_t element_count(const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && count > INT64_MAX / d)) throw std::overflow_error("tensor shape overflows");
    count *= d;
  }
  return count;
}

namespace {

template <class Format>
Tensor narrowed(const Tensor& t, DType dtype) {
  if (t.dtype != DType::F32) return t;
  Tensor out{t.name, dtype, t.shape, std::vector<uint32_t>(t.bits.size())};
  for (size_t i = 0; i < t.bits.size(); ++i) out.bits[i] = Format::encode(Fp32::decode(t.bits[i]));
  return out;
}

}  // namespace

Tensor to_bf16(const Tensor& t) { return narrowed<Bf16>(t, DType::BF16); }
Tensor to_fp16(const Tensor& t) { return narrowed<Fp16>(t, DType::F16); }

std::vector<uint8_t> tensor_bytes(const Tensor& t) {
  const int width = dtype_bits(t.dtype) / 8;
  std::vector<uint8_t> bytes(t.bits.size() * static_cast<size_t>(width));
  for (size_t i = 0; i < t.bits.size(); ++i) {
    for (int b = 0; b < width; ++b) bytes[i * static_cast<size_t>(width) + static_cast<size_t>(b)] = static_cast<uint8_t>(t.bits[i] >> (8 * b));
  }
  return bytes;
}

}  // namespace ws::golden
