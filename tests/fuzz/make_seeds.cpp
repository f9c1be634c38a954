// Writes seed inputs for the fuzz targets: small valid containers (every
// dtype, several lane counts, REPEAT, table reuse, variable-precision tensors)
// and table+lane inputs.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "golden/codec/lossless_codec.hpp"
#include "golden/container/wsc_container.hpp"
#include "golden/entropy/normalize.hpp"
#include "golden/entropy/table_codec.hpp"
#include "golden/vp/vp_search.hpp"

using namespace ws::golden;

namespace {

void write(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}

Tensor random_tensor(std::mt19937& rng, DType dtype, int rows, int cols) {
  Tensor t{"t" + std::to_string(rng() % 100), dtype, {rows, cols}, {}};
  std::normal_distribution<float> normal(0.0f, 0.05f);
  for (int i = 0; i < rows * cols; ++i) {
    const float v = normal(rng);
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    t.bits.push_back(dtype == DType::F32 ? bits : bits >> 16);  // truncation is fine for a seed
  }
  for (int i = cols; i < rows * cols; i += 3) t.bits[i] = t.bits[i - cols];  // rows that repeat
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: ws_fuzz_seeds WSC_DIR TANS_DIR\n");
    return 1;
  }
  const std::filesystem::path wsc_dir = argv[1], tans_dir = argv[2];
  std::filesystem::create_directories(wsc_dir);
  std::filesystem::create_directories(tans_dir);
  std::mt19937 rng(1);
  int n = 0;
  for (const DType dtype : {DType::BF16, DType::F16, DType::F32}) {
    for (const int lanes : {1, 2, 4}) {
      std::vector<Tensor> tensors = {random_tensor(rng, dtype, 8, 8), random_tensor(rng, dtype, 4, 16)};
      tensors[1].name = "second";
      LosslessOptions o;
      o.lanes = lanes;
      o.max_joint_bits = 2;
      o.min_weights_per_lane = 8;
      write(wsc_dir / ("seed" + std::to_string(n++) + ".wsc"), serialize_wsc(encode_lossless(tensors, o)));
    }
  }
  // Variable-precision tensors (codec 2): the stored table is in the directory.
  for (const DType dtype : {DType::BF16, DType::F32}) {
    for (const char* floor : {"sqnr=12dB", "cos=0.999"}) {
      std::vector<Tensor> tensors = {random_tensor(rng, dtype, 8, 16)};
      const vp::VpChoice c = vp::choose_vp(tensors[0], vp::parse_quality(floor), {.lanes = 2, .min_weights_per_lane = 8});
      std::vector<EncodedTensor> encoded = {c.encoded};
      write(wsc_dir / ("seed" + std::to_string(n++) + ".wsc"), serialize_wsc(encoded));
    }
  }
  // Table + lane inputs in the tans_lane_fuzzer layout.
  for (int i = 0; i < 8; ++i) {
    const int table_log = 5 + i % 8;
    std::vector<uint64_t> hist(16 + i * 8);
    for (uint64_t& c : hist) c = rng() % 50;
    hist[0] += 1;
    const std::vector<uint32_t> normalized = normalize_counts(hist, table_log);
    BitWriter w;
    write_table(w, normalized, table_log);
    const std::vector<uint8_t> table = w.finish();
    std::vector<uint8_t> input = {static_cast<uint8_t>(table_log - 5), static_cast<uint8_t>((hist.size() - 1) & 0xff),
                                  static_cast<uint8_t>((hist.size() - 1) >> 8), static_cast<uint8_t>(table.size())};
    input.insert(input.end(), table.begin(), table.end());
    for (int b = 0; b < 64; ++b) input.push_back(static_cast<uint8_t>(rng()));
    write(tans_dir / ("seed" + std::to_string(i)), input);
  }
  return 0;
}
