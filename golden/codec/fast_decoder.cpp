#include "golden/codec/fast_decoder.hpp"

#include <cstring>

namespace ws::golden {
namespace {

constexpr size_t kMaxLanes = 32;

// 64 stream bits from bit position `bit`, when 8 bytes from there are in the stream.
inline uint64_t peek64_unchecked(const uint8_t* data, uint64_t bit) {
  uint64_t word;
  std::memcpy(&word, data + (bit >> 3), 8);
  return word >> (bit & 7);
}

// 64 stream bits from bit position `bit`; zeros past the end.
inline uint64_t peek64(const uint8_t* data, size_t size, uint64_t bit) {
  const size_t byte = bit >> 3;
  uint64_t word = 0;
  if (byte + 8 <= size) {
    std::memcpy(&word, data + byte, 8);
  } else if (byte < size) {
    std::memcpy(&word, data + byte, size - byte);
  }
  return word >> (bit & 7);
}

// Lanes advance together row by row; while every lane has 8 bytes of stream
// ahead, loads skip the end-of-stream check. A REPEAT in a lane's first C/K
// symbols (nothing to repeat yet) only raises a flag inside the loop; it is
// reported after the loop, so the hot path has no exits.
template <class Word, bool kRepeat, size_t kLanes>
void decode_lanes(const EncodedTensor& t, const FastDecodeTable& table, Word* out, const std::string& where) {
  const size_t lanes = kLanes ? kLanes : t.lane_streams.size();
  const FieldLayout layout = t.layout();
  const int low_bits = layout.low_fraction_bits();
  const uint32_t low_mask = (1u << low_bits) - 1;
  const int sign_shift = layout.pattern_bits() - 1;
  const FastDecodeTable::Step* steps = table.steps().data();

  const uint8_t* data[kMaxLanes];
  size_t size[kMaxLanes];
  uint64_t bit[kMaxLanes];
  uint32_t state[kMaxLanes];
  const int table_log = t.table_log;
  for (size_t k = 0; k < lanes; ++k) {
    data[k] = t.lane_streams[k].data();
    size[k] = t.lane_streams[k].size();
    state[k] = static_cast<uint32_t>(peek64(data[k], size[k], 0) & ((1u << table_log) - 1));
    bit[k] = static_cast<uint64_t>(table_log);
  }
  const uint64_t repeat_rows = lanes ? t.repeat_distance / lanes : 0;
  const uint32_t repeat_top_mask = ~layout.repeat_raw_mask(t.repeat_bits);
  bool early_repeat = false;
  auto step = [&](size_t k, uint64_t row, size_t i, bool checked) {
    const FastDecodeTable::Step& s = steps[state[k]];
    const uint64_t bits = checked ? peek64(data[k], size[k], bit[k]) : peek64_unchecked(data[k], bit[k]);
    const auto raw = static_cast<uint32_t>(bits & ((uint64_t{1} << s.raw_bits) - 1));
    auto value = static_cast<Word>(s.pattern_high | (raw & low_mask) | ((raw >> low_bits) << sign_shift));
    if constexpr (kRepeat) {
      if (s.repeat) {
        early_repeat |= row < repeat_rows;
        value = static_cast<Word>((row < repeat_rows ? 0u : out[i - t.repeat_distance] & repeat_top_mask) | raw);
      }
    }
    out[i] = value;
    state[k] = s.next_base + static_cast<uint32_t>((bits >> s.raw_bits) & ((1u << s.state_bits) - 1));
    bit[k] += s.total_bits;
  };
  // A step reads at most 57 bits: 8 bytes ahead of each of `rows` steps.
  auto all_lanes_have_8_bytes_for = [&](uint64_t rows) {
    bool ok = true;
    for (size_t k = 0; k < lanes; ++k) ok &= (bit[k] >> 3) + 8 * rows <= size[k];
    return ok;
  };
  const uint64_t full_rows = lanes ? t.count / lanes : 0;
  uint64_t row = 0;
  // Blocks of rows, four lanes at a time: four chains fill the pipeline, more
  // would spill their state out of registers.
  constexpr uint64_t kBlockRows = 64;
  constexpr size_t kGroup = 4;
  if (lanes % kGroup == 0) {
    for (; row + kBlockRows <= full_rows && all_lanes_have_8_bytes_for(kBlockRows); row += kBlockRows) {
      for (size_t group = 0; group < lanes; group += kGroup) {
        for (uint64_t r = row; r < row + kBlockRows; ++r) {
          for (size_t k = group; k < group + kGroup; ++k) step(k, r, r * lanes + k, false);
        }
      }
    }
  }
  for (; row < full_rows && all_lanes_have_8_bytes_for(1); ++row) {
    for (size_t k = 0; k < lanes; ++k) step(k, row, row * lanes + k, false);
  }
  for (; row < full_rows; ++row) {
    for (size_t k = 0; k < lanes; ++k) step(k, row, row * lanes + k, true);
  }
  for (size_t k = 0; k < t.count - full_rows * lanes; ++k) step(k, full_rows, full_rows * lanes + k, true);

  if (early_repeat) throw InputError(where + "a REPEAT symbol has nothing to repeat");
  for (size_t k = 0; k < lanes; ++k) {
    const std::string lane = where + "lane " + std::to_string(k) + ": ";
    if (bit[k] > size[k] * 8) throw InputError(lane + "stream ends early");
    if ((bit[k] + 7) / 8 != size[k]) {
      throw InputError(lane + "stream has " + std::to_string(size[k] * 8 - bit[k]) + " bits left over");
    }
    if (state[k] != 0) throw InputError(lane + "final state " + std::to_string(state[k]) + " is not the initial one");
  }
}

// Common lane counts get a copy with the count fixed, so the row loop unrolls.
template <class Word, bool kRepeat>
void decode_lanes_any(const EncodedTensor& t, const FastDecodeTable& table, Word* out, const std::string& where) {
  switch (t.lane_streams.size()) {
    case 1: return decode_lanes<Word, kRepeat, 1>(t, table, out, where);
    case 4: return decode_lanes<Word, kRepeat, 4>(t, table, out, where);
    case 8: return decode_lanes<Word, kRepeat, 8>(t, table, out, where);
    case 16: return decode_lanes<Word, kRepeat, 16>(t, table, out, where);
    default: return decode_lanes<Word, kRepeat, 0>(t, table, out, where);
  }
}

template <class Word>
void decode_lanes(const EncodedTensor& t, const FastDecodeTable& table, Word* out, const std::string& where) {
  if (t.repeat_distance) {
    decode_lanes_any<Word, true>(t, table, out, where);
  } else {
    decode_lanes_any<Word, false>(t, table, out, where);
  }
}

}  // namespace

FastDecodeTable::FastDecodeTable(const TansTable& table, const EncodedTensor& t) {
  const FieldLayout layout = t.layout();
  const uint32_t repeat = 1u << layout.symbol_bits();
  for (const uint32_t word : table.decode_words()) {
    const TansEntry e = TansEntry::unpack(word);
    const bool is_repeat = t.repeat_distance && e.symbol == repeat;
    const int raw_bits = is_repeat ? layout.pattern_bits() - t.repeat_bits : layout.raw_bits();
    steps_.push_back({is_repeat ? 0u : layout.merge(e.symbol, 0), e.next_base, static_cast<uint8_t>(raw_bits),
                      e.num_bits, static_cast<uint8_t>(raw_bits + e.num_bits), is_repeat});
  }
}

void fast_decode(const EncodedTensor& t, const FastDecodeTable& table, std::span<uint8_t> out,
                 const std::string& source) {
  const std::string where = source + ": tensor '" + t.name + "': ";
  const size_t width = static_cast<size_t>(dtype_bits(t.dtype) / 8);
  if (out.size() != t.count * width) throw std::invalid_argument("fast_decode: output size");
  if (t.lane_streams.size() > kMaxLanes || (t.lane_streams.empty() && t.count != 0)) {
    throw InputError(where + std::to_string(t.lane_streams.size()) + " lanes");
  }
  if (!t.lane_streams.empty() && t.repeat_distance % t.lane_streams.size() != 0) {
    throw InputError(where + "repeat distance is not a multiple of the lane count");
  }
  // Little-endian host (checked where models are read): the words are the bytes.
  if (width == 2) {
    decode_lanes(t, table, reinterpret_cast<uint16_t*>(out.data()), where);
  } else {
    decode_lanes(t, table, reinterpret_cast<uint32_t*>(out.data()), where);
  }
}

}  // namespace ws::golden
