// What a hardware ANS decoder needs to decode one tensor of a .wsc container:
// its configuration registers, the decode table in the hardware word layout,
// and each lane's stream as 32-bit words. Generated here, from the golden
// tables, for the hls model, the RTL and the vector files alike.
//
// Hardware table word for state u, for a decoder of PatternWidth W (at least
// the tensor's pattern width P; table-log field 12 bits):
//   bits [W-2:0]        the symbol's bits in place in the output pattern
//                       (exponent and joint fraction bits; sign and low
//                       fraction bits 0); 0 for REPEAT
//   bits [W+2:W-1]      num_bits: state bits to read after the raw field
//   bits [W+14:W+3]     next_base: next state = next_base + those bits
//   bit  [W+15]         REPEAT
// A lane stream word holds stream bytes 4w..4w+3, little-endian, the last
// word zero-padded.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "golden/codec/lossless_codec.hpp"

namespace ws::golden {

inline constexpr int kHardwareTableLogMax = 12;

struct LaneSetup {
  uint64_t count = 0;                // symbols of this lane
  uint64_t stream_bytes = 0;
  std::vector<uint32_t> words;       // the stream, 32-bit little-endian words
};

struct TensorSetup {
  int hardware_width = 16;           // W, the decoder's PatternWidth
  int pattern_bits = 16;             // P, the tensor's: the sign goes to bit P-1
  int table_log = 0;                 // L
  int raw_bits = 0;                  // raw field of a normal symbol: sign + low fraction bits
  int low_bits = 0;                  // low fraction bits (the raw field without its sign)
  bool repeat = false;
  int repeat_raw_bits = 0;           // raw bits of a REPEAT symbol: W - repeat_bits
  uint64_t repeat_lane_distance = 0; // C / K
  std::vector<uint64_t> table;       // 2^L hardware table words
  std::vector<LaneSetup> lanes;

  static int table_word_bits(int hardware_width) { return hardware_width + 16; }
};

// Throws std::invalid_argument when the tensor's patterns are wider than W.
TensorSetup tensor_setup(const EncodedTensor& t, const TansTable& table, int hardware_width);

}  // namespace ws::golden
