// The RTL ANS decoder under Verilator against golden: every tensor of the
// embedded model (lossless bf16) with 1, 4 and 8 lanes under random stalls on
// both sides, cycle for cycle the same as the hls model, in the 16-bit 8-lane
// build that `make synth` measures and in the 32-bit 16-lane build; fp32 tensors through
// the 32-bit path; throughput at 1, 8 and 16 lanes; corrupt streams reported
// with tensor and lane, never a hang.
#include <gtest/gtest.h>

#include <cstdio>

#include "sim/ans/ans_harness.hpp"
#include "sim/ans/hls_engine.hpp"
#include "sim/ans/rtl_engine.hpp"
#include "tests/support/seed.hpp"
#include "tests/support/stories.hpp"

namespace ws::sim {
namespace {

using test::EncodedStories;

// Every tensor through one RTL build and the hls model of the same width,
// with the same stimulus: same weights, same cycles, same stalls.
template <class Rtl>
void expect_bit_and_cycle_exact(uint64_t seed, golden::DType dtype = golden::DType::BF16) {
  Rtl rtl;
  HlsAnsEngine<hls::AnsLaneConfig<Rtl::kWidth>> hls(Rtl::kLanes);
  for (const int lanes : {1, 4, 8}) {
    const EncodedStories e = test::encoded_stories(lanes, dtype);
    AnsRunStats total;
    for (size_t i = 0; i < e.encoded.size(); ++i) {
      const AnsRunOptions o{0, 0.3, 0.3, seed + i, 10000, true};
      const AnsRunStats r = run_tensor(rtl, e.encoded[i].name, e.setup(i, Rtl::kWidth), e.tensors[i].bits, o);
      ASSERT_TRUE(r.ok) << "lanes " << lanes << ": " << r.error;
      const AnsRunStats h = run_tensor(hls, e.encoded[i].name, e.setup(i, Rtl::kWidth), e.tensors[i].bits, o);
      ASSERT_TRUE(h.ok) << h.error;
      ASSERT_EQ(r.cycles, h.cycles) << e.encoded[i].name << " lanes " << lanes << " seed " << seed + i;
      ASSERT_EQ(r.stall_input, h.stall_input) << e.encoded[i].name;
      ASSERT_EQ(r.stall_refill, h.stall_refill) << e.encoded[i].name;
      ASSERT_EQ(r.stall_output, h.stall_output) << e.encoded[i].name;
      total.add(r);
    }
    EXPECT_EQ(total.weights, 260032u);
    std::printf("%s, width %d, lanes %d, 30%% stalls both sides: %llu cycles\n",
                std::string(golden::dtype_name(dtype)).c_str(), Rtl::kWidth, lanes,
                static_cast<unsigned long long>(total.cycles));
  }
}

TEST(RtlAnsDecoder, EveryTensorBitExactAndCycleExactWithTheHlsModel) {
  const uint64_t seed = test::seed_from_env();
  expect_bit_and_cycle_exact<RtlAnsEngine16>(seed);  // the synthesized configuration
  expect_bit_and_cycle_exact<RtlAnsEngine>(seed);
}

// fp16 has the widest raw field a 16-bit lane carries: sign and 10 fraction bits.
TEST(RtlAnsDecoder, Fp16EveryTensorBitExactAndCycleExact) {
  expect_bit_and_cycle_exact<RtlAnsEngine16>(test::seed_from_env(), golden::DType::F16);
}

TEST(RtlAnsDecoder, Fp32TensorsThroughTheWidePath) {
  const uint64_t seed = test::seed_from_env();
  RtlAnsEngine rtl;
  const EncodedStories e = test::encoded_stories(8, golden::DType::F32);
  for (const char* name : {"token_embedding_table", "layers.0.wq", "layers.4.w2", "rms_final_weight"}) {
    const size_t i = e.index_of(name);
    const AnsRunStats r = run_tensor(rtl, name, e.setup(i, 32), e.tensors[i].bits, {0, 0.2, 0.2, seed, 10000, true});
    ASSERT_TRUE(r.ok) << r.error;
  }
}

TEST(RtlAnsDecoder, ThroughputScalesWithLanes) {
  RtlAnsEngine rtl;
  for (const int lanes : {1, 8, 16}) {
    const EncodedStories e = test::encoded_stories(lanes);
    const size_t i = e.index_of("token_embedding_table");  // 32,768 weights: 16 lanes of 2,048
    const AnsRunStats r = run_tensor(rtl, "token_embedding_table", e.setup(i, 32), e.tensors[i].bits, {});
    ASSERT_TRUE(r.ok) << r.error;
    const double per_lane = double(r.weights) / double(r.cycles) / double(e.encoded[i].lane_streams.size());
    std::printf("lanes %d: %llu cycles, %.4f weights/clock/lane\n", lanes, static_cast<unsigned long long>(r.cycles),
                per_lane);
    EXPECT_EQ(e.encoded[i].lane_streams.size(), static_cast<size_t>(lanes));
    EXPECT_GE(per_lane, 0.98);
  }
}

TEST(RtlAnsDecoder, CorruptStreamsAreReportedWithTensorAndLane) {
  const uint64_t seed = test::seed_from_env();
  RtlAnsEngine rtl;
  const EncodedStories e = test::encoded_stories(4);
  const size_t i = e.index_of("layers.0.wq");
  golden::TensorSetup truncated = e.setup(i, 32);
  truncated.lanes[2].words.resize(truncated.lanes[2].words.size() / 2);
  AnsRunStats r = run_tensor(rtl, "layers.0.wq", truncated, e.tensors[i].bits, {});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("tensor 'layers.0.wq' lane 2: decode error: stream ends early"), std::string::npos)
      << r.error;

  // Random damage: every run ends with a mismatch or a lane error, never a hang.
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 20; ++trial) {
    golden::TensorSetup damaged = e.setup(i, 32);
    auto& words = damaged.lanes[rng() % damaged.lanes.size()].words;
    words[rng() % words.size()] ^= 1u << (rng() % 32);
    r = run_tensor(rtl, "layers.0.wq", damaged, e.tensors[i].bits, {0, 0.1, 0.1, seed + trial, 10000, true});
    EXPECT_EQ(r.error.find("hang"), std::string::npos) << "seed " << seed << " trial " << trial << ": " << r.error;
  }
}

}  // namespace
}  // namespace ws::sim
