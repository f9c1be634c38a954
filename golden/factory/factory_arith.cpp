#include "golden/factory/factory_arith.hpp"

#include <stdexcept>

#include "golden/formats/float_format.hpp"

namespace ws::golden::factory {

Operand decode_operand(uint16_t bf16) {
  Operand op;
  op.negative = (bf16 >> 15) != 0;
  const int biased = (bf16 >> 7) & 0xFF;
  if (biased == 0xFF) {
    op.error = true;
    return op;
  }
  const int exponent = biased - 127;
  if (biased == 0 || exponent < kExpMin) return op;  // zero, subnormal or below the window: 0
  if (exponent >= kExpMax) {
    op.error = true;
    return op;
  }
  op.sig = 0x80u | (bf16 & 0x7Fu);
  op.shift = exponent - kExpMin;
  return op;
}

Accumulator product(uint16_t weight, uint16_t activation, bool& error) {
  const Operand w = decode_operand(weight), a = decode_operand(activation);
  if (w.error || a.error) {
    error = true;
    return 0;
  }
  const Accumulator magnitude = static_cast<Accumulator>(w.sig * a.sig) << (w.shift + a.shift);
  return w.negative != a.negative ? -magnitude : magnitude;
}

uint32_t round_to_fp32(Accumulator acc) {
  if (acc == 0) return 0;
  const uint32_t sign = acc < 0 ? 0x80000000u : 0u;
  unsigned __int128 m = acc < 0 ? static_cast<unsigned __int128>(-acc) : static_cast<unsigned __int128>(acc);
  int top = 127;
  while (((m >> top) & 1) == 0) --top;
  if (top > 23) {
    const int drop = top - 23;
    const unsigned __int128 rest = m & ((static_cast<unsigned __int128>(1) << drop) - 1);
    const unsigned __int128 half = static_cast<unsigned __int128>(1) << (drop - 1);
    m >>= drop;
    if (rest > half || (rest == half && (m & 1) != 0)) ++m;
    if (m >> 24) {  // the rounding carried into a new bit
      m >>= 1;
      ++top;
    }
  } else {
    m <<= 23 - top;
  }
  const int exponent = top + kAccLsbExponent;  // of the leading bit
  return sign | static_cast<uint32_t>(exponent + 127) << 23 | (static_cast<uint32_t>(m) & 0x7FFFFFu);
}

std::vector<uint16_t> to_bf16_activations(std::span<const float> x) {
  std::vector<uint16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = static_cast<uint16_t>(Bf16::encode(static_cast<double>(x[i])));
  return out;
}

bool matvec(std::span<const uint16_t> weights, int64_t rows, int64_t cols, std::span<const uint16_t> activations,
            int batch, std::span<uint32_t> out) {
  if (cols < 1 || cols >= (int64_t{1} << contract::kFactoryColBits)) {
    throw std::invalid_argument("token factory: a row must have 1 .. 2^FactoryColBits - 1 weights");
  }
  bool error = false;
  for (int b = 0; b < batch; ++b) {
    const uint16_t* x = activations.data() + static_cast<int64_t>(b) * cols;
    for (int64_t i = 0; i < rows; ++i) {
      Accumulator acc = 0;
      for (int64_t j = 0; j < cols; ++j) acc += product(weights[i * cols + j], x[j], error);
      out[static_cast<int64_t>(b) * rows + i] = round_to_fp32(acc);
    }
  }
  return !error;
}

}  // namespace ws::golden::factory
