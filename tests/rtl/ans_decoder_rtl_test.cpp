// The RTL ANS decoder under Verilator against golden: every tensor of the
// embedded model (lossless bf16) with 1, 4 and 8 lanes under random stalls on
// both sides, cycle for cycle the same as the hls model, in the 16-bit 8-lane
// build that `make synth` measures and in the 32-bit 16-lane build; fp32
// tensors through the 32-bit path; throughput at 1, 8 and 16 lanes; damaged
// streams decoded exactly as golden reads them, every error reported with the
// lane and the code golden gives; raw fields placed per symbol (random table
// words: any keep_lo <= keep_hi, sign or none, REPEAT keeping any range)
// decoded as they were made, cycle for cycle with the hls model, and damaged
// as golden reads them.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "sim/ans/ans_harness.hpp"
#include "sim/ans/golden_engine.hpp"
#include "sim/ans/hls_engine.hpp"
#include "sim/ans/rtl_engine.hpp"
#include "tests/support/placed_tensor.hpp"
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
      const AnsRunOptions o{0, 0.3, 0.3, seed + i, 10000};
      const golden::TensorSetup setup = e.setup(i, Rtl::kWidth);
      const golden::SetupDecode expected = expect_weights(e.tensors[i].bits, setup);
      const AnsRunStats r = run_tensor(rtl, e.encoded[i].name, setup, expected, o);
      ASSERT_TRUE(r.ok()) << "lanes " << lanes << ": " << r.status.message();
      const AnsRunStats h = run_tensor(hls, e.encoded[i].name, setup, expected, o);
      ASSERT_TRUE(h.ok()) << h.status.message();
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
    const golden::TensorSetup setup = e.setup(i, 32);
    const AnsRunStats r = run_tensor(rtl, name, setup, expect_weights(e.tensors[i].bits, setup), {0, 0.2, 0.2, seed});
    ASSERT_TRUE(r.ok()) << r.status.message();
  }
}

TEST(RtlAnsDecoder, ThroughputScalesWithLanes) {
  RtlAnsEngine rtl;
  for (const int lanes : {1, 8, 16}) {
    const EncodedStories e = test::encoded_stories(lanes);
    const size_t i = e.index_of("token_embedding_table");  // 32,768 weights: 16 lanes of 2,048
    const golden::TensorSetup setup = e.setup(i, 32);
    const AnsRunStats r = run_tensor(rtl, "token_embedding_table", setup, expect_weights(e.tensors[i].bits, setup), {});
    ASSERT_TRUE(r.ok()) << r.status.message();
    const double per_lane = double(r.weights) / double(r.cycles) / double(e.encoded[i].lane_streams.size());
    std::printf("lanes %d: %llu cycles, %.4f weights/clock/lane\n", lanes, static_cast<unsigned long long>(r.cycles),
                per_lane);
    EXPECT_EQ(e.encoded[i].lane_streams.size(), static_cast<size_t>(lanes));
    EXPECT_GE(per_lane, 0.98);
  }
}

TEST(RtlAnsDecoder, TruncatedStreamIsReportedWithTensorLaneAndCode) {
  RtlAnsEngine rtl;
  const EncodedStories e = test::encoded_stories(4);
  const size_t i = e.index_of("layers.0.wq");
  golden::TensorSetup truncated = e.setup(i, 32);
  truncated.lanes[2].words.resize(truncated.lanes[2].words.size() / 2);
  const AnsRunStats r = run_tensor(rtl, "layers.0.wq", truncated, golden::decode_tensor_setup(truncated), {});
  EXPECT_EQ(r.status.code(), golden::ErrorCode::BadInput) << r.status.message();
  EXPECT_EQ(r.error_lane, 2);
  EXPECT_NE(r.status.message().find("tensor 'layers.0.wq' lane 2: decode error: stream ends early"), std::string::npos)
      << r.status.message();
}

// Random damage, one flipped bit a run, on every engine: each run ends the way
// golden's reading of the damaged streams says, either every (possibly
// different) weight golden decodes, or the lane error golden finds, on that
// lane; the RTL and the hls model also agree cycle for cycle. Never a hang,
// never a disagreement.
TEST(RtlAnsDecoder, DamagedStreamsEndAsGoldenReadsThem) {
  const uint64_t seed = test::seed_from_env();
  RtlAnsEngine rtl;
  HlsAnsEngine<hls::AnsLaneConfig<32>> hls(RtlAnsEngine::kLanes);
  GoldenAnsEngine ideal(RtlAnsEngine::kLanes, 32);
  const EncodedStories e = test::encoded_stories(4);
  std::mt19937_64 rng(seed);
  int decode_errors = 0, decoded = 0;
  for (const char* name : {"layers.0.wq", "layers.3.w2", "rms_final_weight", "token_embedding_table"}) {
    const size_t i = e.index_of(name);
    for (int trial = 0; trial < 40; ++trial) {
      golden::TensorSetup damaged = e.setup(i, 32);
      const size_t lane = rng() % damaged.lanes.size();
      auto& words = damaged.lanes[lane].words;
      const size_t word = rng() % words.size();
      const int bit = static_cast<int>(rng() % 32);
      words[word] ^= 1u << bit;
      const golden::SetupDecode expected = golden::decode_tensor_setup(damaged);
      const AnsRunOptions o{0, 0.1, 0.1, seed + static_cast<uint64_t>(trial)};
      const std::string where = std::string(name) + " seed " + std::to_string(seed) + " trial " +
                                std::to_string(trial) + " lane " + std::to_string(lane) + " word " +
                                std::to_string(word) + " bit " + std::to_string(bit);
      const AnsRunStats r = run_tensor(rtl, name, damaged, expected, o);
      const AnsRunStats h = run_tensor(hls, name, damaged, expected, o);
      const AnsRunStats g = run_tensor(ideal, name, damaged, expected, o);
      for (const AnsRunStats* s : {&r, &h, &g}) {
        if (expected.ok()) {
          ASSERT_TRUE(s->ok()) << where << ": " << s->status.message();
        } else {
          ASSERT_EQ(s->status.code(), golden::ErrorCode::BadInput) << where << ": " << s->status.message();
          ASSERT_NE(expected.lane_errors[static_cast<size_t>(s->error_lane)], contract::LaneError::None) << where;
        }
      }
      ASSERT_EQ(r.cycles, h.cycles) << where;
      ASSERT_EQ(r.error_lane, h.error_lane) << where;
      expected.ok() ? ++decoded : ++decode_errors;
    }
  }
  std::printf("damaged runs: %d decoded as golden reads them, %d lane errors as golden finds them\n", decoded,
              decode_errors);
  EXPECT_GT(decode_errors, 0);
  EXPECT_GT(decoded, 0);
}

// Placed raw fields through one RTL build and the hls model of the same
// width: the weights they were made from, the same cycles and stalls; then
// with one flipped stream bit, each ends as golden reads the damaged streams.
template <class Rtl>
void expect_placed_exact(uint64_t seed, int tensors) {
  Rtl rtl;
  HlsAnsEngine<hls::AnsLaneConfig<Rtl::kWidth>> hls(Rtl::kLanes);
  std::mt19937_64 rng(seed);
  int damaged_errors = 0;
  for (int n = 0; n < tensors; ++n) {
    const uint64_t tensor_seed = seed + static_cast<uint64_t>(n);
    const test::PlacedTensor t = test::random_placed_tensor(tensor_seed, Rtl::kWidth, Rtl::kLanes, rtl.history_depth());
    const AnsRunOptions o{0, 0.3, 0.3, tensor_seed, 10000};
    const std::string where = "width " + std::to_string(Rtl::kWidth) + " seed " + std::to_string(tensor_seed);
    const golden::SetupDecode expected = expect_weights(t.weights, t.setup);
    const AnsRunStats r = run_tensor(rtl, t.name, t.setup, expected, o);
    ASSERT_TRUE(r.ok()) << where << ": " << r.status.message();
    const AnsRunStats h = run_tensor(hls, t.name, t.setup, expected, o);
    ASSERT_TRUE(h.ok()) << where << ": " << h.status.message();
    ASSERT_EQ(r.cycles, h.cycles) << where;
    ASSERT_EQ(r.stall_input, h.stall_input) << where;
    ASSERT_EQ(r.stall_refill, h.stall_refill) << where;
    ASSERT_EQ(r.stall_output, h.stall_output) << where;

    golden::TensorSetup damaged = t.setup;
    const size_t lane = rng() % damaged.lanes.size();
    auto& words = damaged.lanes[lane].words;
    const size_t word = rng() % words.size();
    const int bit = static_cast<int>(rng() % 32);
    words[word] ^= 1u << bit;
    const std::string flip = where + " lane " + std::to_string(lane) + " word " + std::to_string(word) + " bit " +
                             std::to_string(bit);
    const golden::SetupDecode golden_reads = golden::decode_tensor_setup(damaged);
    const AnsRunStats rd = run_tensor(rtl, t.name, damaged, golden_reads, o);
    const AnsRunStats hd = run_tensor(hls, t.name, damaged, golden_reads, o);
    for (const AnsRunStats* s : {&rd, &hd}) {
      if (golden_reads.ok()) {
        ASSERT_TRUE(s->ok()) << flip << ": " << s->status.message();
      } else {
        ASSERT_EQ(s->status.code(), golden::ErrorCode::BadInput) << flip << ": " << s->status.message();
      }
    }
    ASSERT_EQ(rd.cycles, hd.cycles) << flip;
    ASSERT_EQ(rd.error_lane, hd.error_lane) << flip;
    damaged_errors += !golden_reads.ok();
  }
  std::printf("width %d: %d placed tensors exact, %d of their damaged copies ended in a lane error\n", Rtl::kWidth,
              tensors, damaged_errors);
}

TEST(RtlAnsDecoder, PlacedRawFieldsBitAndCycleExactWithTheHlsModel) {
  const uint64_t seed = test::seed_from_env();
  expect_placed_exact<RtlAnsEngine16>(seed, 40);  // the synthesized configuration
  expect_placed_exact<RtlAnsEngine>(seed, 40);
}

}  // namespace
}  // namespace ws::sim
