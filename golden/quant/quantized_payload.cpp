#include "golden/quant/quantized_payload.hpp"

#include "golden/common/error.hpp"

namespace ws::golden {
namespace {

uint64_t packed_bytes(uint64_t count, int width) { return (count * static_cast<uint64_t>(width) + 7) / 8; }

void pack(std::vector<uint8_t>& out, std::span<const uint32_t> values, int width) {
  const size_t start = out.size();
  out.resize(start + packed_bytes(values.size(), width), 0);
  uint64_t bit = 0;
  for (uint32_t v : values) {
    for (int b = 0; b < width; ++b, ++bit) {
      if ((v >> b) & 1u) out[start + bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
    }
  }
}

// Reads count values of `width` bits from the start of `bytes`; returns the bytes used.
uint64_t unpack(std::span<const uint8_t> bytes, std::vector<uint32_t>& values, uint64_t count, int width,
                const std::string& what) {
  const uint64_t used = packed_bytes(count, width);
  values.assign(count, 0);
  uint64_t bit = 0;
  for (uint32_t& v : values) {
    for (int b = 0; b < width; ++b, ++bit) v |= uint32_t{(bytes[bit / 8] >> (bit % 8)) & 1u} << b;
  }
  if (bit % 8 != 0 && (bytes[bit / 8] >> (bit % 8)) != 0) throw InputError(what + ": padding bits are not zero");
  return used;
}

}  // namespace

uint64_t quantized_payload_bytes(const QuantizedTensor& q) {
  // Fields from a file may be anything: a size beyond 2^62 bytes stands for "too large".
  constexpr double kTooLarge = 0x1p62;
  if (static_cast<double>(q.rows) * static_cast<double>(q.cols) > kTooLarge ||
      (static_cast<double>(q.rows) + static_cast<double>(q.cols)) * q.group > kTooLarge) {
    return uint64_t{1} << 62;
  }
  const uint64_t codes = static_cast<uint64_t>(q.code_count()), scales = static_cast<uint64_t>(q.scale_count());
  return packed_bytes(codes, q.code_bits) + packed_bytes(scales, q.scale_bits()) +
         (q.has_zero_point ? packed_bytes(scales, q.code_bits) : 0);
}

std::vector<uint8_t> pack_quantized(const QuantizedTensor& q) {
  std::vector<uint8_t> out;
  pack(out, q.codes, q.code_bits);
  pack(out, q.scales, q.scale_bits());
  if (q.has_zero_point) pack(out, q.zero_points, q.code_bits);
  return out;
}

void unpack_quantized(std::span<const uint8_t> payload, QuantizedTensor& q, const std::string& source) {
  if (payload.size() != quantized_payload_bytes(q)) {
    throw InputError(source + ": payload of " + std::to_string(payload.size()) + " bytes, the fields need " +
                     std::to_string(quantized_payload_bytes(q)));
  }
  const uint64_t groups = static_cast<uint64_t>(q.scale_count());
  uint64_t at = unpack(payload, q.codes, static_cast<uint64_t>(q.code_count()), q.code_bits, source + ": codes");
  at += unpack(payload.subspan(at), q.scales, groups, q.scale_bits(), source + ": scales");
  if (q.has_zero_point) {
    unpack(payload.subspan(at), q.zero_points, groups, q.code_bits, source + ": zero points");
  } else {
    q.zero_points.clear();
  }
  check_quantized(q, source);
}

}  // namespace ws::golden
