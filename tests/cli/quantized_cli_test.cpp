// encode --method: quantised linear layers in the container, seen from the
// command line: decode writes the dequantised model, inspect names the method
// and its bits per weight, generate and sim read such containers, and every
// option that does not apply is refused before any work.
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "golden/model/model_file.hpp"
#include "golden/quant/model_quantizer.hpp"
#include "tests/support/weightstream_cli.hpp"

namespace ws::test {
namespace {

namespace fs = std::filesystem;
struct Scratch : ScratchDir {
  Scratch() : ScratchDir("quant_cli") {}
};

TEST(CliQuantized, DecodeWritesTheDequantisedModelTheRegressionEvaluates) {
  Scratch scratch;
  ProcessResult r = weightstream("encode " + kModel + " -o " + scratch / "q.wsc --method rtn-sym --bits 6 --group 64");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = weightstream("decode " + scratch / "q.wsc -o " + scratch / "q.bin --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["byte_exact_source"], false);
  EXPECT_EQ(report["quantized_tensors"], 35);
  // The decoded llama2.c file against the golden library's quantisation of the original.
  const golden::Llama2Weights decoded = golden::load_llama2(scratch / "q.bin");
  golden::QuantizedModel expected =
      golden::quantize_model(golden::load_llama2(kModel), {"rtn-sym", 6, 64}, nullptr, false);
  golden::Llama2Weights decoded_copy = decoded;
  const auto got = decoded_copy.matrices(true), want = expected.weights.matrices(true);
  ASSERT_EQ(got.size(), want.size());
  for (size_t m = 0; m < got.size(); ++m) {
    for (size_t i = 0; i < got[m]->values.size(); ++i) {
      ASSERT_EQ(std::bit_cast<uint32_t>(got[m]->values[i]), std::bit_cast<uint32_t>(want[m]->values[i]))
          << got[m]->name << " weight " << i;
    }
  }
  EXPECT_EQ(fs::file_size(scratch / "q.bin"), fs::file_size(kModel)) << "the llama2.c layout is kept";
}

TEST(CliQuantized, InspectGenerateAndSimReadQuantisedContainers) {
  Scratch scratch;
  ASSERT_EQ(weightstream("encode " + kModel + " -o " + scratch / "q.wsc --method nvfp4").exit_code, 0);
  ProcessResult r = weightstream("inspect " + scratch / "q.wsc --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out);
  for (const auto& t : report["tensors"]) {
    const std::string name = t["name"];
    const bool linear = name.find(".w") != std::string::npos;
    EXPECT_EQ(t["method"], linear ? "nvfp4" : "lossless") << name;
    if (linear) {
      // Payload: 4-bit codes and an 8-bit scale per block of 16 along a row (the
      // last block of a row may be short), each part packed to whole bytes; the
      // fp32 tensor scale is in the directory.
      const double rows = t["shape"][0].get<double>(), cols = t["shape"][1].get<double>(), weights = rows * cols;
      const double expected = (std::ceil(weights * 4 / 8) + rows * std::ceil(cols / 16)) * 8 / weights;
      EXPECT_NEAR(t["bits_per_weight"].get<double>(), expected, 1e-9) << name;
    }
  }
  ASSERT_EQ(weightstream("decode " + scratch / "q.wsc -o " + scratch / "q.bin").exit_code, 0);
  const std::string args = " --steps 30 --temperature 1 --seed 5 --json";
  r = weightstream("generate " + scratch / "q.wsc" + args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["sequences"],
            nlohmann::json::parse(weightstream("generate " + scratch / "q.bin" + args).out)["sequences"]);
  r = weightstream("sim " + scratch / "q.wsc --engine hls --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json sim = nlohmann::json::parse(r.out);
  EXPECT_EQ(sim["bit_exact"], true);
  EXPECT_EQ(sim["quantized_tensors_skipped"], 35);
  EXPECT_EQ(sim["tensors"].size(), 12u);  // embedding and norms: the lossless tensors
}

TEST(CliQuantized, OptionsThatDoNotApplyAreRefusedBeforeAnyWork) {
  Scratch scratch;
  const std::string out = " -o " + scratch / "x.wsc";
  for (const std::string args : {"--bits 4", "--group 64", "--all", "--act-order", "--method nosuch",
                                  "--method mxfp4 --bits 4", "--method nvfp4 --group 16", "--method rtn-sym --bits 9",
                                  "--method rtn-sym --bits 1", "--method rtn-asym --act-order",
                                  "--method rtn-asym --calibration-positions 64", "--method rtn-sym --as bf16",
                                  "--method rtn-sym --group 0"}) {
    const ProcessResult r = weightstream("encode " + kModel + out + " " + args);
    EXPECT_EQ(r.exit_code, 1) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(scratch / "x.wsc")) << args;
  }
}

// dbf and sfmp at fractional targets and onebit, calibrated as encode
// calibrates (8 sequences from seeds 1000004 + b), decode to the golden
// library's fit.
TEST(CliQuantized, FractionalAndSignMethodsDecodeToTheGoldenFit) {
  Scratch scratch;
  const golden::Llama2Weights reference = golden::load_llama2(kModel);
  const golden::Hessians hessians = golden::collect_hessians(reference, 8, 256 / 8, 1000004);
  for (const golden::QuantRequest& request :
       {golden::QuantRequest{"dbf", 0, 32, false, 1.5}, golden::QuantRequest{"onebit", 1, 0},
        golden::QuantRequest{"sfmp", 0, 32, false, 2.5}}) {
    const std::string bits = request.target_bits > 0 ? " --bits " + std::to_string(request.target_bits) : "";
    ProcessResult r = weightstream("encode " + kModel + " -o " + scratch / "f.wsc -f --method " + request.method +
                                   bits + " --calibration-positions 256");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = weightstream("decode " + scratch / "f.wsc -o " + scratch / "f.bin -f");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    golden::Llama2Weights decoded = golden::load_llama2(scratch / "f.bin");
    golden::QuantizedModel expected = golden::quantize_model(reference, request, &hessians, false);
    if (request.method == "dbf") {
      EXPECT_LE(expected.bits_per_weight, 1.5);
    }
    const auto got = decoded.matrices(false), want = expected.weights.matrices(false);
    ASSERT_EQ(got.size(), want.size());
    for (size_t m = 0; m < got.size(); ++m) {
      for (size_t i = 0; i < got[m]->values.size(); ++i) {
        ASSERT_EQ(std::bit_cast<uint32_t>(got[m]->values[i]), std::bit_cast<uint32_t>(want[m]->values[i]))
            << request.method << " " << got[m]->name << " weight " << i;
      }
    }
    r = weightstream("inspect " + scratch / "f.wsc --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json inspected = nlohmann::json::parse(r.out);
    for (const auto& t : inspected["tensors"]) {
      if (t["name"] == "layers.0.wq") {
        EXPECT_EQ(t["method"], request.method);
        if (request.method == "sfmp") {
          EXPECT_EQ(t["average_code_bits"], 2.5) << "64 x 64: eight blocks of 16 x 32";
        }
      }
    }
  }
  // Bits no method takes, and bits too few for a matrix's scales.
  ProcessResult r;
  for (const std::string args : {"--method dbf --bits 0.3", "--method dbf --bits 17", "--method dbf --group 64",
                                 "--method onebit --bits 2", "--method rtn-sym --bits 2.5", "--method dbf --act-order",
                                 "--method sfmp --bits 1.5", "--method sfmp --bits 8.5"}) {
    r = weightstream("encode " + kModel + " -o " + scratch / "x.wsc " + args);
    EXPECT_EQ(r.exit_code, 1) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(scratch / "x.wsc")) << args;
  }
  r = weightstream(
      "eval --methods dbf,onebit,sfmp --bits 1.5,2.5 --positions 32 --sequences 2 --calibration-positions 32 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json rows = nlohmann::json::parse(r.out)["rows"];
  ASSERT_EQ(rows.size(), 2u + 4) << "dbf at 1.5 and 2.5, onebit, sfmp at 2.5";
  EXPECT_EQ(rows[2]["method"], "dbf");
  EXPECT_EQ(rows[2]["bits"], 1.5);
  EXPECT_LE(rows[2]["bits_per_weight"].get<double>(), 1.5);
  EXPECT_EQ(rows[4]["method"], "onebit");
  EXPECT_EQ(rows[5]["method"], "sfmp");
  EXPECT_EQ(rows[5]["bits"], 2.5);
  EXPECT_EQ(weightstream("eval --methods rtn-sym --bits 1.5 --positions 32 --sequences 2").exit_code, 1);
}

// codebook at a floor with a stricter one for w1, calibrated as encode
// calibrates, decodes to the golden fit; every row of every matrix meets its floor.
TEST(CliQuantized, CodebookMeetsItsFloorsAndDecodesToTheGoldenFit) {
  Scratch scratch;
  const std::string floors = " --quality cos=0.99 --quality-for 'layers.*.w1=cos=0.999'";
  ProcessResult r = weightstream("encode " + kModel + " -o " + scratch / "c.wsc --method codebook" + floors +
                                 " --calibration-positions 256 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = weightstream("decode " + scratch / "c.wsc -o " + scratch / "c.bin");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const golden::Llama2Weights reference = golden::load_llama2(kModel);
  golden::QuantRequest request{"codebook", 0, 0, false, 0, "cos=0.99", {"layers.*.w1=cos=0.999"}};
  const golden::Hessians hessians = golden::collect_hessians(reference, 8, 256 / 8, 1000004);
  golden::QuantizedModel expected = golden::quantize_model(reference, request, &hessians, false);
  golden::Llama2Weights decoded = golden::load_llama2(scratch / "c.bin");
  golden::Llama2Weights original = reference;
  const auto got = decoded.matrices(false), want = expected.weights.matrices(false), x = original.matrices(false);
  ASSERT_EQ(got.size(), want.size());
  for (size_t m = 0; m < got.size(); ++m) {
    ASSERT_EQ(got[m]->values, want[m]->values) << got[m]->name;
    const double floor = got[m]->name.ends_with(".w1") ? 0.999 : 0.99;
    for (int64_t row = 0; row < got[m]->rows; ++row) {
      double xx = 0, yy = 0, xy = 0;
      for (int64_t c = 0; c < got[m]->cols; ++c) {
        const double a = x[m]->values[row * got[m]->cols + c], b = got[m]->values[row * got[m]->cols + c];
        xx += a * a, yy += b * b, xy += a * b;
      }
      ASSERT_GE(xy / std::sqrt(xx * yy), floor) << got[m]->name << " row " << row;
    }
  }
  for (const std::string args :
       {"--method codebook", "--method codebook --quality cos=2", "--method codebook --quality cos=0.99 --bits 3",
        "--method codebook --quality cos=0.99 --quality-per row",
        "--method codebook --quality cos=0.99 --rotate butterfly", "--method rtn-sym --quality cos=0.99"}) {
    r = weightstream("encode " + kModel + " -o " + scratch / "x.wsc " + args);
    EXPECT_EQ(r.exit_code, 1) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(scratch / "x.wsc")) << args;
  }
  r = weightstream(
      "eval --methods codebook --quality cos=0.99,cos=0.999 --positions 32 --sequences 2 "
      "--calibration-positions 32 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json rows = nlohmann::json::parse(r.out)["rows"];
  ASSERT_EQ(rows.size(), 2u + 2);
  EXPECT_EQ(rows[3]["quality"], "cos=0.999");
  EXPECT_GT(rows[3]["bits_per_weight"].get<double>(), rows[2]["bits_per_weight"].get<double>());
}

// --fit-bytes: the walk covers every floor pair, the chosen one fits with the
// lowest KL of those that fit, and the container's codebook payloads add up
// to the chosen pair's bytes.
TEST(CliQuantized, CodebookBudgetSearchFitsWithTheLowestKl) {
#ifdef WS_UNDER_SANITIZER
  GTEST_SKIP() << "245 codebook fits take minutes under the sanitizers; the plain run checks the search";
#endif
  Scratch scratch;
  const std::string common = " --method codebook --calibration-positions 128 --fit-positions 128 --json";
  ProcessResult r = weightstream("encode " + kModel + " -o " + scratch / "b.wsc --fit-bytes 100000" + common);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out);
  const nlohmann::json& search = report["fit_search"];
  ASSERT_EQ(search["walk"].size(), 28u) << "7 floors: every pair with the lazy floor no stricter";
  bool some_too_big = false;
  for (const auto& p : search["walk"]) {
    EXPECT_EQ(p["fits"], p["bytes"].get<uint64_t>() <= 100000) << p.dump();
    EXPECT_EQ(p["mean_kl"].is_null(), !p["fits"].get<bool>()) << p.dump();
    if (p["fits"]) {
      EXPECT_GE(p["mean_kl"].get<double>(), search["chosen"]["mean_kl"].get<double>()) << p.dump();
    }
    some_too_big = some_too_big || !p["fits"].get<bool>();
  }
  EXPECT_TRUE(some_too_big);
  uint64_t payload = 0;
  for (const auto& t : report["tensors"]) {
    if (t["method"] == "codebook") {
      payload += t["compressed_bytes"].get<uint64_t>();
    }
  }
  EXPECT_EQ(payload, search["chosen"]["bytes"].get<uint64_t>());
  EXPECT_LE(payload, 100000u);
  r = weightstream("encode " + kModel + " -o " + scratch / "x.wsc --fit-bytes 1000" + common);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no pair of codebook floors fits 1000 bytes"), std::string::npos) << r.err;
  for (const std::string args : {"--method codebook --fit-bytes 100000 --quality cos=0.99",
                                 "--method rtn-sym --fit-bytes 100000", "--method codebook --fit-bytes 0"}) {
    r = weightstream("encode " + kModel + " -o " + scratch / "x.wsc " + args);
    EXPECT_EQ(r.exit_code, 1) << args << ": " << r.err;
  }
  EXPECT_FALSE(fs::exists(scratch / "x.wsc"));
}

TEST(CliQuantized, GptqNeedsAModelItCanRun) {
  Scratch scratch;
  ASSERT_EQ(weightstream("encode " + kModel + " -o " + scratch / "m.wsc").exit_code, 0);
  ASSERT_EQ(weightstream("decode " + scratch / "m.wsc -o " + scratch / "m.safetensors").exit_code, 0);
  // A safetensors file without a llama2.c header: no model to calibrate with.
  ASSERT_EQ(weightstream("encode " + kModel + " --as bf16 -o " + scratch / "b.wsc").exit_code, 0);
  ASSERT_EQ(weightstream("decode " + scratch / "b.wsc -o " + scratch / "b.safetensors").exit_code, 0);
  ProcessResult r = weightstream("encode " + scratch / "b.safetensors -o " + scratch / "g.wsc --method gptq");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("llama2.c checkpoint"), std::string::npos) << r.err;
  r = weightstream("encode " + kModel + " -o " + scratch / "g.wsc --method gptq --bits 4 --calibration-positions 256");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Other quantisers take any safetensors model.
  r = weightstream("encode " + scratch / "b.safetensors -o " + scratch / "r.wsc --method rtn-asym");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace ws::test
