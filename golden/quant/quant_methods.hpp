// Every weight quantiser of the golden library behind one name-keyed entry
// point, for the command line (encode --method) and for tests that loop over
// methods. A method returns the stored form and its own reconstruction of
// the weights, computed along its own path; dequantize() of the stored form
// must give the same fp32 bits, which is how a packing or rounding slip in a
// method shows up.
//
// Methods: rtn-sym, rtn-asym and gptq (integer codes, --bits 2..8, --group
// 1 or more); mxfp8-e4m3, mxfp8-e5m2, mxfp6-e3m2, mxfp6-e2m3, mxfp4, mxint8
// (OCP MX, blocks of 32) and nvfp4 (blocks of 16): these fix both the bits
// and the block, and ignore bits and group of the request; dbf (double
// binary factorisation at a fractional target_bits per weight) and onebit (a
// single binary factor), binary_factors.hpp, which weigh columns by the
// Hessian's diagonal when given one. A row whose length
// is not a multiple of the group ends in a shorter group (quantized_tensor.hpp),
// which every method quantises as any other: nothing is padded.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "golden/quant/quantized_tensor.hpp"

namespace ws::golden {

struct QuantRequest {
  std::string method;
  int bits = 4;            // integer methods only
  int group = 32;          // integer methods only
  bool act_order = false;  // gptq only
  double target_bits = 0;  // dbf and sfmp: the fractional target
  // codebook: the floor every row meets ("cos=0.999", "sqnr=30dB") and
  // PATTERN=FLOOR overrides by tensor name (the first match wins).
  std::string quality{};
  std::vector<std::string> quality_for{};
};

struct QuantResult {
  QuantizedTensor stored;
  std::vector<float> dequantized;  // the method's own reconstruction, computed by its own path
};

struct MethodInfo {
  std::string_view name;
  std::string_view description;
  int fixed_bits;      // code bits of a block format; 0 when --bits applies
  bool needs_hessian;  // gptq: the caller passes H = 2 X^T X (see gptq.hpp)
  int default_group;   // for a block format (fixed_bits != 0) its block, which --group does not change; 0: none
  bool fractional_bits = false;  // dbf, sfmp: --bits is a fractional target, not a code width
  bool quality_first = false;    // codebook: takes --quality, not --bits
};

// Whether `--bits` value b applies to a method: whole 2..8 for the integer
// methods, (0, 4] bits per weight for dbf, [2, 8] average code bits for sfmp;
// never for a method whose bits are fixed.
bool accepts_bits(const MethodInfo& method, double b);

std::span<const MethodInfo> quant_methods();
const MethodInfo* find_quant_method(std::string_view name);
std::string known_quant_method_names();  // comma-separated, for error messages

// Quantises a row-major rows x cols fp32 matrix (a row is one output
// channel). Throws std::invalid_argument, with a message saying what is
// wrong, for an unknown method, bits out of 2..8, a group below 1, a size
// mismatch, a non-finite weight, act_order on a method other than gptq, or a
// missing or malformed Hessian for gptq (dbf and onebit take one or none), a
// dbf target that cannot hold the matrix's scales.
QuantResult quantize(const QuantRequest& request, std::span<const float> weights, int64_t rows, int64_t cols,
                     const std::vector<double>* hessian /* required for gptq, else ignored */);

// The argument checks every method starts with (std::invalid_argument
// naming the method): rows, cols > 0, weights.size() == rows * cols, every
// weight finite, group > 0.
void check_quant_input(std::string_view method, std::span<const float> weights, int64_t rows, int64_t cols, int group);
// The diagonal H_jj of a layer's Hessian (cols x cols), 1 for every column
// without one: the column importance of dbf, onebit, sfmp and codebook.
// Throws std::invalid_argument naming the method for a Hessian of another size.
std::vector<double> hessian_diagonal(std::string_view method, const std::vector<double>* hessian, int64_t cols);
// Integer methods: bits in 2..8.
void check_int_bits(std::string_view method, int bits);

}  // namespace ws::golden
