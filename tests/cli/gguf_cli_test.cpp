// GGUF files (llama.cpp's format) through the codec: the reader takes the
// F32, F16 and BF16 tensors as weights and keeps everything else verbatim
// (typed metadata, quantised Q8_0 blocks, padding that is not zero, an odd
// alignment, trailing bytes); encode then decode gives the file back byte
// for byte; a damaged file is refused with exit 2.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "golden/model/gguf.hpp"
#include "golden/model/model_file.hpp"
#include "tests/support/gguf_writer.hpp"
#include "tests/support/weightstream_cli.hpp"

namespace ws::test {
namespace {

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (uint8_t& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// Weights of a trained-looking distribution as the dtype's bytes.
std::vector<uint8_t> weights(size_t n, int bytes_each, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::vector<uint8_t> out;
  for (size_t i = 0; i < n; ++i) {
    const float f = normal(rng);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if (bytes_each == 2) bits >>= 16;  // bf16 (truncated is fine: any pattern is a weight); F16 entries get these too
    for (int k = 0; k < bytes_each; ++k) out.push_back(static_cast<uint8_t>(bits >> (8 * k)));
  }
  return out;
}

std::vector<uint8_t> sample_file(uint64_t alignment) {
  GgufWriter w;
  w.string_kv("general.architecture", "llama");
  w.u32_kv("general.alignment", static_cast<uint32_t>(alignment));
  w.i32_array_kv("llama.some_ints", {1, -2, 3});
  w.string_array_kv("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "hello"});
  w.f32_kv("llama.rope.freq_base", 10000.0f);
  w.bool_kv("general.quantized", true);
  w.add({"token_embd.weight", 30, {64, 48}, weights(64 * 48, 2, 1), 0});
  w.add({"blk.0.attn_q.weight", 8, {64, 64}, random_bytes(64 * 64 / 32 * 34, 2), 5});  // Q8_0: verbatim
  w.add({"blk.0.attn_norm.weight", 0, {64}, weights(64, 4, 3), 3});
  w.add({"blk.0.ffn_up.weight", 1, {64, 32}, weights(64 * 32, 2, 4), 0});
  return w.bytes(alignment, 11);
}

void write(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Gguf, ReaderTakesTheFloatTensorsAndKeepsTheRestVerbatim) {
  const ScratchDir dir("gguf_reader");
  const std::string path = dir / "model.gguf";
  write(path, sample_file(64));
  const golden::GgufFile f = golden::read_gguf_file(path);
  EXPECT_EQ(f.version, 3u);
  EXPECT_EQ(f.alignment, 64u);
  EXPECT_EQ(f.metadata_count, 6u);
  ASSERT_EQ(f.entries.size(), 4u);
  EXPECT_FALSE(f.entries[1].coded);
  EXPECT_EQ(golden::ggml_type_name(f.entries[1].ggml_type), "Q8_0");
  ASSERT_EQ(f.tensors.size(), 3u);
  EXPECT_EQ(f.tensors[0].name, "token_embd.weight");
  EXPECT_EQ(f.tensors[0].dtype, golden::DType::BF16);
  EXPECT_EQ(f.tensors[0].shape, (std::vector<int64_t>{48, 64}));  // outermost first
  EXPECT_EQ(f.tensors[1].dtype, golden::DType::F32);
  EXPECT_EQ(f.tensors[2].dtype, golden::DType::F16);
  // The first BF16 weight is the file's bytes at the tensor's offset.
  const std::vector<uint8_t> bytes = read(path);
  EXPECT_EQ(f.tensors[0].bits[0], uint32_t{bytes[f.entries[0].offset]} | uint32_t{bytes[f.entries[0].offset + 1]} << 8);
  EXPECT_EQ(golden::load_model(path).kind, "gguf");
}

TEST(Gguf, EncodeThenDecodeRestoresTheFileByteForByte) {
  const ScratchDir dir("gguf_round_trip");
  for (const uint64_t alignment : {32u, 64u, 16u}) {
    SCOPED_TRACE(alignment);
    const std::string in = dir / "model.gguf", wsc = dir / "model.wsc", out = dir / "restored.gguf";
    write(in, sample_file(alignment));
    ProcessResult r = weightstream("encode " + in + " -f -o " + wsc + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = weightstream("decode " + wsc + " -f -o " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read(out), read(in));
    r = weightstream("inspect " + wsc + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"gguf\""), std::string::npos) << r.out;
    // The file itself: its coded tensors with their order-0 bound, the Q8_0 one listed as verbatim.
    r = weightstream("inspect " + in + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["kind"], "gguf");
    EXPECT_EQ(j["tensors"].size(), 3u);
    ASSERT_EQ(j["verbatim_tensors"].size(), 1u);
    EXPECT_EQ(j["verbatim_tensors"][0]["type"], "Q8_0");
    EXPECT_EQ(j["verbatim_tensors"][0]["shape"], nlohmann::json({64, 64}));
    EXPECT_GT(j["total"]["bound_ratio"].get<double>(), 1.0);
  }
}

TEST(Gguf, DamagedFilesAreRefusedWithExit2) {
  const ScratchDir dir("gguf_damaged");
  const std::vector<uint8_t> good = sample_file(32);
  const golden::GgufFile f = [&] {
    write(dir / "good.gguf", good);
    return golden::read_gguf_file(dir / "good.gguf");
  }();
  struct Case {
    const char* what;
    std::vector<uint8_t> bytes;
  };
  std::vector<Case> cases;
  cases.push_back({"truncated in the header", {good.begin(), good.begin() + 40}});
  cases.push_back({"truncated in a tensor", {good.begin(), good.begin() + static_cast<long>(f.entries[3].offset) + 8}});
  std::vector<uint8_t> version = good;
  version[4] = 9;
  cases.push_back({"version 9", version});
  for (const Case& c : cases) {
    const std::string path = dir / "bad.gguf";
    write(path, c.bytes);
    EXPECT_THROW(golden::read_gguf_file(path), golden::InputError) << c.what;
    const ProcessResult r = weightstream("encode " + path + " -f -o " + (dir / "bad.wsc"));
    EXPECT_EQ(r.exit_code, 2) << c.what << ": " << r.err;
    EXPECT_NE(r.err.find("bad.gguf"), std::string::npos) << c.what << ": " << r.err;
  }
}

}  // namespace
}  // namespace ws::test
