// Compiled with -fno-exceptions -fno-rtti (tests/CMakeLists.txt): every hls
// model, run with the heap forbidden. Any allocation while the models run
// aborts the test (operator new is replaced below); the format decoders go
// through every 16-bit pattern, and a 4-lane ANS decoder decodes a stream
// made by hand (one symbol, raw fields only) under output back-pressure.
#include <cstdio>
#include <cstdlib>
#include <new>

#include "hls/ans/ans_decoder.hpp"
#include "hls/formats/float_decoder.hpp"
#include "hls/formats/posit_decoder.hpp"

namespace {
bool heap_forbidden = false;

void* allocate(std::size_t size) {
  if (heap_forbidden) {
    std::fputs("hls_rules_check: an hls model allocated from the heap\n", stderr);
    std::abort();
  }
  void* p = std::malloc(size ? size : 1);
  if (p == nullptr) std::abort();
  return p;
}
}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace {

using Config = ws::hls::AnsLaneConfig<16>;
using Decoder = ws::hls::AnsDecoder<Config, 4>;
Decoder decoder(4);  // static storage: its table RAMs are not on the stack

int fail(const char* what) {
  std::fprintf(stderr, "hls_rules_check: %s\n", what);
  return 1;
}

}  // namespace

int main() {
  heap_forbidden = true;
  uint64_t checksum = 0;
  for (uint32_t p = 0; p < (1u << 16); ++p) {
    checksum += ws::hls::decode_posit<16, 1>(p).significand + ws::hls::decode_float<5, 10, 0>(p).significand;
    checksum += ws::hls::decode_posit_var<32, 3>(p, 16, p & 3).significand;
  }

  // Table log 5, one symbol holding every state: num_bits 0 and next state =
  // state, so a lane stream is 5 zero bits (state 0) then 8 raw bits a
  // symbol: 7 bits placed at [3, 10) above the pattern bits 0b101, then the
  // sign.
  constexpr int kSymbols = 64, kLanes = 4;
  constexpr uint32_t kPattern = 0b101, kKeepLo = 3;
  for (uint32_t u = 0; u < 32; ++u) {
    const ws::contract::TableCtrl ctrl{.has_sign = 1, .keep_hi = kKeepLo + 7, .keep_lo = kKeepLo, .next_base = u};
    decoder.write_table(u, ws::contract::pack_table_word(16, ctrl, kPattern));
  }
  ws::contract::AnsCfg cfg;
  cfg.pattern_bits = 16;
  cfg.table_log = 5;
  std::array<uint64_t, 4> counts{};
  counts.fill(kSymbols);
  decoder.configure(cfg, counts);
  decoder.start();
  // Raw field of symbol j on lane k: (j + k) & 0xff; the word is that raw
  // field's low 7 bits at [3, 10) over the pattern, with its top bit as the sign.
  constexpr int kWords = (5 + 8 * kSymbols + 31) / 32;
  uint32_t stream[kLanes][kWords] = {};
  for (int k = 0; k < kLanes; ++k) {
    for (int j = 0; j < kSymbols; ++j) {
      const uint32_t raw = static_cast<uint32_t>(j + k) & 0xff;
      for (int b = 0; b < 8; ++b) {
        const int bit = 5 + 8 * j + b;
        stream[k][bit / 32] |= ((raw >> b) & 1u) << (bit % 32);
      }
    }
  }
  int sent[kLanes] = {}, rows = 0;
  Decoder::LaneArray in{};
  Decoder::LaneOutputArray out{};
  for (int cycle = 0; cycle < 10 * kSymbols && rows < kSymbols; ++cycle) {
    for (int k = 0; k < kLanes; ++k) {
      in[k].in_valid = sent[k] < kWords;
      in[k].in_word = sent[k] < kWords ? stream[k][sent[k]] : 0;
      in[k].in_last = sent[k] == kWords - 1;
    }
    const bool ready = cycle % 3 != 0;
    const ws::contract::AnsRow row = decoder.cycle(in, ready, out);
    for (int k = 0; k < kLanes; ++k) sent[k] += in[k].in_valid && out[k].in_ready;
    if (row.valid && ready) {
      for (int k = 0; k < kLanes; ++k) {
        const uint32_t raw = static_cast<uint32_t>(rows + k) & 0xff;
        const uint32_t expected = kPattern | ((raw & 0x7f) << kKeepLo) | ((raw >> 7) << 15);
        if (row.words[k] != expected) return fail("the ANS decoder decoded a wrong word");
      }
      ++rows;
    }
    for (int k = 0; k < kLanes; ++k) {
      if (decoder.lane(k).error() != ws::contract::LaneError::None) return fail("an ANS lane reported an error");
    }
  }
  heap_forbidden = false;
  if (rows != kSymbols) return fail("the ANS decoder did not finish");
  std::printf("hls models ran without heap, exceptions or RTTI (checksum %llx, %d rows)\n",
              static_cast<unsigned long long>(checksum), rows);
  return 0;
}
