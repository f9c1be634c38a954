// The hls ANS decoder against golden on every tensor of the embedded model
// (lossless bf16) with 1, 4 and 8 lanes and random stalls on both sides; its
// throughput when nothing stalls; corrupt streams reported as golden reads
// them, not hung; golden's reading of the hardware setup (table words,
// registers, word streams) equal to the codec's decode on every tensor; and
// raw fields placed per symbol (random table words, as a weight type other
// than the lossless codec's writes them) read by golden and decoded by the
// hls model as they were made.
#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/ans/ans_harness.hpp"
#include "sim/ans/golden_engine.hpp"
#include "sim/ans/hls_engine.hpp"
#include "tests/support/placed_tensor.hpp"
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
      const AnsRunStats s = run_tensor(engine, e.encoded[i].name, setup, expect_weights(e.tensors[i].bits, setup),
                                       {0, 0.3, 0.3, seed + i, 10000});
      ASSERT_TRUE(s.ok()) << "lanes " << lanes << ": " << s.status.message();
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
    const size_t i = e.index_of("layers.0.w1");  // 11,008 weights, 8 lanes of 1,376
    const golden::TensorSetup setup = e.setup(i, 16);
    const AnsRunStats s = run_tensor(engine, e.encoded[i].name, setup, expect_weights(e.tensors[i].bits, setup), {});
    ASSERT_TRUE(s.ok()) << s.status.message();
    const double per_lane = double(s.weights) / double(s.cycles) / lanes;
    std::printf("lanes %d: %llu weights in %llu cycles, %.4f weights/clock/lane\n", lanes,
                static_cast<unsigned long long>(s.weights), static_cast<unsigned long long>(s.cycles), per_lane);
    EXPECT_GE(per_lane, 0.98);
  }
}

TEST(HlsAnsDecoder, CorruptStreamsAreReportedAsGoldenReadsThem) {
  const EncodedStories e = test::encoded_stories(4);
  HlsAnsEngine<Bf16Lane> engine(4);
  const size_t i = e.index_of("layers.0.wq");
  const golden::TensorSetup setup = e.setup(i, 16);
  golden::TensorSetup truncated = setup;
  truncated.lanes[2].words.resize(truncated.lanes[2].words.size() / 2);
  AnsRunStats s = run_tensor(engine, "layers.0.wq", truncated, golden::decode_tensor_setup(truncated), {});
  EXPECT_EQ(s.status.code(), golden::ErrorCode::BadInput);
  EXPECT_NE(s.status.message().find("lane 2: decode error: stream ends early"), std::string::npos)
      << s.status.message();

  // Checked against the undamaged weights, a flipped state bit is a
  // disagreement or a lane error the harness cannot confirm: never a hang.
  golden::TensorSetup flipped = setup;
  flipped.lanes[1].words[3] ^= 0x00010000;
  s = run_tensor(engine, "layers.0.wq", flipped, expect_weights(e.tensors[i].bits, setup), {});
  EXPECT_EQ(s.status.code(), golden::ErrorCode::Mismatch) << s.status.message();
}

// golden's hardware-shaped reading of a setup gives back every weight of
// every tensor, at both widths and every lane count the tests use.
TEST(GoldenSetupDecode, EqualsTheCodecOnEveryTensor) {
  for (const int lanes : {1, 4, 8}) {
    for (const golden::DType dtype : {golden::DType::BF16, golden::DType::F16, golden::DType::F32}) {
      const EncodedStories e = test::encoded_stories(lanes, dtype);
      for (size_t i = 0; i < e.encoded.size(); ++i) {
        for (const int width : {16, 32}) {
          if (golden::dtype_bits(dtype) > width) continue;
          const golden::SetupDecode d = golden::decode_tensor_setup(e.setup(i, width));
          ASSERT_TRUE(d.ok()) << e.encoded[i].name;
          ASSERT_EQ(d.weights, e.tensors[i].bits) << e.encoded[i].name << " lanes " << lanes << " width " << width;
        }
      }
    }
  }
}

// The lossless codec's table words (docs/FORMAT.md 12.1): a normal symbol
// keeps its low F - J fraction bits at [0, F - J) and has a sign; a REPEAT
// keeps the P - repeat_bits bits below its repeated top bits, no sign.
TEST(GoldenSetup, LosslessWordsPlaceTheLowFractionBitsAndTheSign) {
  int repeats = 0;
  for (const golden::DType dtype : {golden::DType::BF16, golden::DType::F16}) {
    const EncodedStories e = test::encoded_stories(4, dtype);
    for (size_t i = 0; i < e.encoded.size(); ++i) {
      const golden::EncodedTensor& t = e.encoded[i];
      const golden::FieldLayout layout = t.layout();
      for (const uint64_t word : e.setup(i, 16).table) {
        const contract::TableCtrl c = contract::table_word_ctrl(16, word);
        const std::string where = t.name + " word " + std::to_string(word);
        EXPECT_EQ(c.keep_lo, 0u) << where;
        if (c.repeat_symbol) {
          ++repeats;
          EXPECT_EQ(c.has_sign, 0u) << where;
          EXPECT_EQ(c.keep_hi, static_cast<uint32_t>(layout.pattern_bits() - t.repeat_bits)) << where;
          EXPECT_EQ(contract::table_word_pattern(16, word), 0u) << where;
        } else {
          EXPECT_EQ(c.has_sign, 1u) << where;
          EXPECT_EQ(c.keep_hi, static_cast<uint32_t>(layout.low_fraction_bits())) << where;
        }
      }
    }
  }
  EXPECT_GT(repeats, 0) << "no tensor of the embedded model uses REPEAT";
}

// The first weight where two decodes differ, for a readable failure.
std::string first_difference(const std::vector<uint32_t>& expected, const std::vector<uint32_t>& actual) {
  if (expected.size() != actual.size()) {
    return "expected " + std::to_string(expected.size()) + " weights, actual " + std::to_string(actual.size());
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    if (expected[i] != actual[i]) {
      char text[96];
      std::snprintf(text, sizeof text, "index %zu: expected 0x%x, actual 0x%x", i, expected[i], actual[i]);
      return text;
    }
  }
  return "";
}

// Placed raw fields at both widths, 16- and 32-bit patterns, with and
// without REPEAT: golden's reading of the setup gives the weights they were
// made from.
TEST(GoldenSetupDecode, PlacedRawFieldsGiveTheWeightsTheyWereMadeFrom) {
  const uint64_t seed = test::seed_from_env();
  for (uint64_t n = 0; n < 300; ++n) {
    for (const int width : {16, 32}) {
      const test::PlacedTensor t = test::random_placed_tensor(seed + n, width, 8);
      const golden::SetupDecode d = golden::decode_tensor_setup(t.setup);
      ASSERT_TRUE(d.ok()) << "seed " << seed + n << " width " << width;
      ASSERT_EQ(first_difference(t.weights, d.weights), "") << "seed " << seed + n << " width " << width;
    }
  }
}

// A word that breaks the table word's rules is refused, naming the symbol.
TEST(GoldenSetup, RefusesWordsThatBreakTheTableWordRules) {
  const std::vector<uint32_t> normalized(2, 32);  // two symbols, table log 6
  const golden::TansTable table(normalized, 6);
  const std::vector<std::vector<uint8_t>> streams(2);
  const golden::SetupShape shape{.name = "t", .hardware_width = 16, .pattern_bits = 16, .count = 0};
  const auto setup = [&](golden::SymbolWord w, golden::SetupShape sh) {
    const std::vector<golden::SymbolWord> words = {golden::SymbolWord{.has_sign = true, .keep_hi = 7}, w};
    return golden::tensor_setup(sh, table, words, streams);
  };
  EXPECT_NO_THROW(setup({.pattern = 0x3f00, .has_sign = true, .keep_lo = 2, .keep_hi = 8}, shape));
  const std::vector<golden::SymbolWord> bad = {
      {.keep_lo = 5, .keep_hi = 4},                             // keep_lo above keep_hi
      {.has_sign = true, .keep_hi = 16},                        // the sign inside the kept bits
      {.keep_hi = 17},                                          // kept bits above the pattern
      {.pattern = 0x8000},                                      // a pattern bit at the sign
      {.pattern = 0x0010, .keep_lo = 2, .keep_hi = 8},          // a pattern bit under the raw bits
      {.repeat = true, .has_sign = true, .keep_hi = 4},         // a REPEAT with a sign (and no repeat_enable)
      {.keep_lo = 32, .keep_hi = 40},                           // wider than the fields
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_THROW(setup(bad[i], shape), std::invalid_argument) << "bad word " << i;
  }
  golden::SetupShape repeats = shape;
  repeats.repeat_enable = true;
  EXPECT_NO_THROW(setup({.repeat = true, .keep_lo = 1, .keep_hi = 4}, repeats));
  EXPECT_THROW(setup({.repeat = true, .keep_lo = 1, .keep_hi = 4}, shape), std::invalid_argument);
  EXPECT_THROW(setup({.pattern = 1, .repeat = true, .keep_lo = 1, .keep_hi = 4}, repeats), std::invalid_argument);
  golden::SetupShape wide = shape;
  wide.pattern_bits = 32;
  EXPECT_THROW(setup({}, wide), std::invalid_argument);  // 32-bit patterns in a 16-bit decoder
  // A symbol of the table without a word.
  EXPECT_THROW(golden::tensor_setup(shape, table, std::vector<golden::SymbolWord>(1), streams), std::invalid_argument);
}

// The hls model decodes placed raw fields as they were made, under random
// stalls on both sides, at both widths.
TEST(HlsAnsDecoder, PlacedRawFieldsBitExactUnderRandomStalls) {
  const uint64_t seed = test::seed_from_env();
  HlsAnsEngine<hls::AnsLaneConfig<16>> narrow(8);
  HlsAnsEngine<hls::AnsLaneConfig<32>> wide(8);
  for (uint64_t n = 0; n < 60; ++n) {
    const AnsRunOptions o{0, 0.3, 0.3, seed + n, 10000};
    const test::PlacedTensor a = test::random_placed_tensor(seed + n, 16, 8, narrow.history_depth());
    AnsRunStats s = run_tensor(narrow, a.name, a.setup, expect_weights(a.weights, a.setup), o);
    ASSERT_TRUE(s.ok()) << "width 16: " << s.status.message();
    const test::PlacedTensor b = test::random_placed_tensor(seed + n, 32, 8, wide.history_depth());
    s = run_tensor(wide, b.name, b.setup, expect_weights(b.weights, b.setup), o);
    ASSERT_TRUE(s.ok()) << "width 32: " << s.status.message();
  }
}

// The ideal golden engine decodes every tensor at one row a clock.
TEST(GoldenAnsEngine, EveryTensorOneRowAClock) {
  const EncodedStories e = test::encoded_stories(8);
  GoldenAnsEngine engine(8, 16);
  for (size_t i = 0; i < e.encoded.size(); ++i) {
    const golden::TensorSetup setup = e.setup(i, 16);
    const AnsRunStats s = run_tensor(engine, e.encoded[i].name, setup, expect_weights(e.tensors[i].bits, setup), {});
    ASSERT_TRUE(s.ok()) << s.status.message();
    const uint64_t lanes = setup.lanes.size();
    EXPECT_EQ(s.cycles, (e.tensors[i].size() + lanes - 1) / lanes) << e.encoded[i].name;
  }
}

}  // namespace
}  // namespace ws::sim
