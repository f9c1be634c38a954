// weightstream sweep: the ANS decoder over lane counts and bandwidths. Every
// point decodes the matrices bit-exact; away from the knee (decode-bound at
// 32 bytes a clock, bandwidth-bound at 1) the measured weights per clock are
// within 5% of the roofline min(K, bytes per clock / coded bytes per
// weight); the three files are written, the SVG by gnuplot; bad requests
// are refused before any work, and existing files kept without -f.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/weightstream_cli.hpp"

namespace ws::test {
namespace {

TEST(CliSweep, PointsAwayFromTheKneeMeetTheRoofline) {
  const ScratchDir dir("sweep");
  const std::string prefix = dir / "roofline";
  const ProcessResult r =
      weightstream("sweep --engine hls --lanes 2,8 --bandwidth 1,32 --clock-mhz 250 --json --out " + prefix);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["points"].size(), 4u);
  for (const nlohmann::json& p : j["points"]) {
    const std::string what = std::to_string(p["lanes"].get<int>()) + " lanes, " +
                             std::to_string(p["bytes_per_clock"].get<double>()) + " bytes/clock";
    EXPECT_EQ(p["bit_exact"], true) << what;
    const bool wide = p["bytes_per_clock"].get<double>() > 16;
    EXPECT_EQ(p["bound"], wide ? "decode" : "bandwidth") << what;
    const double roofline = wide ? p["lanes"].get<double>() : 8 / p["bits_per_weight"].get<double>();
    EXPECT_DOUBLE_EQ(p["roofline"].get<double>(), roofline) << what;
    EXPECT_NEAR(p["weights_per_clock"].get<double>(), roofline, 0.05 * roofline) << what;
    EXPECT_DOUBLE_EQ(p["weights_per_second"].get<double>(), p["weights_per_clock"].get<double>() * 250e6) << what;
  }
  std::ifstream svg(prefix + ".svg");
  const std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("<svg"), std::string::npos);
  EXPECT_NE(text.find("measured, 8 lanes"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(prefix + ".md"));
  EXPECT_EQ(nlohmann::json::parse(std::ifstream(prefix + ".json")), j);

  // The files exist now: kept without -f, replaced with it.
  EXPECT_EQ(weightstream("sweep --lanes 1 --bandwidth 4 --out " + prefix).exit_code, 5);
  EXPECT_EQ(weightstream("sweep --lanes 1 --bandwidth 4 -f --out " + prefix).exit_code, 0);
}

// The same sweep on the SystemC platform: the Verilated RTL where the build
// has it, each lane count a new decoder in the one platform; 20 clocks of
// DRAM latency per matrix cost under 5%.
TEST(CliSweep, OnThePlatformPointsMeetTheRoofline) {
  const ScratchDir dir("sweep_platform");
  const std::string engine =
      weightstream("sweep --engine rtl --lanes 1 --bandwidth 4 --out " + (dir / "probe")).exit_code == 0 ? "rtl"
                                                                                                         : "hls";
  const ProcessResult r = weightstream("sweep --platform --dram-latency 20 --engine " + engine +
                                       " --lanes 2,8 --bandwidth 1,32 --json --out " + (dir / "platform"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["platform"]["dram_latency_clocks"], 20);
  ASSERT_EQ(j["points"].size(), 4u);
  for (const nlohmann::json& p : j["points"]) {
    const std::string what = engine + ", " + std::to_string(p["lanes"].get<int>()) + " lanes, " +
                             std::to_string(p["bytes_per_clock"].get<double>()) + " bytes/clock";
    EXPECT_EQ(p["bit_exact"], true) << what;
    EXPECT_EQ(p["bound"], p["bytes_per_clock"].get<double>() > 16 ? "decode" : "bandwidth") << what;
    EXPECT_GE(p["measured_over_roofline"].get<double>(), 0.95) << what;
    EXPECT_LE(p["measured_over_roofline"].get<double>(), 1.0) << what;
  }
  EXPECT_EQ(weightstream("sweep --dram-latency 10 --lanes 1 --bandwidth 4 --out " + (dir / "x")).exit_code, 1);
  EXPECT_EQ(weightstream("sweep --platform --burst 6 --lanes 1 --bandwidth 4 --out " + (dir / "x")).exit_code, 1);
}

TEST(CliSweep, BadRequestsAreRefused) {
  const ScratchDir dir("sweep_bad");
  for (const char* args : {"--lanes 0", "--lanes 33", "--bandwidth 0", "--bandwidth -2", "--engine verilog",
                           "--lanes two", "--clock-mhz 0"}) {
    const ProcessResult r = weightstream(std::string("sweep ") + args + " --out " + (dir / "x"));
    EXPECT_EQ(r.exit_code, 1) << args << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "x.json")) << args;
  }
}

}  // namespace
}  // namespace ws::test
