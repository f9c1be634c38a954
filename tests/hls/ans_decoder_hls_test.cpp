// The hls ANS decoder against golden on every tensor of the embedded model
// (lossless bf16) with 1, 4 and 8 lanes and random stalls on both sides; its
// throughput when nothing stalls; and corrupt streams reported, not hung.
#include <gtest/gtest.h>

#include <cstdio>

#include "sim/ans/ans_harness.hpp"
#include "sim/ans/hls_engine.hpp"
#include "tests/support/seed.hpp"
#include "tests/support/stories.hpp"

namespace ws::sim {
namespace {

using Bf16Lane = hls::AnsLaneConfig<16>;

using test::EncodedStories;

TEST(HlsAnsDecoder, EveryTensorBitExactUnderRandomStalls) {
  const uint64_t seed = test::seed_from_env();
  for (const int lanes : {1, 4, 8}) {
    const EncodedStories e = test::encoded_stories(lanes);
    HlsAnsEngine<Bf16Lane> engine(lanes);
    AnsRunStats total;
    for (size_t i = 0; i < e.encoded.size(); ++i) {
      const golden::TensorSetup setup = e.setup(i, 16);
      const AnsRunStats s = run_tensor(engine, e.encoded[i].name, setup, e.tensors[i].bits,
                                       {0, 0.3, 0.3, seed + i, 10000});
      ASSERT_TRUE(s.ok) << "lanes " << lanes << ": " << s.error;
      total.add(s);
    }
    EXPECT_EQ(total.weights, 260032u);
    std::printf("lanes %d with stalls: %llu cycles, %.3f weights/clock\n", lanes,
                static_cast<unsigned long long>(total.cycles), double(total.weights) / double(total.cycles));
  }
}

TEST(HlsAnsDecoder, SustainsOneWeightPerClockPerLane) {
  for (const int lanes : {1, 8}) {
    const EncodedStories e = test::encoded_stories(lanes);
    HlsAnsEngine<Bf16Lane> engine(lanes);
    // layers.0.w1: 11,008 weights, 8 lanes of 1,376.
    const size_t i = 31;
    ASSERT_EQ(e.encoded[i].name, "layers.0.w1");
    const golden::TensorSetup setup = e.setup(i, 16);
    const AnsRunStats s = run_tensor(engine, e.encoded[i].name, setup, e.tensors[i].bits, {});
    ASSERT_TRUE(s.ok) << s.error;
    const double per_lane = double(s.weights) / double(s.cycles) / lanes;
    std::printf("lanes %d: %llu weights in %llu cycles, %.4f weights/clock/lane\n", lanes,
                static_cast<unsigned long long>(s.weights), static_cast<unsigned long long>(s.cycles), per_lane);
    EXPECT_GE(per_lane, 0.98);
  }
}

TEST(HlsAnsDecoder, CorruptStreamsAreReportedNotHung) {
  const EncodedStories e = test::encoded_stories(4);
  HlsAnsEngine<Bf16Lane> engine(4);
  const size_t i = 6;  // layers.0.wq
  golden::TensorSetup setup = e.setup(i, 16);
  golden::TensorSetup truncated = setup;
  truncated.lanes[2].words.resize(truncated.lanes[2].words.size() / 2);
  AnsRunStats s = run_tensor(engine, "layers.0.wq", truncated, e.tensors[i].bits, {});
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.error.find("lane 2: decode error: stream ends early"), std::string::npos) << s.error;

  golden::TensorSetup flipped = setup;
  flipped.lanes[1].words[3] ^= 0x00010000;
  s = run_tensor(engine, "layers.0.wq", flipped, e.tensors[i].bits, {});
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.error.find("hang"), std::string::npos) << s.error;
}

}  // namespace
}  // namespace ws::sim
