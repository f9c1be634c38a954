// The hls token factory against golden: its multiply and round
// (hls/factory/mac_arith.hpp) against golden's definition on every bf16
// operand and random pairs; the whole factory (ANS lanes -> slots) on every
// matrix of the embedded model with random activations, 1, 4 and 16 slots
// and random stalls on both sides, against golden's two readings (the bank
// layout, golden_factory_run, and the plain matrix product, matvec); its
// rate when nothing stalls; and its errors (bad registers, operands out of
// range, a damaged stream) stopping the run instead of hanging it. The
// card's loads into table slots and bank halves, before and alongside runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "golden/factory/factory_job.hpp"
#include "golden/factory/mx_stream.hpp"
#include "golden/formats/float_format.hpp"
#include "golden/model/llama2_weights.hpp"
#include "golden/quant/quant_methods.hpp"
#include "hls/factory/mac_arith.hpp"
#include "sim/factory/factory_card.hpp"
#include "sim/factory/factory_engine.hpp"
#include "sim/factory/factory_run.hpp"
#include "tests/support/seed.hpp"
#include "tests/support/stories.hpp"

namespace ws::sim {
namespace {

namespace gf = golden::factory;

TEST(HlsMacArith, OperandsProductsAndRoundingMatchGolden) {
  for (uint32_t p = 0; p < 0x10000; ++p) {
    const gf::Operand g = gf::decode_operand(static_cast<uint16_t>(p));
    const hls::FactoryOperand h = hls::factory_operand(static_cast<uint16_t>(p));
    ASSERT_EQ(h.error, g.error) << "pattern " << p;
    ASSERT_EQ(h.sig, g.sig) << "pattern " << p;
    if (g.sig != 0) {
      ASSERT_EQ(h.shift, g.shift) << "pattern " << p;
    }
    ASSERT_EQ(h.negative, g.negative) << "pattern " << p;
  }
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 20000; ++i) {
    gf::Accumulator g = 0;
    hls::FactoryAcc h;
    const int terms = 1 + static_cast<int>(rng() % 64);
    for (int t = 0; t < terms; ++t) {
      const auto w = static_cast<uint16_t>(rng()), a = static_cast<uint16_t>(rng());
      bool error = false;
      g += gf::product(w, a, error);
      h = h + hls::factory_product(hls::factory_operand(w), hls::factory_operand(a));
    }
    ASSERT_EQ(hls::factory_round(h), gf::round_to_fp32(g)) << "seed " << seed << " sum " << i;
  }
}

std::vector<uint16_t> random_activations(std::mt19937_64& rng, size_t n) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<uint16_t> x(n);
  for (auto& v : x) v = rng() % 16 == 0 ? 0 : static_cast<uint16_t>(golden::Bf16::encode(2.0 * normal(rng)));
  return x;
}

struct Case {
  gf::FactoryJob job;
  std::vector<uint16_t> x;  // slots x cols
};

Case make_case(const golden::Tensor& t, const golden::TensorSetup& setup, int slots, std::mt19937_64& rng) {
  Case c;
  c.job.rows = static_cast<uint32_t>(t.shape[0]);
  c.job.cols = static_cast<uint32_t>(t.shape[1]);
  c.job.lanes = static_cast<uint32_t>(setup.lanes.size());
  c.job.period = gf::factory_period(c.job.cols, c.job.lanes);
  c.job.slots = static_cast<uint32_t>(slots);
  c.x = random_activations(rng, static_cast<size_t>(slots) * c.job.cols);
  return c;
}

TEST(HlsTokenFactory, EveryMatrixBitExactUnderRandomStalls) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  const test::EncodedStories e = test::encoded_stories(8);
  HlsFactoryEngine engine;
  uint64_t weights = 0, cycles = 0, checked = 0;
  for (size_t i = 0; i < e.encoded.size(); ++i) {
    const golden::Tensor& t = e.tensors[i];
    if (t.shape.size() != 2) continue;
    const golden::TensorSetup setup = e.setup(i, 16);
    const std::vector<uint32_t> w = golden::decode_tensor_setup(setup).weights;
    for (const int slots : {1, 4, 16}) {
      const Case c = make_case(t, setup, slots, rng);
      const gf::ActivationImage image(c.x, c.job.cols, c.job.lanes, slots, FactoryEngineBase::kSlots);
      std::vector<uint32_t> expected;
      ASSERT_TRUE(gf::golden_factory_run(w, c.job, image, expected));
      // golden's second reading: the plain product, slot-major.
      std::vector<uint16_t> w16(w.begin(), w.end());
      std::vector<uint32_t> plain(static_cast<size_t>(slots) * c.job.rows);
      ASSERT_TRUE(gf::matvec(w16, c.job.rows, c.job.cols, c.x, slots, plain));
      for (uint32_t r = 0; r < c.job.rows; ++r) {
        for (int b = 0; b < slots; ++b) ASSERT_EQ(expected[r * slots + b], plain[b * c.job.rows + r]) << t.name;
      }
      const FactoryRunResult run = run_factory(engine, setup, c.job, image, {0, 0.3, 0.3, seed + i, 100000});
      ASSERT_FALSE(run.hung) << t.name;
      ASSERT_EQ(run.status.error, contract::FactoryError::None) << t.name << ": " << to_text(run.status.error);
      ASSERT_EQ(run.results.size(), expected.size()) << t.name;
      for (size_t n = 0; n < expected.size(); ++n) {
        ASSERT_EQ(run.results[n], expected[n]) << "seed " << seed << " tensor " << t.name << " slots " << slots
                                               << " row " << n / slots << " slot " << n % slots;
      }
      EXPECT_EQ(run.status.counters.weights, w.size());
      EXPECT_EQ(run.status.counters.macs, w.size() * slots);
      weights += w.size();
      cycles += run.cycles;
      checked += expected.size();
    }
  }
  std::printf("%llu results checked, %llu weights in %llu cycles with 30%% stalls\n",
              static_cast<unsigned long long>(checked), static_cast<unsigned long long>(weights),
              static_cast<unsigned long long>(cycles));
}

TEST(HlsTokenFactory, EightLanesKeepEveryMacBusy) {
  std::mt19937_64 rng(7);
  const test::EncodedStories e = test::encoded_stories(8);
  HlsFactoryEngine engine;
  for (const char* name : {"layers.0.w1", "layers.0.w2"}) {  // 172 columns: rows end mid-beat
    const size_t i = e.index_of(name);
    const golden::TensorSetup setup = e.setup(i, 16);
    ASSERT_EQ(setup.lanes.size(), 8u) << name;
    const Case c = make_case(e.tensors[i], setup, 16, rng);
    const gf::ActivationImage image(c.x, c.job.cols, c.job.lanes, 16, FactoryEngineBase::kSlots);
    const FactoryRunResult run = run_factory(engine, setup, c.job, image, {});
    const double utilisation =
        double(run.status.counters.macs) / (double(run.cycles) * FactoryEngineBase::kLanes * 16);
    std::printf("%s: %llu weights in %llu cycles, MAC utilisation %.4f\n", name,
                static_cast<unsigned long long>(run.status.counters.weights),
                static_cast<unsigned long long>(run.cycles), utilisation);
    EXPECT_GE(utilisation, 0.98) << name;
  }
}

TEST(HlsTokenFactory, ErrorsStopTheRun) {
  std::mt19937_64 rng(11);
  const test::EncodedStories e = test::encoded_stories(4);
  HlsFactoryEngine engine;
  const size_t i = e.index_of("layers.0.wq");
  const golden::TensorSetup setup = e.setup(i, 16);
  Case c = make_case(e.tensors[i], setup, 2, rng);

  gf::FactoryJob bad = c.job;
  bad.cols = 3;  // fewer columns than lanes
  gf::ActivationImage image(c.x, c.job.cols, c.job.lanes, 2, FactoryEngineBase::kSlots);
  FactoryRunResult run = run_factory(engine, setup, bad, image, {});
  EXPECT_EQ(run.status.error, contract::FactoryError::Config);
  EXPECT_EQ(run.cycles, 0u);

  c.x[5] = 0x7FC0;  // NaN
  image = gf::ActivationImage(c.x, c.job.cols, c.job.lanes, 2, FactoryEngineBase::kSlots);
  run = run_factory(engine, setup, c.job, image, {});
  EXPECT_EQ(run.status.error, contract::FactoryError::Operand);
  EXPECT_FALSE(run.hung);

  golden::TensorSetup truncated = setup;
  truncated.lanes[1].words.resize(truncated.lanes[1].words.size() / 2);
  c.x[5] = 0;
  image = gf::ActivationImage(c.x, c.job.cols, c.job.lanes, 2, FactoryEngineBase::kSlots);
  run = run_factory(engine, truncated, c.job, image, {});
  EXPECT_EQ(run.status.error, contract::FactoryError::Lane);
  EXPECT_EQ(engine.lane_error(1), contract::LaneError::StreamEndsEarly);
  EXPECT_FALSE(run.hung);
}

TEST(HlsMxSource, WeightWordsMatchGoldenOnEveryCodeAndScale) {
  for (uint32_t scale = 0; scale < 256; ++scale) {
    for (uint32_t code = 0; code < 16; ++code) {
      ASSERT_EQ(hls::mx_weight_word(code, scale), gf::mx_weight_bf16(code, scale)) << "code " << code << " scale "
                                                                                   << scale;
    }
  }
}

TEST(HlsMxSource, EveryMatrixBitExactUnderRandomStalls) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  const golden::Llama2Weights w = golden::load_llama2(WS_MODELS_DIR "/stories260K.bin");
  HlsFactoryEngine engine;
  int runs = 0;
  for (const golden::Matrix* m : {&w.layers[0].wq, &w.layers[0].wk, &w.layers[1].w1, &w.layers[1].w2}) {
    const golden::QuantizedTensor q = golden::quantize({"mxfp4"}, m->values, m->rows, m->cols, nullptr).stored;
    const gf::MxStreams streams = gf::mx_streams(q, FactoryEngineBase::kLanes);
    // The streams as the card reads them give the quantiser's values back.
    std::vector<uint16_t> read;
    ASSERT_TRUE(gf::mx_read_streams(streams.codes, streams.scales, static_cast<uint32_t>(m->rows),
                                    static_cast<uint32_t>(m->cols), 32, FactoryEngineBase::kLanes, read));
    ASSERT_EQ(read, streams.weights) << m->name;
    const std::vector<float> values = golden::dequantize(q);
    for (size_t i = 0; i < values.size(); ++i) {
      const float word = std::bit_cast<float>(uint32_t{streams.weights[i]} << 16);
      if (std::fabs(values[i]) >= 0x1p-32f) {
        ASSERT_EQ(word, values[i]) << m->name << " weight " << i;
      }
    }
    golden::TensorSetup setup;
    for (const std::vector<uint32_t>* words : {&streams.codes, &streams.scales}) {
      golden::LaneSetup lane;
      lane.words = *words;
      lane.count = words->size();
      setup.lanes.push_back(lane);
    }
    for (const int slots : {1, 16}) {
      gf::FactoryJob job;
      job.rows = static_cast<uint32_t>(m->rows);
      job.cols = static_cast<uint32_t>(m->cols);
      job.lanes = FactoryEngineBase::kLanes;
      job.slots = static_cast<uint32_t>(slots);
      job.source = 1;
      job.block = 32;
      job.period = static_cast<uint32_t>(gf::mx_row_beats(job.cols, 32, FactoryEngineBase::kLanes).size());
      const std::vector<uint16_t> x = random_activations(rng, static_cast<size_t>(slots) * job.cols);
      const gf::ActivationImage image =
          gf::mx_activation_image(x, job.cols, 32, FactoryEngineBase::kLanes, slots, FactoryEngineBase::kSlots);
      std::vector<uint32_t> expected, plain(static_cast<size_t>(slots) * job.rows);
      ASSERT_TRUE(gf::golden_mx_factory_run(streams.weights, job, image, expected));
      ASSERT_TRUE(gf::matvec(streams.weights, job.rows, job.cols, x, slots, plain));
      for (uint32_t r = 0; r < job.rows; ++r) {
        for (int b = 0; b < slots; ++b) ASSERT_EQ(expected[r * slots + b], plain[b * job.rows + r]) << m->name;
      }
      const FactoryRunResult run = run_factory(engine, setup, job, image, {0, 0.3, 0.3, seed + runs, 100000});
      ++runs;
      ASSERT_FALSE(run.hung) << m->name;
      ASSERT_EQ(run.status.error, contract::FactoryError::None) << m->name << ": " << to_text(run.status.error);
      ASSERT_EQ(run.results, expected) << "seed " << seed << " " << m->name << " slots " << slots;
    }
  }
}

// The card's loads (docs/FORMAT.md 17.4) on the hls engine and on golden: a
// start on parts no load wrote is error Config; a load into a slot or half
// that does not exist, or that does not fit, is refused; a load the run
// reads is written before it (load cycles: the longer of the two ports'
// words), one into other parts alongside it (no load cycles) and what the
// run's clocks do not reach stays queued; the results are golden's products
// of the table and activations in the parts the run names.
TEST(FactoryCard, LoadsAreCheckedQueuedAndHiddenBehindRuns) {
  namespace r = factory_reg;
  const uint64_t seed = test::seed_from_env();
  const test::EncodedStories e = test::encoded_stories(8);
  const size_t wq = e.index_of("layers.0.wq"), w1 = e.index_of("layers.0.w1");
  for (const EngineKind kind : {EngineKind::Hls, EngineKind::Golden}) {
    SCOPED_TRACE(kind == EngineKind::Hls ? "hls" : "golden");
    std::mt19937_64 rng(seed);
    FactoryCardOptions options;
    options.engine = kind;
    options.memory_bytes = 1 << 20;
    FactoryCard card(options);
    uint64_t next_free = 0;
    const auto put = [&](const void* data, size_t bytes) {
      const uint64_t at = next_free;
      card.write_memory(at, {static_cast<const uint8_t*>(data), bytes});
      next_free = (at + bytes + 63) / 64 * 64;
      return at;
    };
    struct Matrix {
      golden::TensorSetup setup;
      Case c;
      gf::ActivationImage image;
      uint64_t table = 0, act = 0;
      std::vector<uint64_t> lanes;
      std::vector<uint32_t> expected;
    };
    std::vector<Matrix> m;
    for (const size_t i : {wq, w1}) {
      golden::TensorSetup setup = e.setup(i, 16);
      Case c = make_case(e.tensors[i], setup, 16, rng);
      gf::ActivationImage image(c.x, c.job.cols, c.job.lanes, 16, FactoryEngineBase::kSlots);
      Matrix x{setup, c, image, 0, 0, {}, {}};
      x.table = put(x.setup.table.data(), x.setup.table.size() * 8);
      x.act = put(x.image.data().data(), x.image.data().size() * 2);
      for (const golden::LaneSetup& lane : x.setup.lanes)
        x.lanes.push_back(put(lane.words.data(), lane.words.size() * 4));
      x.expected.assign(size_t{c.job.rows} * 16, 0);
      const std::vector<uint32_t> w = golden::decode_tensor_setup(x.setup).weights;
      ASSERT_TRUE(gf::golden_factory_run(w, c.job, image, x.expected));
      m.push_back(std::move(x));
    }
    const uint64_t results = put(std::vector<uint8_t>(64 * 1024).data(), 64 * 1024);
    ASSERT_LE(m[0].setup.table.size(), size_t{2} * r::kTableSlotWords) << "wq's table in slots 2 .. 3";
    ASSERT_LE(m[1].setup.table.size(), size_t{4} * r::kTableSlotWords) << "w1's table in slots 4 .. 7";
    const auto load_table = [&](const Matrix& x, uint64_t slot) {
      card.write_register(r::kTableAddr, x.table);
      card.write_register(r::kTableWords, x.setup.table.size());
      card.write_register(r::kLoadSlot, slot);
      card.write_register(r::kControl, r::kLoadTable);
    };
    const auto load_banks = [&](const Matrix& x, uint64_t half) {
      card.write_register(r::kActAddr, x.act);
      card.write_register(r::kLanes, x.image.lanes());
      card.write_register(r::kPeriod, x.image.period());
      card.write_register(r::kLoadSlot, half);
      card.write_register(r::kControl, r::kLoadBanks);
    };
    // Runs x from table slot `slot` and bank half `half`; returns STATUS.
    const auto start = [&](const Matrix& x, uint8_t slot, uint64_t half) {
      contract::AnsCfg cfg = x.setup.cfg;
      cfg.table_slot = slot;
      card.write_register(r::kAnsCfg, cfg.pack());
      card.write_register(r::kActHalf, half);
      card.write_register(r::kResultAddr, results);
      card.write_register(r::kRows, x.c.job.rows);
      card.write_register(r::kCols, x.c.job.cols);
      card.write_register(r::kPeriod, x.c.job.period);
      card.write_register(r::kLanes, x.c.job.lanes);
      card.write_register(r::kSlots, 16);
      card.write_register(r::kSource, 0);
      for (uint32_t k = 0; k < x.lanes.size(); ++k) {
        card.write_register(r::kLaneBase + k * r::kLaneStride, x.lanes[k]);
        card.write_register(r::kLaneBase + k * r::kLaneStride + 8, x.setup.lanes[k].words.size());
        card.write_register(r::kLaneBase + k * r::kLaneStride + 16, x.setup.lanes[k].count);
      }
      card.write_register(r::kControl, r::kStart);
      return card.read_register(r::kStatus);
    };
    const auto expect_results = [&](const Matrix& x, const char* what) {
      std::vector<uint32_t> got(size_t{x.c.job.rows} * 16);
      card.read_memory(results, {reinterpret_cast<uint8_t*>(got.data()), got.size() * 4});
      for (uint32_t row = 0; row < x.c.job.rows; ++row) {
        for (int b = 0; b < 16; ++b) {
          ASSERT_EQ(got[size_t{row} * 16 + b], x.expected[size_t{row} * 16 + b])
              << what << ": seed " << seed << " row " << row << " slot " << b;
        }
      }
    };
    const uint64_t done_config = 2 | uint64_t(contract::FactoryError::Config) << 2;

    EXPECT_EQ(start(m[0], 0, 0), done_config) << "a start before any load";
    EXPECT_THROW(load_table(m[0], r::kTableSlots), golden::Error);
    EXPECT_THROW(load_banks(m[0], 2), golden::Error);
    card.write_register(r::kTableWords, r::kTableSlotWords * (r::kTableSlots - 1) + 1);
    card.write_register(r::kLoadSlot, 1);
    EXPECT_THROW(card.write_register(r::kControl, r::kLoadTable), golden::Error) << "a table past the RAM's end";
    card.write_register(r::kLanes, 8);
    card.write_register(r::kPeriod, r::kBankHalfWords + 1);
    EXPECT_THROW(card.write_register(r::kControl, r::kLoadBanks), golden::Error) << "an image past the banks' end";

    // wq from slot 2 and half 1: both loads before the run.
    load_table(m[0], 2);
    load_banks(m[0], 1);
    ASSERT_EQ(start(m[0], 2, 1), 2u);
    expect_results(m[0], "wq, loaded before");
    const uint64_t image_words = uint64_t{m[0].image.lanes()} * m[0].image.period();
    EXPECT_EQ(card.read_register(r::kLoadCycles), std::max<uint64_t>(m[0].setup.table.size(), image_words));
    EXPECT_EQ(start(m[0], 0, 1), done_config) << "table slot 0 was never loaded";
    // w1's loads queued into other parts, then wq again: nothing loaded before it.
    load_table(m[1], 4);
    load_banks(m[1], 0);
    ASSERT_EQ(start(m[0], 2, 1), 2u);
    expect_results(m[0], "wq again, w1's loads alongside");
    EXPECT_EQ(card.read_register(r::kLoadCycles), 0u);
    const uint64_t wq_cycles = card.read_register(r::kCycles);
    // w1: what wq's run did not reach is written before it.
    ASSERT_EQ(start(m[1], 4, 0), 2u);
    expect_results(m[1], "w1, loaded alongside wq");
    const uint64_t w1_image = uint64_t{m[1].image.lanes()} * m[1].image.period();
    const uint64_t left = std::max<uint64_t>(m[1].setup.table.size(), w1_image);
    EXPECT_EQ(card.read_register(r::kLoadCycles), left > wq_cycles ? left - wq_cycles : 0);
  }
}

}  // namespace
}  // namespace ws::sim
