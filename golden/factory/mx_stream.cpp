#include "golden/factory/mx_stream.hpp"

#include <cmath>
#include <stdexcept>

#include "golden/formats/float_format.hpp"

namespace ws::golden::factory {

uint16_t mx_weight_bf16(uint32_t code, uint32_t scale) {
  if (scale == 0xFF) return kNanBf16;
  const bool negative = (code >> 3) & 1;
  const uint32_t e = (code >> 1) & 3, m = code & 1;
  const uint16_t sign = negative ? 0x8000 : 0;
  if (e == 0 && m == 0) return sign;
  // |value| = 1.f x 2^exponent, f one bit.
  const int exponent = (e == 0 ? -1 : static_cast<int>(e) - 1) + static_cast<int>(scale) - 127;
  const uint32_t fraction = e == 0 ? 0 : m;
  if (exponent < kExpMin) return sign;
  if (exponent >= kExpMax) return kNanBf16;
  return static_cast<uint16_t>(sign | static_cast<uint32_t>(exponent + 127) << 7 | fraction << 6);
}

std::vector<Beat> mx_row_beats(uint32_t cols, uint32_t block, int lanes) {
  std::vector<Beat> beats;
  for (uint32_t start = 0; start < cols; start += block) {
    const uint32_t end = std::min(cols, start + block);
    for (uint32_t col = start; col < end; col += static_cast<uint32_t>(lanes)) {
      beats.push_back({col, std::min(end - col, static_cast<uint32_t>(lanes))});
    }
  }
  return beats;
}

MxStreams mx_streams(const QuantizedTensor& q, int lanes) {
  if (q.code_kind != CodeKind::Float || q.element_format != "e2m1" || q.scale_kind != ScaleKind::E8M0 ||
      q.has_tensor_scale) {
    throw std::invalid_argument(q.method + ": the token factory's MX source reads E2M1 codes with E8M0 scales");
  }
  MxStreams s;
  const auto cols = static_cast<uint32_t>(q.cols), block = static_cast<uint32_t>(q.group);
  const std::vector<Beat> beats = mx_row_beats(cols, block, lanes);
  for (int64_t r = 0; r < q.rows; ++r) {
    for (const Beat& beat : beats) {
      uint32_t word = 0;
      for (uint32_t k = 0; k < beat.count; ++k) {
        word |= (q.codes[static_cast<size_t>(r * q.cols + beat.col + k)] & 0xF) << (4 * k);
      }
      s.codes.push_back(word);
    }
  }
  for (size_t g = 0; g < q.scales.size(); ++g) {
    if (g % 4 == 0) s.scales.push_back(0);
    s.scales.back() |= (q.scales[g] & 0xFF) << (8 * (g % 4));
  }
  s.weights.resize(q.codes.size());
  for (int64_t i = 0; i < q.size(); ++i) {
    s.weights[i] = mx_weight_bf16(q.codes[i], q.scales[q.group_of(i)]);
  }
  return s;
}

bool mx_read_streams(std::span<const uint32_t> codes, std::span<const uint32_t> scales, uint32_t rows, uint32_t cols,
                     uint32_t block, int lanes, std::vector<uint16_t>& weights) {
  const std::vector<Beat> beats = mx_row_beats(cols, block, lanes);
  weights.assign(static_cast<size_t>(rows) * cols, 0);
  size_t code = 0, scale = 0;
  for (uint32_t r = 0; r < rows; ++r) {
    uint32_t block_scale = 0;
    for (const Beat& beat : beats) {
      if (code >= codes.size()) return false;
      if (beat.col % block == 0) {  // a block starts: its scale is the next byte
        if (scale / 4 >= scales.size()) return false;
        block_scale = (scales[scale / 4] >> (8 * (scale % 4))) & 0xFF;
        ++scale;
      }
      for (uint32_t k = 0; k < beat.count; ++k) {
        weights[static_cast<size_t>(r) * cols + beat.col + k] = mx_weight_bf16(codes[code] >> (4 * k), block_scale);
      }
      ++code;
    }
  }
  return true;
}

bool golden_mx_factory_run(std::span<const uint16_t> weights, const FactoryJob& job, const ActivationImage& image,
                           std::vector<uint32_t>& results) {
  const std::vector<Beat> beats = mx_row_beats(job.cols, job.block, static_cast<int>(image.lanes()));
  results.assign(static_cast<size_t>(job.rows) * job.slots, 0);
  bool error = false;
  for (uint32_t b = 0; b < job.slots; ++b) {
    for (uint32_t r = 0; r < job.rows; ++r) {
      Accumulator acc = 0;
      for (uint32_t a = 0; a < beats.size(); ++a) {
        for (uint32_t k = 0; k < beats[a].count; ++k) {
          const uint16_t w = weights[static_cast<size_t>(r) * job.cols + beats[a].col + k];
          acc += product(w, image.word(k, a)[b], error);
        }
      }
      results[static_cast<size_t>(r) * job.slots + b] = round_to_fp32(acc);
    }
  }
  return !error;
}

ActivationImage mx_activation_image(std::span<const uint16_t> x, uint32_t cols, uint32_t block, int lanes, int slots,
                                    int built_slots) {
  const std::vector<Beat> beats = mx_row_beats(cols, block, lanes);
  std::vector<uint16_t> words(static_cast<size_t>(lanes) * beats.size() * built_slots, 0);
  for (int k = 0; k < lanes; ++k) {
    for (size_t a = 0; a < beats.size(); ++a) {
      if (static_cast<uint32_t>(k) >= beats[a].count) continue;
      for (int b = 0; b < slots; ++b) {
        words[(k * beats.size() + a) * built_slots + b] = x[static_cast<size_t>(b) * cols + beats[a].col + k];
      }
    }
  }
  return ActivationImage(std::move(words), static_cast<uint32_t>(lanes), static_cast<uint32_t>(beats.size()),
                         built_slots);
}

}  // namespace ws::golden::factory
