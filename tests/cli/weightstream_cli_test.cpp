// The weightstream command: output formats checked against outside references
// (SoftPosit vectors, values given by the format specifications), exit codes
// for usage errors and bad input, and the main job's JSON.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/support/gz_lines.hpp"
#include "tests/support/run_process.hpp"

namespace ws::test {
namespace {

const std::string kWeightstream = WS_WEIGHTSTREAM_BIN;
#if WS_WITH_VERILATOR
constexpr bool kWithRtl = true;
#else
constexpr bool kWithRtl = false;
#endif

ProcessResult weightstream(const std::string& args) { return run_process(kWeightstream + " " + args); }

// SoftPosit's decode of every pattern of one config, in the --table layout.
std::string softposit_table(const std::string& config) {
  GzLines lines(WS_SOFTPOSIT_DIR "/posit_to_double.tsv.gz");
  std::string line, table;
  while (lines.next(line)) {
    if (line.starts_with(config + "\t")) table += line.substr(config.size() + 1) + "\n";
  }
  return table;
}

TEST(Cli, TableOfPositsMatchesSoftPosit) {
  for (const auto& [config, format] : {std::pair{"posit8_es0", "posit8es0"}, std::pair{"posit16_es1", "posit16es1"},
                                       std::pair{"pX1_n8_es1", "posit8es1"}}) {
    const ProcessResult r = weightstream(std::string("format --format ") + format + " --table");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, softposit_table(config)) << format;
  }
}

TEST(Cli, EncodeGivesTheSpecifiedPatterns) {
  const struct {
    const char* format;
    const char* value;
    const char* pattern;
  } cases[] = {
      {"e4m3", "448", "7e"},        {"e4m3", "1e6", "7e"},         {"e4m3", "-0.001953125", "81"},
      {"e5m2", "57344", "7b"},      {"e5m2", "1e6", "7c"},         {"e2m1", "6", "7"},
      {"e2m1", "-0.25", "8"},       {"e2m1", "0.75", "2"},         {"fp16", "65520", "7c00"},
      {"fp16", "1", "3c00"},        {"bf16", "1", "3f80"},         {"bf16", "-2.5", "c020"},
      {"posit16es1", "1", "4000"},  {"posit8es0", "1e-9", "01"},   {"posit8es0", "-1e30", "81"},
      {"posit32es2", "1", "40000000"}, {"e8m0", "1", "7f"},
  };
  for (const auto& c : cases) {
    const ProcessResult r = weightstream(std::string("format --format ") + c.format + " --encode " + c.value);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, std::string(c.pattern) + "\n") << c.format << " " << c.value;
  }
}

TEST(Cli, UsageErrorsExitWithOne) {
  ProcessResult r = weightstream("format --format posit99 --table");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown format 'posit99'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("e4m3"), std::string::npos) << "the error lists the known formats: " << r.err;
  EXPECT_EQ(weightstream("format --format fp32 --table").exit_code, 1);
  EXPECT_EQ(weightstream("format --format e4m3 --encode abc").exit_code, 1);
  EXPECT_EQ(weightstream("format --format e4m3").exit_code, 1);
  EXPECT_EQ(weightstream("").exit_code, 1);
  EXPECT_EQ(weightstream("frobnicate").exit_code, 1);
  EXPECT_EQ(weightstream("run --engine quantum").exit_code, 1);
  EXPECT_EQ(weightstream("run --formats e8m0").exit_code, 1);
  EXPECT_EQ(weightstream("--help").exit_code, 0);
}

TEST(Cli, BadModelExitsWithTwoAndNamesTheProblem) {
  const auto dir = std::filesystem::temp_directory_path() / ("ws_cli_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  ProcessResult r = weightstream("run --engine golden --model " + (dir / "missing.bin").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.bin"), std::string::npos) << r.err;

  // The embedded model cut short in the middle of a tensor.
  const std::string model = read_text(WS_MODELS_DIR "/stories260K.bin");
  const auto truncated = dir / "truncated.bin";
  std::ofstream(truncated, std::ios::binary) << model.substr(0, 100'000);
  r = weightstream("run --engine golden --model " + truncated.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("truncated.bin"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("offset"), std::string::npos) << r.err;

  const auto garbage = dir / "garbage.bin";
  std::ofstream(garbage, std::ios::binary) << std::string(64, '\xff');
  r = weightstream("run --engine golden --model " + garbage.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("header"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

TEST(Cli, RunJsonReportsEveryWeightBitExact) {
  if (!kWithRtl) GTEST_SKIP() << "this build has no RTL engine (WS_WITH_VERILATOR=OFF)";
  const ProcessResult r = weightstream("run --formats e2m1,posit12es1 --engine all --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["weights"], 260032);  // stories260K without its RoPE tables
  EXPECT_EQ(j["tensors"], 47);
  EXPECT_TRUE(j["bit_exact"].get<bool>());
  ASSERT_EQ(j["formats"].size(), 2u);
  for (const auto& f : j["formats"]) {
    EXPECT_TRUE(f["hls"]["bit_exact"].get<bool>());
    EXPECT_TRUE(f["rtl"]["bit_exact"].get<bool>());
    EXPECT_EQ(f["rtl"]["weights"], 260032);
    EXPECT_GT(f["snr_db"].get<double>(), 10.0);
  }
}

TEST(Cli, VectorsListEveryPatternOfA16BitFormat) {
  const auto path = std::filesystem::temp_directory_path() / ("ws_vectors_" + std::to_string(getpid()));
  const ProcessResult r = weightstream("format --format posit16es1 --vectors " + path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream text(read_text(path));
  std::string line;
  size_t lines = 0;
  while (std::getline(text, line)) {
    ASSERT_EQ(line.size(), 26u) << line;  // "pppppppp c s eeee ssssssss"
    ++lines;
  }
  EXPECT_EQ(lines, 65536u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ws::test

namespace ws::test {
namespace {

class CliCodec : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ws_codec_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(CliCodec, EncodeDecodeRoundTripsAndReportsTheBound) {
  ProcessResult r = weightstream("encode " WS_MODELS_DIR "/stories260K.bin --as bf16 --lanes 8 --json -o " +
                                 path("s.wsc"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out);
  const nlohmann::json& total = report["total"];
  EXPECT_EQ(total["weights"], 260032);
  EXPECT_EQ(total["original_bytes"], 520064);
  EXPECT_EQ(total["compressed_bytes"].get<uint64_t>(), std::filesystem::file_size(path("s.wsc")));
  EXPECT_GE(total["ratio"].get<double>(), 1.48);
  EXPECT_LE(total["overhead_percent"].get<double>(), 0.5);
  EXPECT_NEAR(total["bound_ratio"].get<double>(), 1.5084, 0.0005);
  ASSERT_EQ(report["tensors"].size(), 47u);
  for (const char* key : {"name", "weights", "original_bytes", "compressed_bytes", "ratio", "bound_bits_per_weight",
                          "bound_bytes", "overhead_percent", "exponent_entropy_bits"}) {
    EXPECT_TRUE(report["tensors"][0].contains(key)) << key;
  }

  // Converted to bf16, the tensors come back as safetensors, and no byte-exact claim is made.
  r = weightstream("decode " + path("s.wsc") + " -o " + path("s.safetensors"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("written as safetensors"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("byte for byte"), std::string::npos) << r.out;
  // That file encodes to a container that restores it byte for byte.
  r = weightstream("encode " + path("s.safetensors") + " --lanes 8 -o " + path("again.wsc"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = weightstream("decode " + path("again.wsc") + " -o " + path("again.safetensors"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("safetensors file restored byte for byte"), std::string::npos) << r.out;
  EXPECT_EQ(read_text(path("s.safetensors")), read_text(path("again.safetensors")));
  // And the llama2.c checkpoint itself, unconverted, comes back byte for byte.
  r = weightstream("encode " WS_MODELS_DIR "/stories260K.bin -o " + path("fp32.wsc"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = weightstream("decode " + path("fp32.wsc") + " -o " + path("stories.bin"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(path("stories.bin")), read_text(WS_MODELS_DIR "/stories260K.bin"));

  r = weightstream("inspect " + path("s.wsc") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["total"]["compressed_bytes"], total["compressed_bytes"]);
  r = weightstream("inspect " + path("s.safetensors"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1.5084:1"), std::string::npos) << r.out;
}

TEST_F(CliCodec, DamagedContainerExitsWithTwoAndLeavesNoOutput) {
  ASSERT_EQ(weightstream("encode " WS_MODELS_DIR "/stories260K.bin -o " + path("f.wsc")).exit_code, 0);
  std::string bytes = read_text(path("f.wsc"));
  bytes[bytes.size() / 2] ^= 0x40;
  std::ofstream(path("bad.wsc"), std::ios::binary) << bytes;
  ProcessResult r = weightstream("decode " + path("bad.wsc") + " -o " + path("out.safetensors"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.wsc"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("CRC mismatch"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(path("out.safetensors")));

  std::ofstream(path("short.wsc"), std::ios::binary) << bytes.substr(0, 1000);
  r = weightstream("inspect " + path("short.wsc"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("short.wsc"), std::string::npos) << r.err;

  // A header length of 16, then 16 bytes of JSON that is not a tensor entry.
  const std::string header = "{\"a\":1}        ";
  std::string bad_file(8, '\0');
  bad_file[0] = static_cast<char>(header.size());
  std::ofstream(path("bad.safetensors"), std::ios::binary) << bad_file + header;
  r = weightstream("encode " + path("bad.safetensors") + " -o " + path("never.wsc"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(std::filesystem::exists(path("never.wsc")));
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << "left behind: " << entry.path();
  }
  EXPECT_EQ(weightstream("encode " WS_MODELS_DIR "/stories260K.bin --lanes 33 -o " + path("x.wsc")).exit_code, 1);
}

}  // namespace
}  // namespace ws::test

namespace ws::test {
namespace {

class CliSim : public CliCodec {
 protected:
  void SetUp() override {
    CliCodec::SetUp();
    ASSERT_EQ(weightstream("encode " WS_MODELS_DIR "/stories260K.bin --as bf16 --lanes 8 -o " + path("s.wsc")).exit_code,
              0);
  }
};

// The engines are checked against each other, not against their own JSON:
// the rtl and hls decoders agree cycle for cycle under the same stalls, the
// ideal golden engine needs exactly one cycle a row (rows from the tensor
// shapes that `inspect` reports), and every engine decodes the model's
// 260,032 weights.
TEST_F(CliSim, EnginesAgreeWithEachOtherAndWithTheTensorShapes) {
  if (!kWithRtl) GTEST_SKIP() << "this build has no RTL engine (WS_WITH_VERILATOR=OFF)";
  std::map<std::string, nlohmann::json> runs;
  for (const char* engine : {"hls", "rtl", "golden"}) {
    const ProcessResult r = weightstream("sim " + path("s.wsc") + " --engine " + engine + " --stall 0.2 --json");
    ASSERT_EQ(r.exit_code, 0) << engine << ": " << r.err;
    runs[engine] = nlohmann::json::parse(r.out);
    EXPECT_TRUE(runs[engine]["bit_exact"].get<bool>()) << engine;
    EXPECT_EQ(runs[engine]["weights"], 260032) << engine;
    EXPECT_EQ(runs[engine]["tensors"].size(), 47u) << engine;
  }
  EXPECT_EQ(runs["rtl"]["cycles"], runs["hls"]["cycles"]);
  EXPECT_EQ(runs["rtl"]["stall_cycles"], runs["hls"]["stall_cycles"]);
  EXPECT_GT(runs["hls"]["stall_cycles"]["output_full"].get<uint64_t>(), 0u);  // the random back-pressure shows

  // One row of `lanes` weights a clock for the ideal decoder, whatever the stalls' seed.
  const ProcessResult inspect = weightstream("inspect " + path("s.wsc") + " --json");
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  const nlohmann::json report = nlohmann::json::parse(inspect.out);
  uint64_t rows = 0;
  for (const auto& t : report["tensors"]) {
    const uint64_t lanes = t["lanes"].get<uint64_t>();
    rows += (t["weights"].get<uint64_t>() + lanes - 1) / lanes;
  }
  const ProcessResult ideal = weightstream("sim " + path("s.wsc") + " --engine golden --json");
  ASSERT_EQ(ideal.exit_code, 0) << ideal.err;
  EXPECT_EQ(nlohmann::json::parse(ideal.out)["cycles"].get<uint64_t>(), rows);
  EXPECT_LT(rows, runs["hls"]["cycles"].get<uint64_t>());
}

TEST_F(CliSim, TraceIsAnFstWaveform) {
  if (!kWithRtl) GTEST_SKIP() << "this build has no RTL engine (WS_WITH_VERILATOR=OFF)";
  const ProcessResult r = weightstream("sim " + path("s.wsc") + " --tensor rms_final_weight --trace " + path("t.fst"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const ProcessResult vcd = run_process("fst2vcd " + path("t.fst"));
  ASSERT_EQ(vcd.exit_code, 0) << vcd.err;
  EXPECT_NE(vcd.out.find("out_valid_o"), std::string::npos);
}

// Damage in a lane reaches the hardware with --no-crc: raw-field bits decode
// to other weights in golden and hardware alike; damage to the coded bits is
// a decode error naming tensor and lane; the hardware never disagrees with
// golden and never hangs.
TEST_F(CliSim, CorruptStreamIsADecodeErrorNamingTensorAndLane) {
  if (!kWithRtl) GTEST_SKIP() << "this build has no RTL engine (WS_WITH_VERILATOR=OFF)";
  const std::string bytes = read_text(path("s.wsc"));
  std::string damaged = bytes;
  damaged[bytes.size() - 200] ^= 0x24;
  std::ofstream(path("bad.wsc"), std::ios::binary) << damaged;
  ProcessResult r = weightstream("sim " + path("bad.wsc"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("CRC mismatch"), std::string::npos) << r.err;

  int decode_errors = 0;
  for (size_t back = 1; back <= 40; ++back) {  // bytes of the last tensor's lanes
    damaged = bytes;
    damaged[bytes.size() - back] ^= 0xff;
    std::ofstream(path("bad.wsc"), std::ios::binary) << damaged;
    r = weightstream("sim " + path("bad.wsc") + " --no-crc --tensor rms_final_weight --json");
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 2) << "byte -" << back << ": exit " << r.exit_code << r.out;
    if (r.exit_code == 2) {
      ++decode_errors;
      const nlohmann::json j = nlohmann::json::parse(r.out);
      ASSERT_EQ(j["errors"].size(), 1u);
      EXPECT_NE(j["errors"][0].get<std::string>().find("tensor 'rms_final_weight' lane 0: decode error"),
                std::string::npos)
          << j["errors"][0];
    }
  }
  EXPECT_GT(decode_errors, 0);
  EXPECT_EQ(weightstream("sim " + path("s.wsc") + " --lanes 4").exit_code, 1);
}

}  // namespace
}  // namespace ws::test
