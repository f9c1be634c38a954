// libFuzzer target: any bytes as a .wsc container. The reader must reject
// bad input with InputError only; when a container is accepted, the
// reference and fast decoders must agree on every weight.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "golden/codec/fast_decoder.hpp"
#include "golden/codec/lossless_codec.hpp"
#include "golden/container/wsc_container.hpp"

using namespace ws::golden;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const WscContents c = parse_wsc({data, size}, "fuzz.wsc");
    const auto tables = build_tables(c.tensors, "fuzz.wsc");
    for (size_t i = 0; i < c.tensors.size(); ++i) {
      const EncodedTensor& t = c.tensors[i];
      if (t.count > (1u << 20)) continue;  // keep the fuzzer's memory bounded
      const Tensor reference = decode_lossless(t, *tables[i], "fuzz.wsc");
      const size_t width = static_cast<size_t>(dtype_bits(t.dtype) / 8);
      std::vector<uint8_t> fast(t.count * width);
      fast_decode(t, FastDecodeTable(*tables[i], t), fast, "fuzz.wsc");
      for (size_t j = 0; j < t.count; ++j) {
        uint32_t word = 0;
        for (size_t b = 0; b < width; ++b) word |= uint32_t{fast[j * width + b]} << (8 * b);
        if (word != reference.bits[j]) std::abort();
      }
    }
  } catch (const InputError&) {
  }
  return 0;
}
