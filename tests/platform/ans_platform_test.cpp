// The SystemC platform at the register level: every tensor of stories260K
// through the host driver, bit-exact; then the errors a driver can make,
// each of which must leave a clear status, no hang, and nothing lost (the
// job that follows, or the one running, decodes bit-exact). One platform
// serves the whole process (SystemC elaborates once): each test configures
// it afresh.
#include "sim/platform/ans_platform.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "golden/common/error.hpp"
#include "host/driver/ans_platform_driver.hpp"
#include "sim/factory/factory_card.hpp"
#include "sim/platform/platform_registers.hpp"
#include "tests/support/stories.hpp"

namespace ws {
namespace {

namespace r = sim::platform_reg;
using host::AnsCardDriver;
using host::PlatformJob;

constexpr uint64_t kMemoryBytes = uint64_t{1} << 20;

// The platform, configured afresh: 4 bytes a clock (memory-bound), 40 clocks of latency.
sim::DeviceTransport& fresh_card(sim::EngineKind kind = sim::EngineKind::Hls, double bytes_per_clock = 4) {
  sim::AnsPlatform& platform = sim::AnsPlatform::get({300, kMemoryBytes});
  // The rtl build has 16 lanes; the others are made with 8.
  platform.configure({{bytes_per_clock, 40}, {64, 64}}, kind, {kind == sim::EngineKind::Rtl ? 16 : 8, 32, ""});
  return platform.host();
}

const test::EncodedStories& stories() {
  static const test::EncodedStories e = test::encoded_stories(8);
  return e;
}

r::PlatformError error_of(sim::DeviceTransport& card) { return r::status_error(card.read_register(r::kStatus)); }

// A job that must decode bit-exact after whatever the test did.
void expect_exact(AnsCardDriver& driver, size_t tensor) {
  const golden::TensorSetup setup = stories().setup(tensor, 32);
  const PlatformJob job = driver.run(stories().encoded[tensor].name, setup, golden::decode_tensor_setup(setup));
  EXPECT_TRUE(job.run.ok()) << job.run.status.message();
  EXPECT_EQ(job.run.weights, stories().tensors[tensor].bits.size());
}

TEST(AnsPlatform, EveryTensorDecodesBitExactThroughTheRegisters) {
  for (const sim::EngineKind kind : {sim::EngineKind::Hls, sim::EngineKind::Rtl}) {
    if (!sim::engine_available(kind)) continue;
    AnsCardDriver driver(fresh_card(kind));
    uint64_t bytes = 0, weights = 0, cycles = 0;
    for (size_t i = 0; i < stories().encoded.size(); ++i) {
      const golden::TensorSetup setup = stories().setup(i, 32);
      const PlatformJob job = driver.run(stories().encoded[i].name, setup, golden::decode_tensor_setup(setup));
      ASSERT_TRUE(job.run.ok()) << sim::engine_name(kind) << ": " << job.run.status.message();
      bytes += job.bytes_read;
      weights += job.run.weights;
      cycles += job.run.cycles;
      // Every weight written back, 4 bytes each; every stream word read once.
      EXPECT_EQ(job.bytes_written, 4 * job.run.weights);
      uint64_t words = 0;
      for (const golden::LaneSetup& lane : setup.lanes) words += lane.words.size();
      EXPECT_EQ(job.bytes_read, 4 * words);
    }
    // 4 bytes a clock hold the decoder back: at most the memory's rate.
    EXPECT_LE(double(weights) / double(cycles), 4.0 * double(weights) / double(bytes) * 1.001)
        << sim::engine_name(kind);
  }
}

TEST(AnsPlatform, BadRegisterAccessesAreAddressErrorsAndLoseNothing) {
  sim::DeviceTransport& card = fresh_card();
  AnsCardDriver driver(card);
  for (const uint32_t address : {r::kEnd, uint32_t{0x8000}, uint32_t{0x0c}}) {
    EXPECT_THROW(card.read_register(address), golden::Error) << std::hex << address;
    EXPECT_EQ(error_of(card), r::PlatformError::BadAddress) << std::hex << address;
    card.write_register(r::kControl, r::kClear);
    EXPECT_EQ(error_of(card), r::PlatformError::None);
  }
  // Read-only registers refuse writes.
  EXPECT_THROW(card.write_register(r::kCycles, 1), golden::Error);
  EXPECT_THROW(card.write_register(r::kStatus, 0), golden::Error);
  EXPECT_EQ(error_of(card), r::PlatformError::BadAddress);
  EXPECT_EQ(card.read_register(r::kBuiltLanes), 8u);
  expect_exact(driver, stories().index_of("layers.0.wq"));
}

TEST(AnsPlatform, ATableLoadOrARegisterWriteWhileBusyIsRefusedAndTheJobRunsOn) {
  sim::DeviceTransport& card = fresh_card();
  AnsCardDriver driver(card);
  const size_t i = stories().index_of("token_embedding_table");
  const golden::TensorSetup setup = stories().setup(i, 32);
  ASSERT_TRUE(driver.prepare("token_embedding_table", setup).ok());
  driver.start();
  card.wait_clocks(100);
  ASSERT_TRUE(card.read_register(r::kStatus) & r::kBusy);
  const uint64_t cfg = card.read_register(r::kAnsCfg);
  card.write_register(r::kTableAddr, 4096);
  card.write_register(r::kControl, r::kLoadTable);
  EXPECT_EQ(error_of(card), r::PlatformError::Busy);
  card.write_register(r::kAnsCfg, 0);
  card.write_register(r::kControl, r::kStart);
  EXPECT_EQ(card.read_register(r::kTableAddr), 0u);
  EXPECT_EQ(card.read_register(r::kAnsCfg), cfg);
  EXPECT_TRUE(card.read_register(r::kStatus) & r::kBusy);
  // The job itself is unharmed: the driver finds every weight (the Busy it
  // reports is about the refused commands, so look at the results directly).
  while (!(card.read_register(r::kStatus) & r::kDone)) card.wait_clocks(256);
  std::vector<uint32_t> results(stories().tensors[i].bits.size());
  card.read_memory(driver.result_address(), {reinterpret_cast<uint8_t*>(results.data()), 4 * results.size()});
  EXPECT_EQ(results, stories().tensors[i].bits);
  EXPECT_EQ(card.read_register(r::kWeights), results.size());
  expect_exact(driver, stories().index_of("layers.1.wq"));
}

TEST(AnsPlatform, ADmaOutsideDeviceMemoryIsRefusedBeforeAnythingMoves) {
  sim::DeviceTransport& card = fresh_card();
  AnsCardDriver driver(card);
  const golden::TensorSetup setup = stories().setup(stories().index_of("layers.0.w1"), 32);
  const uint32_t lane3 = r::kLaneBase + 3 * r::kLaneStride;
  struct Case {
    uint32_t reg;
    uint64_t value;
  };
  for (const Case c : {Case{lane3 + r::kLaneAddr, kMemoryBytes - 8}, Case{lane3 + r::kLaneWords, kMemoryBytes},
                       Case{r::kResultAddr, kMemoryBytes - 4}, Case{lane3 + r::kLaneAddr, ~uint64_t{0} - 3}}) {
    ASSERT_TRUE(driver.prepare("layers.0.w1", setup).ok());
    card.write_register(c.reg, c.value);
    driver.start();
    const uint64_t status = card.read_register(r::kStatus);
    EXPECT_EQ(r::status_error(status), r::PlatformError::DmaRange) << std::hex << c.reg;
    EXPECT_FALSE(status & (r::kBusy | r::kDone)) << std::hex << c.reg;
    card.wait_clocks(1000);
    EXPECT_EQ(card.read_register(r::kBytesRead), 0u);
    std::vector<uint32_t> results(driver.result_words());
    card.read_memory(driver.result_address(), {reinterpret_cast<uint8_t*>(results.data()), 4 * results.size()});
    EXPECT_TRUE(std::ranges::all_of(results, [](uint32_t w) { return w == AnsCardDriver::kPoison; }));
  }
  // A table outside memory is refused too.
  card.write_register(r::kControl, r::kClear);
  card.write_register(r::kTableAddr, kMemoryBytes - 8);
  card.write_register(r::kControl, r::kLoadTable);
  EXPECT_EQ(error_of(card), r::PlatformError::DmaRange);
  expect_exact(driver, stories().index_of("layers.0.w1"));
}

TEST(AnsPlatform, AStartWithNoTableOrABadConfigurationIsAConfigError) {
  sim::DeviceTransport& card = fresh_card();
  const golden::TensorSetup setup = stories().setup(stories().index_of("layers.0.wq"), 32);
  card.write_register(r::kAnsCfg, setup.cfg.pack());
  card.write_register(r::kLanes, setup.lanes.size());
  card.write_register(r::kControl, r::kStart);
  uint64_t status = card.read_register(r::kStatus);
  EXPECT_EQ(r::status_error(status), r::PlatformError::Config);
  EXPECT_FALSE(status & (r::kBusy | r::kDone));
  AnsCardDriver driver(card);
  // With the table loaded: more lanes than built, a table of another size, a table slot.
  contract::AnsCfg other_log = setup.cfg;
  other_log.table_log = setup.cfg.table_log == 5 ? 6 : 5;
  contract::AnsCfg slot = setup.cfg;
  slot.table_slot = 1;
  for (const auto& [reg, value] : {std::pair{r::kLanes, uint64_t{9}}, std::pair{r::kLanes, uint64_t{0}},
                                   std::pair{r::kAnsCfg, other_log.pack()}, std::pair{r::kAnsCfg, slot.pack()}}) {
    ASSERT_TRUE(driver.prepare("layers.0.wq", setup).ok());
    card.write_register(reg, value);
    driver.start();
    status = card.read_register(r::kStatus);
    EXPECT_EQ(r::status_error(status), r::PlatformError::Config) << std::hex << reg << " = " << value;
    EXPECT_FALSE(status & (r::kBusy | r::kDone));
  }
  expect_exact(driver, stories().index_of("layers.0.wq"));
}

// A corrupt stream: the card stops with the lane's error, as golden finds it.
TEST(AnsPlatform, ACorruptStreamIsTheLaneErrorGoldenFinds) {
  AnsCardDriver driver(fresh_card());
  golden::TensorSetup setup = stories().setup(stories().index_of("layers.0.wq"), 32);
  setup.lanes[2].words.resize(setup.lanes[2].words.size() / 2);
  const golden::SetupDecode expected = golden::decode_tensor_setup(setup);
  ASSERT_NE(expected.lane_errors[2], contract::LaneError::None);
  const PlatformJob job = driver.run("layers.0.wq", setup, expected);
  EXPECT_EQ(job.run.status.code(), golden::ErrorCode::BadInput) << job.run.status.message();
  EXPECT_EQ(job.run.error_lane, 2);
}

// The token factory's card on the platform: a START before any load, a
// LOAD the card cannot take and a lane stream outside device memory are
// refused or stopped with status Config, and nothing hangs: the job thread
// ends each one and the card takes the next command.
TEST(FactoryOnPlatform, BadLoadsAndStartsAreRefusedWithoutAHang) {
  namespace f = sim::factory_reg;
  sim::AnsPlatform& platform = sim::AnsPlatform::get({300, kMemoryBytes});
  platform.configure_factory({{4, 40}, {64, 64}}, sim::EngineKind::Hls, "");
  sim::DeviceTransport& card = platform.factory_host();
  const auto finish = [&card] {
    uint64_t status = card.read_register(f::kStatus);
    for (int polls = 0; !(status & 2) && polls < 100; ++polls) {
      card.wait_clocks(64);
      status = card.read_register(f::kStatus);
    }
    return status;
  };
  const auto error_of = [](uint64_t status) { return static_cast<contract::FactoryError>((status >> 2) & 3); };

  card.write_register(f::kRows, 8);
  card.write_register(f::kCols, 8);
  card.write_register(f::kPeriod, 1);
  card.write_register(f::kLanes, 8);
  card.write_register(f::kSlots, 1);
  card.write_register(f::kControl, f::kStart);
  uint64_t status = finish();
  EXPECT_TRUE(status & 2);
  EXPECT_EQ(error_of(status), contract::FactoryError::Config);

  // A table slot that does not exist, a table outside memory: the register write is refused.
  card.write_register(f::kLoadSlot, f::kTableSlots);
  card.write_register(f::kTableWords, 512);
  EXPECT_THROW(card.write_register(f::kControl, f::kLoadTable), golden::Error);
  card.write_register(f::kLoadSlot, 0);
  card.write_register(f::kTableAddr, kMemoryBytes - 8);
  EXPECT_THROW(card.write_register(f::kControl, f::kLoadTable), golden::Error);

  // Loaded table and banks, a lane stream outside memory: the job stops with Config.
  card.write_register(f::kTableAddr, 0);
  card.write_register(f::kControl, f::kLoadTable);
  card.write_register(f::kActAddr, 0);
  card.write_register(f::kControl, f::kLoadBanks);
  contract::AnsCfg cfg;
  cfg.pattern_bits = 16;
  cfg.table_log = 9;
  card.write_register(f::kAnsCfg, cfg.pack());
  card.write_register(f::kLaneBase, kMemoryBytes - 4);
  card.write_register(f::kLaneBase + 8, 64);
  card.write_register(f::kLaneBase + 16, 8);
  card.write_register(f::kControl, f::kStart);
  status = finish();
  EXPECT_TRUE(status & 2);
  EXPECT_EQ(error_of(status), contract::FactoryError::Config);
  // The control: the same job with its stream inside memory is taken and runs.
  card.write_register(f::kLaneBase, 4096);
  card.write_register(f::kControl, f::kStart);
  card.wait_clocks(64);
  status = card.read_register(f::kStatus);
  EXPECT_TRUE(status & 1);
  EXPECT_FALSE(status & 2);
}

}  // namespace
}  // namespace ws
