// libFuzzer target: a serialized count table followed by a lane stream, both
// from the fuzzer's bytes. Reading the table must fail cleanly or give a
// valid table; decoding any stream with it must stay in bounds and end with
// a verdict, never a crash.
#include <cstdint>
#include <string>
#include <vector>

#include "golden/entropy/bit_stream.hpp"
#include "golden/entropy/table_codec.hpp"
#include "golden/entropy/tans.hpp"

using namespace ws::golden;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const int table_log = TansTable::kMinTableLog + data[0] % 8;
  const size_t alphabet = 1 + (size_t{data[1]} | (static_cast<size_t>(data[2] & 0x0f) << 8));  // 1..4096
  const size_t table_bytes = data[3];
  if (size < 4 + table_bytes) return 0;
  BitReader table_reader(std::span(data + 4, table_bytes));
  std::vector<uint32_t> normalized;
  if (!read_table(table_reader, table_log, alphabet, normalized).ok()) return 0;
  const TansTable table(normalized, table_log);
  const std::span<const uint8_t> stream(data + 4 + table_bytes, size - 4 - table_bytes);
  TansLaneDecoder lane(table, stream);
  lane.init_state();
  for (size_t i = 0; i < stream.size() * 2 + 16; ++i) {
    const TansEntry e = lane.decode_symbol();
    if (e.symbol >= alphabet) __builtin_trap();
    lane.read_raw(e.symbol % 25);
    lane.advance(e);
  }
  (void)lane.finish(stream.size());
  return 0;
}
