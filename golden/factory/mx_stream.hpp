// MXFP4 weights as the token factory reads them (docs/FORMAT.md 17.5): E2M1
// codes with one E8M0 scale per block of `block` weights along a row (the
// last block of a row may be short; golden/quant/quantized_tensor.hpp). The
// card's MX source makes beats that never cross a block: a block of c
// weights is ceil(c / K) beats of up to K weights. The code stream holds one
// 32-bit word per beat (code k in bits [4k, 4k + 4), unused nibbles 0); the
// scale stream holds the blocks' scales, four to a 32-bit word, the first in
// the low byte. Each weight reaches the slots as the bf16 pattern of
// code value times 2^(scale - 127) (mx_weight_bf16): exact inside the
// factory's window, 0 below it, NaN (an operand error) above it or for the
// NaN scale 0xFF.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "golden/factory/factory_job.hpp"
#include "golden/quant/quantized_tensor.hpp"

namespace ws::golden::factory {

inline constexpr uint16_t kNanBf16 = 0x7FC0;

uint16_t mx_weight_bf16(uint32_t code, uint32_t scale);

// The beats of one row: (first column, weights) in order.
struct Beat {
  uint32_t col = 0, count = 0;
};
std::vector<Beat> mx_row_beats(uint32_t cols, uint32_t block, int lanes);

struct MxStreams {
  std::vector<uint32_t> codes;   // one word per beat
  std::vector<uint32_t> scales;  // four scales a word
  std::vector<uint16_t> weights; // every weight's bf16 pattern, row-major (golden's reading)
};
// Throws std::invalid_argument unless q is E2M1 with E8M0 scales.
MxStreams mx_streams(const QuantizedTensor& q, int lanes);

// Golden's reading of the two streams (what the card's MX source does):
// every weight's bf16 pattern, row-major. Returns false when a stream is too
// short for rows x cols.
bool mx_read_streams(std::span<const uint32_t> codes, std::span<const uint32_t> scales, uint32_t rows, uint32_t cols,
                     uint32_t block, int lanes, std::vector<uint16_t>& weights);

// golden_factory_run for MX beats: results[r * slots + b]; false on an operand error.
bool golden_mx_factory_run(std::span<const uint16_t> weights, const FactoryJob& job, const ActivationImage& image,
                           std::vector<uint32_t>& results);

// The activation banks for MX beats: lane k's word at address a holds column
// beats[a].col + k (0 past the beat's weights); the period is the beats of a row.
ActivationImage mx_activation_image(std::span<const uint16_t> x, uint32_t cols, uint32_t block, int lanes, int slots,
                                    int built_slots);

}  // namespace ws::golden::factory
