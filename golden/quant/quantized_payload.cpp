#include "golden/quant/quantized_payload.hpp"

#include "golden/common/error.hpp"
#include "golden/quant/index_coding.hpp"

namespace ws::golden {
namespace {

uint64_t packed_bytes(uint64_t count, int width) { return (count * static_cast<uint64_t>(width) + 7) / 8; }

// Packs values LSB first, value i at width_of(i) bits, padded to a whole byte.
template <typename Width>
void pack(std::vector<uint8_t>& out, std::span<const uint32_t> values, Width width_of) {
  uint64_t bits = 0;
  for (size_t i = 0; i < values.size(); ++i) bits += static_cast<uint64_t>(width_of(i));
  const size_t start = out.size();
  out.resize(start + (bits + 7) / 8, 0);
  uint64_t bit = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    for (int b = 0; b < width_of(i); ++b, ++bit) {
      if ((values[i] >> b) & 1u) out[start + bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
    }
  }
}
void pack(std::vector<uint8_t>& out, std::span<const uint32_t> values, int width) {
  pack(out, values, [width](size_t) { return width; });
}

// Reads count values from the start of `bytes`, value i width_of(i) bits wide; returns the bytes used.
template <typename Width>
uint64_t unpack(std::span<const uint8_t> bytes, std::vector<uint32_t>& values, uint64_t count, Width width_of,
                const std::string& what) {
  values.assign(count, 0);
  uint64_t bit = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    for (int b = 0; b < width_of(i); ++b, ++bit) values[i] |= uint32_t{(bytes[bit / 8] >> (bit % 8)) & 1u} << b;
  }
  if (bit % 8 != 0 && (bytes[bit / 8] >> (bit % 8)) != 0) throw InputError(what + ": padding bits are not zero");
  return (bit + 7) / 8;
}
uint64_t unpack(std::span<const uint8_t> bytes, std::vector<uint32_t>& values, uint64_t count, int width,
                const std::string& what) {
  return unpack(
      bytes, values, count, [width](size_t) { return width; }, what);
}

bool mixed(const QuantizedTensor& q) { return q.code_kind == CodeKind::MixedSignedInt; }

}  // namespace

uint64_t quantized_payload_bytes(const QuantizedTensor& q) {
  // Fields from a file may be anything: a size beyond 2^62 bytes stands for "too large".
  constexpr double kTooLarge = 0x1p62;
  if (static_cast<double>(q.rows) * static_cast<double>(q.cols) > kTooLarge ||
      (static_cast<double>(q.rows) + static_cast<double>(q.cols)) * q.group > kTooLarge) {
    return uint64_t{1} << 62;
  }
  const uint64_t scales = static_cast<uint64_t>(q.scale_count());
  uint64_t bytes = (static_cast<uint64_t>(q.code_bits_total()) + 7) / 8 + packed_bytes(scales, q.scale_bits()) +
                   (q.has_zero_point ? packed_bytes(scales, q.code_bits) : 0);
  if (q.code_kind == CodeKind::Codebook) {
    bytes += packed_bytes(q.outlier_index.size(), QuantizedTensor::order_bits(q.size())) +
             packed_bytes(q.outlier_value.size(), 16) +
             packed_bytes(q.codebooks > 1 ? static_cast<uint64_t>(q.library_groups()) : 0, q.codebook_bits());
  }
  if (mixed(q)) {
    bytes += packed_bytes(static_cast<uint64_t>(q.rows), QuantizedTensor::order_bits(q.rows)) +
             packed_bytes(static_cast<uint64_t>(q.cols), QuantizedTensor::order_bits(q.cols));
  }
  return bytes;
}

std::vector<uint8_t> pack_quantized(const QuantizedTensor& q) {
  std::vector<uint8_t> out;
  if (q.index_table_log != 0) {  // codebook indices, tANS-coded as the method measured them
    const CodedIndices coded = code_indices_at(q.codes, q.group, q.index_table_log);
    if (coded.table.size() != q.index_table_bytes || coded.lane.size() != q.index_lane_bytes) {
      throw Error(ErrorCode::Internal, "codebook indices do not code to the sizes their tensor records");
    }
    out.insert(out.end(), coded.table.begin(), coded.table.end());
    out.insert(out.end(), coded.lane.begin(), coded.lane.end());
  } else {
    pack(out, q.codes, [&q](size_t i) { return q.code_width(static_cast<int64_t>(i)); });
  }
  pack(out, q.scales, q.scale_bits());
  if (q.has_zero_point) pack(out, q.zero_points, q.code_bits);
  if (q.code_kind == CodeKind::Codebook) {
    pack(out, q.outlier_index, QuantizedTensor::order_bits(q.size()));
    pack(out, q.outlier_value, 16);
    pack(out, q.group_codebook, q.codebook_bits());
  }
  if (mixed(q)) {
    pack(out, q.row_order, QuantizedTensor::order_bits(q.rows));
    pack(out, q.col_order, QuantizedTensor::order_bits(q.cols));
  }
  return out;
}

void unpack_quantized(std::span<const uint8_t> payload, QuantizedTensor& q, const std::string& source) {
  if (payload.size() != quantized_payload_bytes(q)) {
    throw InputError(source + ": payload of " + std::to_string(payload.size()) + " bytes, the fields need " +
                     std::to_string(quantized_payload_bytes(q)));
  }
  const uint64_t groups = static_cast<uint64_t>(q.scale_count());
  uint64_t at = 0;
  if (q.index_table_log != 0) {
    q.codes = decode_indices(q.index_table_log, payload.subspan(0, q.index_table_bytes),
                             payload.subspan(q.index_table_bytes, q.index_lane_bytes), q.group,
                             static_cast<uint64_t>(q.code_count()), source);
    at = q.index_table_bytes + q.index_lane_bytes;
  } else {
    at = unpack(
        payload, q.codes, static_cast<uint64_t>(q.code_count()),
        [&q](size_t i) { return q.code_width(static_cast<int64_t>(i)); }, source + ": codes");
  }
  at += unpack(payload.subspan(at), q.scales, groups, q.scale_bits(), source + ": scales");
  if (q.has_zero_point) {
    at += unpack(payload.subspan(at), q.zero_points, groups, q.code_bits, source + ": zero points");
  } else {
    q.zero_points.clear();
  }
  if (q.code_kind == CodeKind::Codebook) {  // the directory gave the outlier count: the vectors' sizes
    const uint64_t outliers = q.outlier_index.size();
    at += unpack(payload.subspan(at), q.outlier_index, outliers, QuantizedTensor::order_bits(q.size()),
                 source + ": outlier positions");
    at += unpack(payload.subspan(at), q.outlier_value, outliers, 16, source + ": outlier values");
    at += unpack(payload.subspan(at), q.group_codebook, q.codebooks > 1 ? static_cast<uint64_t>(q.library_groups()) : 0,
                 q.codebook_bits(), source + ": codebook choices");
  }
  if (mixed(q)) {
    at += unpack(payload.subspan(at), q.row_order, static_cast<uint64_t>(q.rows), QuantizedTensor::order_bits(q.rows),
                 source + ": row order");
    unpack(payload.subspan(at), q.col_order, static_cast<uint64_t>(q.cols), QuantizedTensor::order_bits(q.cols),
           source + ": column order");
  }
  check_quantized(q, source);
}

}  // namespace ws::golden
