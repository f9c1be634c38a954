// A quantised tensor's payload in a .wsc container (docs/FORMAT.md 9.3): its
// codes, then its group scales, then its zero points (when it has them), each
// part packed LSB-first at its own width (code_bits, scale_bits, code_bits)
// and padded with zero bits to a whole byte. The other fields live in the
// container's directory.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "golden/quant/quantized_tensor.hpp"

namespace ws::golden {

// The payload's size from the fields alone (rows, cols, group, widths).
uint64_t quantized_payload_bytes(const QuantizedTensor& fields);

std::vector<uint8_t> pack_quantized(const QuantizedTensor& q);

// Fills q's codes, scales and zero points from a payload of exactly
// quantized_payload_bytes(q) bytes; throws InputError naming `source`
// otherwise or when the padding bits are not zero.
void unpack_quantized(std::span<const uint8_t> payload, QuantizedTensor& q, const std::string& source);

}  // namespace ws::golden
