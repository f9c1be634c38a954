// encode --method vp from the command line: every linear layer meets the
// floor its name asks for, measured here on the decoded file (not taken from
// the report); per-row floors hold for every row; inspect shows the tables;
// options that do not apply are refused before any work.
#include <gtest/gtest.h>

#include <cmath>
#include <fnmatch.h>
#include <nlohmann/json.hpp>
#include <string>

#include "golden/model/model_file.hpp"
#include "tests/support/weightstream_cli.hpp"

namespace ws::test {
namespace {

struct Scratch : ScratchDir {
  Scratch() : ScratchDir("vp_cli") {}
};

// SQNR of y against x over [begin, end), in dB.
double sqnr_db(const std::vector<float>& x, const std::vector<float>& y, size_t begin, size_t end) {
  double signal = 0, noise = 0;
  for (size_t i = begin; i < end; ++i) {
    signal += double{x[i]} * x[i];
    noise += (double{x[i]} - y[i]) * (double{x[i]} - y[i]);
  }
  return noise == 0 ? INFINITY : 10 * std::log10(signal / noise);
}

bool is_linear(const golden::Tensor& t) { return t.shape.size() == 2 && t.name.find("token_embedding") == std::string::npos; }

TEST(CliVp, EveryLinearLayerMeetsItsFloorOnTheDecodedFile) {
  Scratch scratch;
  ProcessResult r = weightstream("encode " + kModel + " -o " + scratch / "vp.wsc --method vp --quality sqnr=25dB" +
                                 " --quality-for 'layers.*.wq=sqnr=40dB' --quality-for 'layers.*.w2=sqnr=35' --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json encode = nlohmann::json::parse(r.out);
  r = weightstream("decode " + scratch / "vp.wsc -o " + scratch / "vp.bin --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json decode = nlohmann::json::parse(r.out);
  EXPECT_EQ(decode["byte_exact_source"], false);
  EXPECT_EQ(decode["vp_tensors"], 35);

  const golden::Model original = golden::load_model(kModel), decoded = golden::load_model(scratch / "vp.bin");
  ASSERT_EQ(original.tensors.size(), decoded.tensors.size());
  int vp = 0;
  for (size_t i = 0; i < original.tensors.size(); ++i) {
    const golden::Tensor& t = original.tensors[i];
    const nlohmann::json& row = encode["tensors"][i];
    ASSERT_EQ(row["name"], t.name);
    if (!is_linear(t)) {
      EXPECT_EQ(row["method"], "lossless") << t.name;
      EXPECT_EQ(decoded.tensors[i].bits, t.bits) << t.name << " is restored bit for bit";
      continue;
    }
    ++vp;
    EXPECT_EQ(row["method"], "vp") << t.name;
    const double floor = fnmatch("layers.*.wq", t.name.c_str(), 0) == 0   ? 40
                         : fnmatch("layers.*.w2", t.name.c_str(), 0) == 0 ? 35
                                                                          : 25;
    const double measured = sqnr_db(t.to_floats(), decoded.tensors[i].to_floats(), 0, t.size());
    EXPECT_GE(measured, floor) << t.name;
    EXPECT_NEAR(row["quality"]["sqnr_db"].get<double>(), measured, 1e-9) << t.name;
    EXPECT_LT(row["bits_per_weight"].get<double>(), 32) << t.name;
    EXPECT_EQ(row["quality"]["floor"], "sqnr=" + std::to_string(static_cast<int>(floor)) + "dB") << t.name;
  }
  EXPECT_EQ(vp, 35);

  r = weightstream("inspect " + scratch / "vp.wsc --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json inspect = nlohmann::json::parse(r.out);
  for (size_t i = 0; i < original.tensors.size(); ++i) {
    const nlohmann::json& row = inspect["tensors"][i];
    if (row["method"] != "vp") continue;
    EXPECT_EQ(row["vp"], encode["tensors"][i]["vp"]) << row["name"];
    EXPECT_EQ(row["bits_per_weight"], encode["tensors"][i]["bits_per_weight"]) << row["name"];
    EXPECT_GE(row["vp"]["symbols"].size(), 2u);
  }
}

// sim decodes vp containers through the hardware model and checks every weight against golden.
TEST(CliVp, SimRunsVpContainersBitExact) {
  Scratch scratch;
  ASSERT_EQ(weightstream("encode " + kModel + " -o " + scratch / "vp.wsc --as bf16 --method vp --quality sqnr=20dB").exit_code, 0);
  const ProcessResult r = weightstream("sim " + scratch / "vp.wsc --engine hls --stall 0.3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["bit_exact"], true);
  EXPECT_EQ(report["weights"], 260032);
  EXPECT_EQ(report["quantized_tensors_skipped"], 0);
  EXPECT_EQ(report["tensors"].size(), 47u);
}

TEST(CliVp, PerRowFloorHoldsForEveryRow) {
  Scratch scratch;
  ProcessResult r =
      weightstream("encode " + kModel + " -o " + scratch / "vp.wsc --method vp --quality cos=0.999 --quality-per row --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(weightstream("decode " + scratch / "vp.wsc -o " + scratch / "vp.bin").exit_code, 0);
  const golden::Model original = golden::load_model(kModel), decoded = golden::load_model(scratch / "vp.bin");
  for (size_t i = 0; i < original.tensors.size(); ++i) {
    const golden::Tensor& t = original.tensors[i];
    if (!is_linear(t)) continue;
    const std::vector<float> x = t.to_floats(), y = decoded.tensors[i].to_floats();
    const auto cols = static_cast<size_t>(t.shape[1]);
    for (size_t row = 0; row < x.size() / cols; ++row) {
      double xy = 0, xx = 0, yy = 0;
      for (size_t c = row * cols; c < (row + 1) * cols; ++c) xy += double{x[c]} * y[c], xx += double{x[c]} * x[c], yy += double{y[c]} * y[c];
      ASSERT_GE(xy / std::sqrt(xx * yy), 0.999) << t.name << " row " << row;
    }
  }
}

TEST(CliVp, OptionsThatDoNotApplyAreRefused) {
  Scratch scratch;
  for (const std::string args : {"--method vp", "--method vp --quality snr=3", "--method vp --quality sqnr=abc",
                                 "--method vp --quality cos=2", "--method vp --quality sqnr=30 --quality-per column",
                                 "--method vp --quality sqnr=30 --bits 4", "--quality sqnr=30",
                                 "--method rtn-sym --quality-per row", "--method vp --quality sqnr=30 --quality-for x"}) {
    const ProcessResult r = weightstream("encode " + kModel + " -o " + scratch / "x.wsc " + args);
    EXPECT_EQ(r.exit_code, 1) << args << ": " << r.err;
    EXPECT_FALSE(r.err.empty()) << args;
    EXPECT_FALSE(std::filesystem::exists(scratch / "x.wsc")) << args;
  }
}

}  // namespace
}  // namespace ws::test
