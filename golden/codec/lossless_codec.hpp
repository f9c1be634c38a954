// The lossless weight codec. Per tensor, weights are dealt to K lanes (weight
// i to lane i mod K); each lane is one self-contained tANS stream that its own
// hardware decoder reads. Per weight a lane stream holds the coded symbol and
// then the raw field (see field_layout.hpp and tans.hpp):
//   symbol < 2^symbol_bits   exponent (+ joint fraction bits); the raw field,
//                            raw_bits wide, follows in the stream
//   symbol = 2^symbol_bits   REPEAT (only when repeat_distance C > 0): the
//                            weight's top repeat_bits bits equal those of
//                            weight i - C; the bits below them follow raw
//                            (none when repeat_bits is the whole pattern)
// C is a multiple of K, so the repeated weight is in the same lane, C/K
// symbols earlier: a lane decodes without looking at other lanes.
//
// Per tensor the encoder picks, by the ideal coded size including the
// table's own bytes: the joint fraction bits (0..max_joint_bits), REPEAT off
// or on (C = the row length; repeat_bits the whole pattern or 4, 8, 12 or 16
// bits less, never fewer than sign and exponent), the table log (8..12
// unless fixed), and whether to reuse the table of an earlier tensor of the
// same layout.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "golden/codec/field_layout.hpp"
#include "golden/entropy/tans.hpp"
#include "golden/model/tensor.hpp"
#include "golden/quant/quantized_tensor.hpp"
#include "golden/vp/vp_table.hpp"

namespace ws::golden {

struct LosslessOptions {
  int lanes = 1;                    // K, 1..32
  int table_log = 0;                // 0: chosen per tensor from 8..max_table_log; else fixed 5..12
  int max_joint_bits = 0;           // fraction bits that may join the exponent in the symbol
  bool reuse_tables = true;         // a tensor may use an earlier tensor's table
  bool allow_repeat = true;         // the REPEAT symbol (weight equals the one a row above)
  int min_weights_per_lane = 1024;  // smaller tensors use fewer lanes
  int max_table_log = 12;           // 8..12: the largest a per-tensor choice takes (a table loads 2^log words)
};

struct EncodedTensor {
  std::string name;
  DType dtype = DType::BF16;
  std::vector<int64_t> shape;
  uint64_t count = 0;
  int joint_bits = 0;
  uint64_t repeat_distance = 0;        // C; 0: no REPEAT symbol
  int repeat_bits = 0;                 // top bits a REPEAT takes from weight i - C (0 without REPEAT)
  int table_log = 0;
  int table_source = -1;               // index of the earlier tensor whose table is used; -1: own table
  std::vector<uint8_t> table_bytes;    // the serialized table (empty when reused)
  std::vector<std::vector<uint8_t>> lane_streams;
  // Set when the tensor is stored quantised (docs/FORMAT.md 9.3) rather than
  // coded losslessly: then it has no table and no lanes, and its payload is
  // the packed codes, scales and zero points.
  std::optional<QuantizedTensor> quantized;
  // Set when the tensor is stored in the variable-precision type (docs/FORMAT.md
  // 16, codec 2): lanes and table as for lossless, the symbols the table's
  // (no joint bits, no REPEAT), each with its own raw width.
  std::optional<vp::VpTable> vp;

  FieldLayout layout() const { return FieldLayout::of(dtype, joint_bits); }
  size_t alphabet_size() const {
    if (vp) return vp->symbols.size();
    return (size_t{1} << layout().symbol_bits()) + (repeat_distance ? 1 : 0);
  }
  uint64_t payload_bytes() const;
};

// Statistics of a tensor against the bound "exponent entropy-coded, the rest raw".
struct TensorBound {
  double exponent_entropy_bits = 0;  // order-0 entropy of the exponent field, per weight
  double bound_bits = 0;             // count * (entropy + sign + fraction bits)
};
TensorBound tensor_bound(const Tensor& t);

// Encodes tensors in order; table reuse refers back into the same list.
// `progress`, when set, is called with the number of tensors done so far.
std::vector<EncodedTensor> encode_lossless(std::span<const Tensor> tensors, const LosslessOptions& options,
                                           const std::function<void(size_t)>& progress = {});

// The table each tensor's symbols are coded with (its own or the one it
// reuses; none for a quantised tensor). Throws InputError naming `source` and the tensor when a table
// cannot be read.
std::vector<std::shared_ptr<const TansTable>> build_tables(std::span<const EncodedTensor> tensors,
                                                           const std::string& source);

// Checks, before anything the size of the tensor is allocated, that the lane
// streams can hold as many weights as the directory declares: a lane with at
// least one stream bit a weight passes at once (its output is at most 32
// bytes a stream byte); a lane with fewer is decoded without keeping anything
// until its stream runs out. Throws InputError naming `source`, the tensor,
// the lane and how many weights the stream holds.
void check_lane_backing(const EncodedTensor& t, const TansTable& table, const std::string& source);

// Decodes one tensor (after check_lane_backing), lossless or variable-precision;
// throws InputError naming `source`, the tensor and the lane when a stream is
// inconsistent.
Tensor decode_lossless(const EncodedTensor& t, const TansTable& table, const std::string& source);

}  // namespace ws::golden
