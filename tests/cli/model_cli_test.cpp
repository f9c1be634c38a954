// weightstream generate and eval: generation from the command line and the
// quantiser regression's report, checked from outside the process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/weightstream_cli.hpp"

namespace ws::test {
namespace {

namespace fs = std::filesystem;
nlohmann::json json_of(const ProcessResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
}

struct Scratch : ScratchDir {
  Scratch() : ScratchDir("model_cli") {}
};

TEST(CliGenerate, GreedyFromBosIsDeterministicAndTheSameForEveryBatchSequence) {
  const nlohmann::json one = json_of(weightstream("generate --steps 50 --json"));
  const nlohmann::json again = json_of(weightstream("generate " + kModel + " --steps 50 --json"));
  const nlohmann::json batch = json_of(weightstream("generate --steps 50 --batch 3 --json"));
  ASSERT_EQ(one["sequences"].size(), 1u);
  const auto& sequence = one["sequences"][0];
  EXPECT_EQ(sequence[0], 1) << "generation starts from BOS";
  EXPECT_LE(sequence.size(), 51u);
  EXPECT_GT(one["tokens_per_second"].get<double>(), 0);
  EXPECT_EQ(again["sequences"], one["sequences"]);
  ASSERT_EQ(batch["sequences"].size(), 3u);
  for (const auto& s : batch["sequences"]) EXPECT_EQ(s, sequence);
}

TEST(CliGenerate, ContainerGeneratesWhatTheCheckpointDoes) {
  Scratch scratch;
  ASSERT_EQ(weightstream("encode " + kModel + " -o " + scratch / "m.wsc").exit_code, 0);
  const std::string args = " --steps 40 --temperature 0.8 --seed 7 --prompt-ids 1,300,301 --json";
  const nlohmann::json from_container = json_of(weightstream("generate " + scratch / "m.wsc" + args));
  const nlohmann::json from_checkpoint = json_of(weightstream("generate" + args));
  EXPECT_EQ(from_container["sequences"], from_checkpoint["sequences"]);
  const auto& s = from_checkpoint["sequences"][0];
  ASSERT_GE(s.size(), 3u);
  EXPECT_EQ(s[1], 300);
  EXPECT_EQ(s[2], 301);
}

TEST(CliGenerate, TokenizerTurnsIdsIntoText) {
  Scratch scratch;
  // A llama2.c tokenizer.bin of 512 pieces: "<unk>", "<s>", "</s>", byte pieces, then "w<id>" words.
  std::ofstream out(scratch / "tok.bin", std::ios::binary);
  const int32_t max_length = 8;
  out.write(reinterpret_cast<const char*>(&max_length), 4);
  for (int i = 0; i < 512; ++i) {
    char piece[16];
    std::snprintf(piece, sizeof piece, i < 3 ? (i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>")
                                       : i < 259 ? "<0x%02X>" : " w%d", i < 259 ? i - 3 : i);
    const float score = 0;
    const int32_t length = static_cast<int32_t>(std::strlen(piece));
    out.write(reinterpret_cast<const char*>(&score), 4).write(reinterpret_cast<const char*>(&length), 4).write(piece, length);
  }
  out.close();
  const ProcessResult r = weightstream("generate --steps 5 --prompt-ids 1,300,68,301,10 --tokenizer " + scratch / "tok.bin");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // After BOS the leading space goes; byte piece 68 is 0x41 'A'.
  EXPECT_EQ(r.out.substr(0, 11), "w300A w301\x07") << r.out;
  // A tokenizer of another vocabulary is bad input.
  fs::resize_file(scratch / "tok.bin", fs::file_size(scratch / "tok.bin") - 3);
  const ProcessResult bad = weightstream("generate --steps 5 --tokenizer " + scratch / "tok.bin");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("tok.bin"), std::string::npos) << bad.err;
}

TEST(CliGenerate, BadModelsAndArgumentsAreReported) {
  Scratch scratch;
  fs::copy_file(kModel, scratch / "truncated.bin");
  fs::resize_file(scratch / "truncated.bin", fs::file_size(kModel) / 2);
  ProcessResult r = weightstream("generate " + scratch / "truncated.bin");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("truncated.bin"), std::string::npos) << r.err;
  // A safetensors model carries no llama2 configuration.
  ASSERT_EQ(weightstream("decode " + [&] {
              weightstream("encode " + kModel + " --as bf16 -o " + scratch / "bf16.wsc");
              return scratch / "bf16.wsc";
            }() + " -o " + scratch / "bf16.safetensors").exit_code, 0);
  r = weightstream("generate " + scratch / "bf16.wsc");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("configuration"), std::string::npos) << r.err;
  EXPECT_EQ(weightstream("generate --prompt-ids 1,512").exit_code, 1);
  EXPECT_EQ(weightstream("generate --steps 0").exit_code, 1);
  EXPECT_EQ(weightstream("generate --temperature -1").exit_code, 1);
  EXPECT_EQ(weightstream("generate --temperature nan").exit_code, 1);
  EXPECT_EQ(weightstream("generate --batch 0").exit_code, 1);
}

TEST(CliEval, ReportsEveryRowWithFp32AsItsOwnReference) {
  Scratch scratch;
  const nlohmann::json report = json_of(weightstream(
      "eval --methods rtn-asym,mxfp4 --bits 3,8 --positions 256 --sequences 4 --json --plot " + scratch / "kl.svg"));
  const auto& rows = report["rows"];
  ASSERT_EQ(rows.size(), 5u) << report.dump(1);  // fp32, bf16, rtn-asym 3 and 8, mxfp4
  EXPECT_EQ(report["positions"], 256);
  EXPECT_EQ(rows[0]["method"], "fp32");
  EXPECT_EQ(rows[0]["mean_kl"].get<double>(), 0.0);
  EXPECT_EQ(rows[0]["top1_agreement"].get<double>(), 1.0);
  EXPECT_EQ(rows[1]["method"], "bf16");
  EXPECT_GT(rows[1]["mean_kl"].get<double>(), 0.0);
  EXPECT_LT(rows[1]["mean_kl"].get<double>(), 0.01);
  EXPECT_EQ(rows[2]["method"], "rtn-asym");
  EXPECT_GT(rows[2]["mean_kl"].get<double>(), rows[3]["mean_kl"].get<double>()) << "3 bits worse than 8";
  EXPECT_GT(rows[3]["weight_sqnr_db"].get<double>(), rows[2]["weight_sqnr_db"].get<double>() + 25);
  // Per layer wq 64x64, wk and wv 32x64, wo 64x64, w1 and w3 172x64, w2 64x172: 8-bit codes, and an fp16
  // scale and an 8-bit zero point per group of 32 along a row, w2's 172-column rows ending in a group of 12.
  const double weights = 2 * 64 * 64 + 2 * 32 * 64 + 3 * 172 * 64;
  const double groups = (64 + 32 + 32 + 64 + 172 + 172) * 2 + 64 * 6;
  EXPECT_NEAR(rows[3]["bits_per_weight"].get<double>(), (8 * weights + (16 + 8) * groups) / weights, 1e-9);
  EXPECT_EQ(rows[4]["method"], "mxfp4");
  std::ifstream svg(scratch / "kl.svg");
  std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("<svg"), std::string::npos);
  EXPECT_NE(text.find("rtn-asym"), std::string::npos);
  // The plot is not overwritten without --force.
  EXPECT_EQ(weightstream("eval --methods mxfp4 --positions 8 --sequences 1 --plot " + scratch / "kl.svg").exit_code, 5);
}

// The regression's own invariants over the whole sweep: more bits never hurt
// an integer method, GPTQ beats round-to-nearest on the same grid where
// rounding error dominates, and bf16 is nearly lossless.
TEST(CliEval, SweepOfEveryMethodKeepsTheExpectedOrder) {
  const nlohmann::json report = json_of(weightstream(
      "eval --methods rtn-sym,rtn-asym,gptq,mxfp8-e4m3,mxfp8-e5m2,mxfp6-e3m2,mxfp6-e2m3,mxfp4,mxint8,nvfp4 "
      "--positions 512 --sequences 4 --json"));
  std::map<std::string, std::map<int, double>> kl;
  for (const auto& row : report["rows"]) kl[row["method"]][row["bits"]] = row["mean_kl"];
  EXPECT_EQ(kl["fp32"][32], 0.0);
  EXPECT_LT(kl["bf16"][16], 0.005);
  for (const std::string method : {"rtn-sym", "rtn-asym", "gptq"}) {
    ASSERT_EQ(kl[method].size(), 7u) << method;
    for (int bits = 3; bits <= 8; ++bits) EXPECT_LT(kl[method][bits], kl[method][bits - 1]) << method << " " << bits;
  }
  for (int bits = 3; bits <= 6; ++bits) EXPECT_LT(kl["gptq"][bits], kl["rtn-asym"][bits]) << bits << " bits";
  for (const std::string method : {"mxfp8-e4m3", "mxfp8-e5m2", "mxfp6-e3m2", "mxfp6-e2m3", "mxfp4", "mxint8", "nvfp4"}) {
    EXPECT_EQ(kl[method].size(), 1u) << method;
  }
  EXPECT_LT(kl["mxint8"][8], kl["mxfp8-e4m3"][8]);
}

TEST(CliEval, ArgumentsAreCheckedBeforeAnyWork) {
  EXPECT_EQ(weightstream("eval --methods nosuch").exit_code, 1);
  EXPECT_EQ(weightstream("eval --methods rtn-sym --bits 1").exit_code, 1);
  EXPECT_EQ(weightstream("eval --bits 0").exit_code, 1);
  EXPECT_EQ(weightstream("eval --bits 9").exit_code, 1);
  EXPECT_EQ(weightstream("eval --positions 0").exit_code, 1);
  EXPECT_EQ(weightstream("eval --positions 100 --sequences 3").exit_code, 1);
  EXPECT_EQ(weightstream("eval --positions 4096 --sequences 1").exit_code, 1);
  EXPECT_EQ(weightstream("eval --group 0").exit_code, 1);
  EXPECT_EQ(weightstream("eval --methods rtn-sym --act-order").exit_code, 1);
}

}  // namespace
}  // namespace ws::test
