// The software fast path of the lossless decoder, for host-side decoding at
// memory speed. Same streams and same checks as decode_lossless (the
// hardware-shaped reference it is tested against), restructured for a CPU:
//  - one table word per state holds everything a step needs: the symbol's
//    bits already placed in the output pattern, the raw-field width, the
//    number of state bits and the next-state base (raw field and state bits
//    are adjacent in the stream, so one 64-bit load serves both);
//  - all lanes of a tensor advance together, so their dependency chains
//    overlap in the CPU pipeline.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "golden/codec/lossless_codec.hpp"

namespace ws::golden {

class FastDecodeTable {
 public:
  FastDecodeTable(const TansTable& table, const EncodedTensor& layout_of);

  struct Step {
    uint32_t pattern_high;  // symbol bits in place; 0 for REPEAT
    uint16_t next_base;
    uint8_t raw_bits;       // raw field, or the bits below repeat_bits for REPEAT
    uint8_t state_bits;
    uint8_t total_bits;     // raw_bits + state_bits
    bool repeat;
  };
  const std::vector<Step>& steps() const { return steps_; }

 private:
  std::vector<Step> steps_;
};

// Decodes tensor `t` into `out` (t.count little-endian words of the dtype's
// width: 2 bytes for F16/BF16, 4 for F32). Throws InputError like
// decode_lossless.
void fast_decode(const EncodedTensor& t, const FastDecodeTable& table, std::span<uint8_t> out,
                 const std::string& source);

}  // namespace ws::golden
