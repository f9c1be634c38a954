// --rotate from the command line: encode folds the rotation into the model and
// decode writes the rotated, quantised llama2.c checkpoint (a separate
// classifier, hence a negative vocab_size); the butterfly fit reports its
// error; eval gives a row per method and rotation; options that do not apply
// are refused before any work.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "golden/quant/model_rotation.hpp"
#include "tests/support/weightstream_cli.hpp"

namespace ws::test {
namespace {

namespace fs = std::filesystem;
struct Scratch : ScratchDir {
  Scratch() : ScratchDir("rotation_cli") {}
};

TEST(CliRotation, DecodeWritesTheRotatedModelQuantised) {
  Scratch scratch;
  ProcessResult r =
      weightstream("encode " + kModel + " -o " + scratch / "h.wsc --method rtn-sym --bits 6 --rotate hadamard --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["rotation"], "hadamard");
  r = weightstream("decode " + scratch / "h.wsc -o " + scratch / "h.bin");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The header: vocab_size negative, a separate classifier after the RoPE tables.
  std::ifstream in(scratch / "h.bin", std::ios::binary);
  int32_t header[7];
  in.read(reinterpret_cast<char*>(header), sizeof header);
  const golden::Llama2Weights reference = golden::load_llama2(kModel);
  EXPECT_EQ(header[5], -reference.config.vocab_size);
  EXPECT_EQ(fs::file_size(scratch / "h.bin"),
            fs::file_size(kModel) + sizeof(float) * reference.config.vocab_size * reference.config.dim);
  // Its weights: the golden library's rotation of the original, quantised.
  golden::RotationOptions hadamard;
  hadamard.kind = golden::RotationKind::Hadamard;
  const golden::QuantRequest rtn6{"rtn-sym", 6, 32};
  golden::QuantizedModel expected =
      golden::quantize_model(golden::rotate_model(reference, hadamard, rtn6, false).weights, rtn6, nullptr, false);
  golden::Llama2Weights decoded = golden::load_llama2(scratch / "h.bin");
  const auto got = decoded.matrices(true), want = expected.weights.matrices(true);
  ASSERT_EQ(got.size(), want.size());
  for (size_t m = 0; m < got.size(); ++m) {
    ASSERT_EQ(got[m]->name, want[m]->name);
    for (size_t i = 0; i < got[m]->values.size(); ++i) {
      ASSERT_EQ(std::bit_cast<uint32_t>(got[m]->values[i]), std::bit_cast<uint32_t>(want[m]->values[i]))
          << got[m]->name << " weight " << i;
    }
  }
  // The container runs as the decoded file does.
  const std::string args = " --steps 24 --temperature 1 --seed 3 --json";
  r = weightstream("generate " + scratch / "h.wsc" + args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["sequences"],
            nlohmann::json::parse(weightstream("generate " + scratch / "h.bin" + args).out)["sequences"]);
}

TEST(CliRotation, TheButterflyFitReportsItsErrorAndGptqCalibratesOnTheRotatedModel) {
  Scratch scratch;
  ProcessResult r =
      weightstream("encode " + kModel + " -o " + scratch / "b.wsc --method rtn-sym --bits 3 --rotate butterfly " +
                   "--calibration-positions 128 --fit-iterations 30 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json fit = nlohmann::json::parse(r.out)["rotation_fit"];
  EXPECT_LT(fit["end_error"].get<double>(), fit["start_error"].get<double>()) << fit.dump();
  EXPECT_GT(fit["best_iteration"].get<int>(), 0) << fit.dump();
  r = weightstream("encode " + kModel + " -o " + scratch / "g.wsc --method gptq --bits 4 --rotate hadamard " +
                   "--calibration-positions 128");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(CliRotation, EvalGivesARowPerMethodAndRotation) {
  const ProcessResult r = weightstream(
      "eval --methods rtn-sym,mxfp4 --bits 3 --rotate none,hadamard,butterfly --positions 64 --sequences 2 "
      "--calibration-positions 64 --fit-iterations 10 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json rows = nlohmann::json::parse(r.out)["rows"];
  ASSERT_EQ(rows.size(), 2u + 2 * 3);
  for (size_t i = 2; i < rows.size(); ++i) {
    const char* expected = (i - 2) % 3 == 0 ? "none" : (i - 2) % 3 == 1 ? "hadamard" : "butterfly";
    EXPECT_EQ(rows[i]["rotation"], expected) << rows[i].dump();
    EXPECT_EQ(rows[i]["rotation_fit"].is_null(), std::string(expected) != "butterfly") << rows[i].dump();
    EXPECT_GE(rows[i]["fit_seconds"].get<double>(), 0) << rows[i].dump();
    // A rotation stores nothing: the same bits per weight as the unrotated method.
    EXPECT_EQ(rows[i]["bits_per_weight"], rows[2 + (i - 2) / 3 * 3]["bits_per_weight"]) << rows[i].dump();
  }
}

TEST(CliRotation, OptionsThatDoNotApplyAreRefusedBeforeAnyWork) {
  Scratch scratch;
  const std::string out = " -o " + scratch / "x.wsc";
  for (const std::string args :
       {"--rotate hadamard", "--rotate spin --method rtn-sym", "--rotate butterfly --method vp --quality cos=0.99",
        "--method rtn-sym --rotate hadamard --calibration-positions 64",
        "--method rtn-sym --rotate butterfly --calibration-positions 4",
        "--method rtn-sym --rotate hadamard --fit-iterations 5",
        "--method rtn-sym --rotate butterfly --fit-iterations -1"}) {
    const ProcessResult r = weightstream("encode " + kModel + out + " " + args);
    EXPECT_EQ(r.exit_code, 1) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(scratch / "x.wsc")) << args;
  }
  EXPECT_EQ(weightstream("eval --rotate spin --methods rtn-sym --bits 3").exit_code, 1);
  // A rotation folds into a llama2 model: a file of other tensors is refused.
  ASSERT_EQ(weightstream("encode " + kModel + " --as bf16 -o " + scratch / "b.wsc").exit_code, 0);
  ASSERT_EQ(weightstream("decode " + scratch / "b.wsc -o " + scratch / "b.safetensors").exit_code, 0);
  const ProcessResult r =
      weightstream("encode " + scratch / "b.safetensors" + out + " --method rtn-sym --rotate hadamard");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("llama2.c checkpoint"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(scratch / "x.wsc"));
}

}  // namespace
}  // namespace ws::test
