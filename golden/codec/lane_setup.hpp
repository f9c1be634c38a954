// What a hardware ANS decoder needs to decode one tensor of a .wsc container:
// its configuration registers, the decode table in the hardware word layout,
// and each lane's stream as 32-bit words. Generated here, from the golden
// tables, for the hls model, the RTL and the vector files alike; the
// registers and the table word are the hardware contract's
// (golden/contract/hw_contract.json, docs/FORMAT.md 12.1).
//
// decode_tensor_setup() is golden's reading of such a setup, step for step
// what a hardware lane does (table lookup, raw field, state bits) and with
// the same end-of-stream checks: the oracle for the hardware on any stream,
// damaged ones included.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "golden/codec/lossless_codec.hpp"
#include "golden/contract/ans_ports.hpp"

namespace ws::golden {

struct LaneSetup {
  uint64_t count = 0;                // symbols of this lane
  uint64_t stream_bytes = 0;
  std::vector<uint32_t> words;       // the stream, 32-bit little-endian words, the last zero-padded
};

struct TensorSetup {
  int hardware_width = 16;           // W, the decoder's PatternWidth
  contract::AnsCfg cfg;              // the configuration registers
  std::vector<uint64_t> table;       // 2^table_log hardware table words
  std::vector<LaneSetup> lanes;
};

// Throws std::invalid_argument when the tensor's patterns are wider than W.
TensorSetup tensor_setup(const EncodedTensor& t, const TansTable& table, int hardware_width);

// Golden's decode of a setup, lane by lane as the hardware reads it. A lane
// that fails stops with the hardware's error code (reading past its last
// word, a final state other than 0, a REPEAT with nothing to repeat) and
// keeps the words decoded before the failure.
struct SetupDecode {
  std::vector<uint32_t> weights;                  // weight r*K + k = lane k's r-th word, 0 past a failure
  std::vector<contract::LaneError> lane_errors;   // per lane
  std::vector<uint64_t> lane_decoded;             // words each lane decoded

  bool ok() const;
};
SetupDecode decode_tensor_setup(const TensorSetup& setup);

}  // namespace ws::golden
