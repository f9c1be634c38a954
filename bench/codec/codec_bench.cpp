// Single-thread throughput of the lossless codec next to zstd and zlib on the
// same data (the embedded model as bf16). Rates are bytes of decoded output
// per second; compare rows of the same run only.
#include <benchmark/benchmark.h>
#include <zlib.h>
#include <zstd.h>

#include "bench/codec/baselines.hpp"
#include "golden/codec/fast_decoder.hpp"
#include "golden/codec/lossless_codec.hpp"
#include "golden/model/llama2c_reader.hpp"

namespace {

using namespace ws::golden;

const std::vector<Tensor>& model() {
  static const std::vector<Tensor> tensors = [] {
    std::vector<Tensor> t = read_llama2c(WS_MODELS_DIR "/stories260K.bin").tensors;
    for (Tensor& x : t) x = to_bf16(x);
    return t;
  }();
  return tensors;
}

int64_t model_bytes() { return static_cast<int64_t>(ws::bench::raw_bytes(model()).size()); }

struct Encoded {
  std::vector<EncodedTensor> tensors;
  std::vector<std::shared_ptr<const TansTable>> tables;
  std::vector<FastDecodeTable> fast;
};

Encoded encode(int lanes) {
  LosslessOptions o;
  o.lanes = lanes;
  o.max_joint_bits = 3;
  Encoded e{encode_lossless(model(), o), {}, {}};
  e.tables = build_tables(e.tensors, "bench");
  for (size_t i = 0; i < e.tensors.size(); ++i) e.fast.emplace_back(*e.tables[i], e.tensors[i]);
  return e;
}

void BM_WeightstreamEncode(benchmark::State& state) {
  LosslessOptions o;
  o.lanes = static_cast<int>(state.range(0));
  o.max_joint_bits = 3;
  for (auto _ : state) benchmark::DoNotOptimize(encode_lossless(model(), o));
  state.SetBytesProcessed(state.iterations() * model_bytes());
}
BENCHMARK(BM_WeightstreamEncode)->Arg(8)->Unit(benchmark::kMillisecond);

void BM_WeightstreamDecodeFast(benchmark::State& state) {
  const Encoded e = encode(static_cast<int>(state.range(0)));
  std::vector<std::vector<uint8_t>> out;
  for (const EncodedTensor& t : e.tensors) out.emplace_back(t.count * 2);
  for (auto _ : state) {
    for (size_t i = 0; i < e.tensors.size(); ++i) fast_decode(e.tensors[i], e.fast[i], out[i], "bench");
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * model_bytes());
}
BENCHMARK(BM_WeightstreamDecodeFast)->Arg(1)->Arg(4)->Arg(8)->Arg(16)->Unit(benchmark::kMicrosecond);

void BM_WeightstreamDecodeReference(benchmark::State& state) {
  const Encoded e = encode(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    for (size_t i = 0; i < e.tensors.size(); ++i) benchmark::DoNotOptimize(decode_lossless(e.tensors[i], *e.tables[i], "bench"));
  }
  state.SetBytesProcessed(state.iterations() * model_bytes());
}
BENCHMARK(BM_WeightstreamDecodeReference)->Arg(8)->Unit(benchmark::kMicrosecond);

void BM_ZstdDecodeRaw(benchmark::State& state) {
  const std::vector<uint8_t> raw = ws::bench::raw_bytes(model());
  std::vector<uint8_t> packed(ZSTD_compressBound(raw.size()));
  packed.resize(ZSTD_compress(packed.data(), packed.size(), raw.data(), raw.size(), 19));
  std::vector<uint8_t> out(raw.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(ZSTD_decompress(out.data(), out.size(), packed.data(), packed.size()));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * model_bytes());
}
BENCHMARK(BM_ZstdDecodeRaw)->Unit(benchmark::kMicrosecond);

void BM_ZstdDecodeBytePlanes(benchmark::State& state) {
  // Two planes per tensor, each its own zstd -19 frame, as ZipNN stores them.
  std::vector<std::vector<uint8_t>> frames;
  std::vector<size_t> sizes;
  for (const Tensor& t : model()) {
    for (int b = 0; b < 2; ++b) {
      std::vector<uint8_t> plane;
      for (uint32_t p : t.bits) plane.push_back(static_cast<uint8_t>(p >> (8 * b)));
      std::vector<uint8_t> packed(ZSTD_compressBound(plane.size()));
      packed.resize(ZSTD_compress(packed.data(), packed.size(), plane.data(), plane.size(), 19));
      frames.push_back(std::move(packed));
      sizes.push_back(plane.size());
    }
  }
  std::vector<uint8_t> out(*std::max_element(sizes.begin(), sizes.end()));
  for (auto _ : state) {
    for (size_t i = 0; i < frames.size(); ++i) {
      benchmark::DoNotOptimize(ZSTD_decompress(out.data(), sizes[i], frames[i].data(), frames[i].size()));
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * model_bytes());
}
BENCHMARK(BM_ZstdDecodeBytePlanes)->Unit(benchmark::kMicrosecond);

void BM_ZlibDecodeRaw(benchmark::State& state) {
  const std::vector<uint8_t> raw = ws::bench::raw_bytes(model());
  uLongf packed_size = compressBound(raw.size());
  std::vector<uint8_t> packed(packed_size);
  compress2(packed.data(), &packed_size, raw.data(), raw.size(), 9);
  std::vector<uint8_t> out(raw.size());
  for (auto _ : state) {
    uLongf out_size = out.size();
    benchmark::DoNotOptimize(uncompress(out.data(), &out_size, packed.data(), packed_size));
  }
  state.SetBytesProcessed(state.iterations() * model_bytes());
}
BENCHMARK(BM_ZlibDecodeRaw)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
