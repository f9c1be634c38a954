#include "golden/entropy/table_codec.hpp"

#include <bit>

namespace ws::golden {
namespace {

// Truncated binary code of v in [0, m): the first u = 2^(k+1) - m values take
// k bits, the others k + 1 bits.
void write_truncated(BitWriter& out, uint32_t v, uint32_t m) {
  if (m <= 1) return;
  const int k = std::bit_width(m) - 1;
  const uint32_t u = (2u << k) - m;
  if (v < u) {
    out.write(v, k);
  } else {
    // The k+1 bit code of v + u, written most significant bit first so that
    // the reader can decide after k bits.
    const uint32_t code = v + u;
    out.write(code >> 1, k);
    out.write(code & 1, 1);
  }
}

uint32_t read_truncated(BitReader& in, uint32_t m) {
  if (m <= 1) return 0;
  const int k = std::bit_width(m) - 1;
  const uint32_t u = (2u << k) - m;
  const auto prefix = static_cast<uint32_t>(in.read(k));
  if (prefix < u) return prefix;
  return ((prefix << 1) | static_cast<uint32_t>(in.read(1))) - u;
}

void write_gamma(BitWriter& out, uint32_t v) {  // v >= 1
  const int bits = std::bit_width(v);
  out.write(0, bits - 1);
  out.write(1, 1);
  out.write(v & ~(1u << (bits - 1)), bits - 1);
}

uint32_t read_gamma(BitReader& in, bool& ok) {
  int zeros = 0;
  while (in.read(1) == 0) {
    if (++zeros > 31 || in.overrun()) {
      ok = false;
      return 1;
    }
  }
  return (1u << zeros) | static_cast<uint32_t>(in.read(zeros));
}

int index_bits(size_t alphabet_size) { return std::bit_width(alphabet_size - 1); }

}  // namespace

void write_table(BitWriter& out, std::span<const uint32_t> normalized, int table_log) {
  int high = static_cast<int>(normalized.size()) - 1;
  while (high > 0 && normalized[high] == 0) --high;
  out.write(static_cast<uint64_t>(high), index_bits(normalized.size()));
  uint32_t remaining = 1u << table_log;
  for (int s = high; s > 0 && remaining > 0;) {
    const uint32_t n = normalized[s];
    write_truncated(out, n, remaining + 1);
    remaining -= n;
    --s;
    if (n == 0) {
      uint32_t run = 0;
      while (s - static_cast<int>(run) > 0 && normalized[s - run] == 0) ++run;
      write_gamma(out, run + 1);
      s -= static_cast<int>(run);
    }
  }
}

Status read_table(BitReader& in, int table_log, size_t alphabet_size, std::vector<uint32_t>& normalized) {
  const auto bad = [](const std::string& what) { return Status(ErrorCode::BadInput, "table: " + what); };
  normalized.assign(alphabet_size, 0);
  const auto high = static_cast<int>(in.read(index_bits(alphabet_size)));
  if (static_cast<size_t>(high) >= alphabet_size) {
    return bad("highest symbol " + std::to_string(high) + " beyond the alphabet");
  }
  uint32_t remaining = 1u << table_log;
  int s = high;
  bool ok = true;
  for (; s > 0 && remaining > 0 && ok;) {
    const uint32_t n = read_truncated(in, remaining + 1);
    normalized[s] = n;
    remaining -= n;
    --s;
    if (n == 0) {
      const uint32_t run = read_gamma(in, ok) - 1;
      if (run > static_cast<uint32_t>(s)) return bad("zero run past symbol 0");
      s -= static_cast<int>(run);
    }
  }
  if (!ok || in.overrun()) return bad("truncated");
  if (remaining > 0) {
    if (s != 0) return bad("counts do not fill the table");
    normalized[0] = remaining;
  }
  return {};
}

}  // namespace ws::golden
