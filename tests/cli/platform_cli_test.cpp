// weightstream sim --platform: every tensor of stories260K through the
// SystemC platform, bit-exact, at a setting where decode is the limit and
// one where memory is, the measured weights per clock within 5% of the
// roofline and the JSON naming the bound; the DRAM latency's effect and the
// FIFO that hides it; the platform options' errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/weightstream_cli.hpp"

namespace ws::test {
namespace {

class CliPlatform : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir("platform");
    const ProcessResult r = weightstream("encode " + kModel + " -o " + container());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The Verilated RTL where this build has it.
    engine_ = weightstream("sim " + container() + " --engine rtl --tensor layers.0.wq").exit_code == 0 ? "rtl" : "hls";
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string container() { return *dir_ / "stories.wsc"; }

  static nlohmann::json platform_run(const std::string& options, const std::string& engine = engine_) {
    const ProcessResult r =
        weightstream("sim " + container() + " --platform --json --engine " + engine + " " + options);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
  }

  static inline ScratchDir* dir_ = nullptr;
  static inline std::string engine_;
};

TEST_F(CliPlatform, DecodeBoundAndMemoryBoundRunsMeetTheRoofline) {
  struct Setting {
    std::string options, bound;
  };
  for (const Setting& s : {Setting{"--dram-bytes-per-clock 64 --dram-latency 20", "decode"},
                           Setting{"--dram-bytes-per-clock 4 --dram-latency 40", "memory"}}) {
    SCOPED_TRACE(engine_ + " " + s.options);
    const nlohmann::json j = platform_run(s.options + " --clock-mhz 250");
    ASSERT_FALSE(j.is_null());
    EXPECT_EQ(j["bit_exact"], true);
    EXPECT_EQ(j["tensors"].size(), 47u);
    const nlohmann::json& p = j["platform"];
    EXPECT_EQ(p["bound"], s.bound);
    EXPECT_GE(p["measured_over_roofline"].get<double>(), 0.95);
    EXPECT_LE(p["measured_over_roofline"].get<double>(), 1.0 + 1e-9);
    // The streams are read once, the weights written once; the time is the clocks at 250 MHz.
    EXPECT_EQ(p["bytes_written"], 4 * j["weights"].get<uint64_t>());
    EXPECT_DOUBLE_EQ(p["decode_ns"].get<double>(), j["cycles"].get<double>() * 4.0);
    const double bytes_per_clock = p["achieved_bytes_per_clock"].get<double>();
    EXPECT_LE(bytes_per_clock, p["dram_bytes_per_clock"].get<double>());
    if (s.bound == "memory") {
      EXPECT_GE(bytes_per_clock, 0.95 * p["dram_bytes_per_clock"].get<double>());
    }
  }
}

// Latency is hidden while each lane's FIFO covers latency x the lane's rate
// (Little's law): 200 clocks at 3.3 bytes a weight need 165 words in flight.
TEST_F(CliPlatform, ALatencyBeyondTheFifoThrottlesTheDecoderAndADeeperFifoHidesIt) {
  const double short_fifo = platform_run("--dram-bytes-per-clock 64 --dram-latency 200 --fifo-words 64",
                                         "hls")["platform"]["measured_over_roofline"];
  const double deep_fifo = platform_run("--dram-bytes-per-clock 64 --dram-latency 200 --fifo-words 512",
                                        "hls")["platform"]["measured_over_roofline"];
  EXPECT_LT(short_fifo, 0.5);
  EXPECT_GT(deep_fifo, 0.75);
}

// The token factory on the same platform: 4 sequences, 16 steps, every
// product checked against golden by the driver, at a decode-bound and a
// bandwidth-bound setting, within 5% of min(8 lanes, W x 8 / coded bits per weight).
TEST_F(CliPlatform, TheTokenFactoryRunsBitExactAtTheRoofline) {
  struct Setting {
    std::string options, bound;
  };
  for (const Setting& s : {Setting{"--dram-bytes-per-clock 64 --dram-latency 20", "decode"},
                           Setting{"--dram-bytes-per-clock 4 --dram-latency 40", "bandwidth"}}) {
    SCOPED_TRACE(engine_ + " " + s.options);
    const ProcessResult r =
        weightstream("generate --engine " + engine_ + " --tokens 4 --steps 16 --json --platform " + s.options);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["bit_exact"], true);
    EXPECT_GT(j["products_checked"].get<uint64_t>(), 200000u);
    EXPECT_EQ(j["bound"], s.bound);
    const nlohmann::json& p = j["platform"];
    EXPECT_GE(p["measured_over_roofline"].get<double>(), 0.95);
    EXPECT_LE(p["measured_over_roofline"].get<double>(), 1.0 + 1e-9);
    EXPECT_GT(p["dram_bytes_read"].get<uint64_t>(), 0u);
  }
  for (const std::string& bad :
       {std::string("generate --platform --steps 2"), std::string("generate --engine hls --dram-latency 5 --steps 2"),
        std::string("generate --engine golden --platform --steps 2"),
        std::string("generate --engine hls --platform --bandwidth 4 --steps 2")}) {
    EXPECT_EQ(weightstream(bad).exit_code, 1) << bad;
  }
}

TEST_F(CliPlatform, TooLittleDeviceMemoryExits2WithTheReason) {
  const ProcessResult r = weightstream("sim " + container() + " --platform --engine hls --device-memory-kib 64");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.out.find("tensor 'token_embedding_table' needs 264640 bytes of device memory, the card has 65536"),
            std::string::npos)
      << r.out;
}

TEST_F(CliPlatform, PlatformOptionsAreCheckedBeforeAnyWork) {
  for (const std::string& options :
       {std::string("--dram-latency 10"), std::string("--burst 128"), std::string("--platform --bandwidth 4"),
        std::string("--platform --stall 0.1"), std::string("--platform --burst 6"),
        std::string("--platform --fifo-words 8 --burst 64"), std::string("--platform --dram-bytes-per-clock -1"),
        std::string("--platform --clock-mhz 0")}) {
    const ProcessResult r = weightstream("sim " + container() + " --engine hls " + options);
    EXPECT_EQ(r.exit_code, 1) << options << ": " << r.err;
    EXPECT_FALSE(r.err.empty()) << options;
  }
}

}  // namespace
}  // namespace ws::test
