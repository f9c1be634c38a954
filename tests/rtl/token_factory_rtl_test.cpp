// The RTL token factory under Verilator (rtl/factory/token_factory.sv)
// against the hls model (hls/factory/token_factory.hpp) and golden
// (golden/factory/factory_arith.hpp): both engines get the same table,
// activation banks, start and, every clock, the same lane inputs and result
// ready; every cycle their status (busy, done, error, the five counters), the
// result beat offered and the lanes' answers (in_ready, stalls, decoded) must
// be equal, and the results must be golden's matrix-vector products of the
// weights golden decodes. Stimulus: stories260K matrices as bf16, encoded
// with the lossless codec in 8, 4 and 3 lanes, and a synthetic matrix of
// weights across the whole operand window; random activations; 1, 4 and 16
// slots in use; 30% random stalls on the lane inputs and the result ready.
// Edge cases: an out-of-range activation or weight (error Operand), bad run
// registers (error Config), damaged streams (error Lane, or the wrong
// weights golden decodes). The MX source (source 1): stories260K matrices
// quantised to MXFP4 and synthetic streams with other blocks (smaller than
// a beat, not a multiple of it, longer than a row), against golden's reading
// of the streams (golden_mx_factory_run); bad source and block registers; a
// NaN scale (error Operand). The first mismatch prints seed, job, cycle,
// field, hls (expected) and rtl (actual).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <optional>
#include <random>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "golden/factory/factory_arith.hpp"
#include "golden/factory/factory_job.hpp"
#include "golden/factory/mx_stream.hpp"
#include "golden/model/llama2_weights.hpp"
#include "golden/model/llama2c_reader.hpp"
#include "golden/quant/quant_methods.hpp"
#include "sim/ans/memory_model.hpp"
#include "sim/factory/factory_engine.hpp"
#include "sim/factory/factory_run.hpp"
#include "sim/factory/rtl_factory_engine.hpp"
#include "tests/support/seed.hpp"

namespace ws::sim {
namespace {

using contract::FactoryError;
using hls::FactoryJob;

constexpr int K = FactoryEngineBase::kLanes;
constexpr int B = FactoryEngineBase::kSlots;
constexpr int kDepth = FactoryEngineBase::kBankDepth;
using Word = std::array<uint32_t, B>;

// One run: a tensor setup (its lanes are L), the run registers and `slots`
// activation vectors of `cols` bf16 values, slot-major.
struct FactoryCase {
  std::string label;
  const golden::TensorSetup* setup = nullptr;
  FactoryJob job;
  std::vector<uint16_t> x;
  const golden::factory::ActivationImage* image = nullptr;  // the banks (MX runs); else the ANS layout of x
  double input_stall = 0.3;
  double output_stall = 0.3;
  uint64_t seed = 0;
  bool preloaded = false;                // the table and banks were written before (by an earlier run's loads)
  const FactoryLoads* during = nullptr;  // write port traffic alongside the run, a word a port a clock
};

struct RunOutcome {
  std::string mismatch;        // empty: the engines agreed every cycle
  FactoryStatus status;        // at the end
  std::vector<Word> results;   // the result beats taken, in order
  uint64_t cycles = 0;
};

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

// The bank image of a job: lane k's bank at address a holds, for each slot b
// in use, activation b of column (a*L + k) mod cols; 0 elsewhere.
std::array<uint16_t, B> bank_word(const FactoryCase& c, int lane, uint32_t address) {
  std::array<uint16_t, B> w{};
  const uint32_t cols = c.job.cols, lanes = c.job.lanes;
  if (cols == 0 || lanes == 0) return w;
  const uint32_t col = static_cast<uint32_t>((uint64_t{address} * lanes + static_cast<uint64_t>(lane)) % cols);
  for (uint32_t b = 0; b < c.job.slots && b < static_cast<uint32_t>(B); ++b) {
    if (static_cast<size_t>(b) * cols + col < c.x.size()) w[b] = c.x[static_cast<size_t>(b) * cols + col];
  }
  return w;
}

class Bench {
 public:
  Bench(uint64_t seed) : seed_(seed) {}

  RunOutcome run(const FactoryCase& c) {
    RunOutcome o;
    const golden::TensorSetup& setup = *c.setup;
    const size_t lanes = setup.lanes.size();
    std::vector<uint64_t> counts(K, 0);
    // The MX source's streams are not ANS lanes: no counts (as run_factory).
    for (size_t k = 0; k < lanes && c.job.source == 0; ++k) counts[k] = setup.lanes[k].count;
    // The table from its slot, the banks from the job's half.
    const uint32_t table_base = uint32_t{setup.cfg.table_slot} << contract::kTableSlotLog;
    const uint32_t bank_base = c.job.act_half == 1 ? kDepth / 2 : 0;
    FactoryLoads loads;
    if (!c.preloaded) {
      loads.add_table(setup.table, table_base);
      if (c.image != nullptr) {
        loads.add_image(*c.image, bank_base);
      } else {
        const uint32_t period = std::min<uint32_t>(c.job.period, kDepth - bank_base);
        for (int k = 0; k < K; ++k) {
          for (uint32_t a = 0; a < period; ++a) loads.banks.push_back({k, bank_base + a, bank_word(c, k, a)});
        }
      }
    }
    for (FactoryEngineBase* e : engines()) {
      write_loads(*e, loads);
      e->start(setup.cfg, counts, c.job);
    }

    LaneMemory memory(setup, 0, c.input_stall, c.seed);
    std::mt19937_64 rng(c.seed ^ 0x5bd1e9955bd1e995ull);
    std::vector<contract::LaneInputs> in(K);
    std::vector<contract::LaneOutputs> hout(K), rout(K);
    const uint64_t limit = 200000 + 40 * static_cast<uint64_t>(c.job.rows) * c.job.cols;
    int after_end = 0;
    auto fail = [&](uint64_t cycle, const std::string& field, uint64_t expected, uint64_t actual) {
      std::ostringstream s;
      s << "seed " << seed_ << " job '" << c.label << "' cycle " << cycle << " field " << field << ": expected (hls) "
        << hex(expected) << ", actual (rtl) " << hex(actual);
      o.mismatch = s.str();
    };
    for (uint64_t cycle = 0;; ++cycle) {
      const FactoryStatus hs = hls_.status(), rs = rtl_.status();
      o.status = hs;
      o.cycles = cycle;
      const std::pair<const char*, std::pair<uint64_t, uint64_t>> fields[] = {
          {"busy", {hs.busy, rs.busy}},
          {"done", {hs.done, rs.done}},
          {"error", {static_cast<uint64_t>(hs.error), static_cast<uint64_t>(rs.error)}},
          {"busy_cycles", {hs.counters.busy_cycles, rs.counters.busy_cycles}},
          {"stall_input", {hs.counters.stall_input, rs.counters.stall_input}},
          {"stall_output", {hs.counters.stall_output, rs.counters.stall_output}},
          {"weights", {hs.counters.weights, rs.counters.weights}},
          {"macs", {hs.counters.macs, rs.counters.macs}},
      };
      for (const auto& [name, values] : fields) {
        if (values.first != values.second) {
          fail(cycle, name, values.first, values.second);
          return o;
        }
      }
      const FactoryResultBeat hr = hls_.result(), rr = rtl_.result();
      if (hr.valid != rr.valid) {
        fail(cycle, "result_valid", hr.valid, rr.valid);
        return o;
      }
      for (int b = 0; b < B; ++b) {
        if (hr.words[b] != rr.words[b]) {
          fail(cycle, "result_data[" + std::to_string(b) + "]", hr.words[b], rr.words[b]);
          return o;
        }
      }
      for (int k = 0; k < K; ++k) {
        if (hls_.lane_error(k) != rtl_.lane_error(k)) {
          fail(cycle, "lane_error[" + std::to_string(k) + "]", static_cast<uint64_t>(hls_.lane_error(k)),
               static_cast<uint64_t>(rtl_.lane_error(k)));
          return o;
        }
      }
      // The end: done, and the last result read (or the run stopped by an
      // error); a few more clocks check that nothing moves after it.
      if (hs.done && (!hr.valid || hs.error != FactoryError::None) && ++after_end > 4) {
        stall_output_ += hs.counters.stall_output;
        stall_input_ += hs.counters.stall_input;
        // The loads the run's clocks did not reach, on clocks of their own.
        for (FactoryEngineBase* e : engines()) {
          if (c.during != nullptr) write_loads(*e, *c.during, cycle);
        }
        return o;
      }
      if (cycle > limit) {
        o.mismatch = "seed " + std::to_string(seed_) + " job '" + c.label + "': no end after " +
                     std::to_string(cycle) + " cycles";
        return o;
      }

      const std::vector<contract::LaneInputs> offers = memory.offers();
      for (int k = 0; k < K; ++k) in[k] = static_cast<size_t>(k) < lanes ? offers[k] : contract::LaneInputs{};
      const bool ready = c.output_stall <= 0 || std::uniform_real_distribution<double>(0, 1)(rng) >= c.output_stall;
      const FactoryWrites writes = c.during != nullptr ? c.during->writes(cycle) : FactoryWrites{};
      hls_.cycle(in, ready, hout, writes);
      rtl_.cycle(in, ready, rout, writes);
      ++total_cycles_;
      for (int k = 0; k < K; ++k) {
        const std::string lane = "[" + std::to_string(k) + "]";
        const std::pair<const char*, std::pair<bool, bool>> outs[] = {
            {"in_ready", {hout[k].in_ready, rout[k].in_ready}},
            {"stall_input", {hout[k].stall_input, rout[k].stall_input}},
            {"stall_refill", {hout[k].stall_refill, rout[k].stall_refill}},
            {"stall_output", {hout[k].stall_output, rout[k].stall_output}},
            {"decoded", {hout[k].decoded, rout[k].decoded}},
        };
        for (const auto& [name, values] : outs) {
          if (values.first != values.second) {
            fail(cycle, std::string("lane ") + name + lane, values.first, values.second);
            return o;
          }
        }
        if (static_cast<size_t>(k) < lanes) memory.taken(static_cast<size_t>(k), hout[k].in_ready);
      }
      if (hr.valid && ready) o.results.push_back(hr.words);
    }
  }

  uint64_t total_cycles() const { return total_cycles_; }
  uint64_t stall_input() const { return stall_input_; }    // the runs' counters, summed
  uint64_t stall_output() const { return stall_output_; }

 private:
  std::array<FactoryEngineBase*, 2> engines() { return {&hls_, &rtl_}; }

  uint64_t seed_;
  HlsFactoryEngine hls_;
  RtlFactoryEngine rtl_;
  uint64_t total_cycles_ = 0;
  uint64_t stall_input_ = 0, stall_output_ = 0;
};

// A random bf16 activation in a realistic range, ±2^-8 .. 2^4, with some
// zeros and some below the operand window (flushed to 0).
uint16_t random_activation(std::mt19937_64& rng) {
  const uint32_t pick = static_cast<uint32_t>(rng() % 100);
  const uint32_t sign = static_cast<uint32_t>(rng() & 1) << 15;
  if (pick < 8) return static_cast<uint16_t>(sign);  // ±0
  int exponent = -8 + static_cast<int>(rng() % 12);  // -8 .. 3: magnitudes 2^-8 .. < 2^4
  if (pick < 12) exponent = golden::factory::kExpMin - 6 + static_cast<int>(rng() % 8);  // around the window's floor
  return static_cast<uint16_t>(sign | static_cast<uint32_t>(exponent + 127) << 7 | static_cast<uint32_t>(rng() & 0x7F));
}

std::vector<uint16_t> random_activations(std::mt19937_64& rng, uint32_t cols, uint32_t slots) {
  std::vector<uint16_t> x(static_cast<size_t>(cols) * slots);
  for (auto& v : x) v = random_activation(rng);
  return x;
}

FactoryJob job_for(uint32_t rows, uint32_t cols, uint32_t lanes, uint32_t slots) {
  return FactoryJob{rows, cols, cols / std::gcd(cols, lanes), lanes, slots};
}

// Golden's results of a job on the weights golden decodes: out[b * rows + r].
bool golden_results(const golden::SetupDecode& decoded, const FactoryCase& c, std::vector<uint32_t>& out) {
  std::vector<uint16_t> w(decoded.weights.size());
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint16_t>(decoded.weights[i]);
  out.assign(static_cast<size_t>(c.job.rows) * c.job.slots, 0);
  return golden::factory::matvec(w, c.job.rows, c.job.cols, c.x, static_cast<int>(c.job.slots), out);
}

// The first `rows_checked` results taken equal golden's.
void expect_golden_rows(const RunOutcome& o, const FactoryCase& c, const std::vector<uint32_t>& expected,
                        size_t rows_checked, uint64_t seed) {
  for (size_t r = 0; r < rows_checked && r < o.results.size(); ++r) {
    for (uint32_t b = 0; b < c.job.slots; ++b) {
      const uint32_t want = expected[static_cast<size_t>(b) * c.job.rows + r];
      ASSERT_EQ(o.results[r][b], want) << "seed " << seed << " job '" << c.label << "' row " << r << " slot " << b
                                       << ": expected (golden) " << hex(want) << ", actual " << hex(o.results[r][b]);
    }
  }
}

// A whole run that must end well: every cycle equal, every result golden's.
void expect_exact_run(Bench& bench, const FactoryCase& c, uint64_t seed) {
  const golden::SetupDecode decoded = golden::decode_tensor_setup(*c.setup);
  ASSERT_TRUE(decoded.ok()) << c.label;
  std::vector<uint32_t> expected;
  ASSERT_TRUE(golden_results(decoded, c, expected)) << c.label << ": golden finds an operand error";
  const RunOutcome o = bench.run(c);
  ASSERT_TRUE(o.mismatch.empty()) << o.mismatch;
  ASSERT_EQ(o.status.error, FactoryError::None) << "seed " << seed << " job '" << c.label << "'";
  ASSERT_EQ(o.results.size(), c.job.rows) << "seed " << seed << " job '" << c.label << "'";
  EXPECT_EQ(o.status.counters.weights, uint64_t{c.job.rows} * c.job.cols) << c.label;
  EXPECT_EQ(o.status.counters.macs, uint64_t{c.job.rows} * c.job.cols * c.job.slots) << c.label;
  expect_golden_rows(o, c, expected, c.job.rows, seed);
}

// The matrix of a tensor: rows and columns (a vector is one row).
std::pair<uint32_t, uint32_t> matrix_shape(const golden::Tensor& t) {
  const uint32_t cols = static_cast<uint32_t>(t.shape.back());
  return {static_cast<uint32_t>(t.bits.size() / cols), cols};
}

// Tensors as bf16, losslessly encoded in exactly `lanes` lanes (however
// small: the codec's default gives small tensors fewer lanes).
struct Encoded {
  std::vector<golden::Tensor> tensors;
  std::vector<golden::EncodedTensor> encoded;
  std::vector<std::shared_ptr<const golden::TansTable>> tables;

  golden::TensorSetup setup(size_t i) const { return golden::tensor_setup(encoded[i], *tables[i], 16); }
  size_t index_of(const std::string& name) const {
    for (size_t i = 0; i < encoded.size(); ++i) {
      if (encoded[i].name == name) return i;
    }
    throw std::out_of_range("no tensor '" + name + "'");
  }
};

Encoded encode(std::vector<golden::Tensor> tensors, int lanes, const std::string& source, int max_table_log = 12) {
  Encoded e;
  e.tensors = std::move(tensors);
  golden::LosslessOptions o;
  o.lanes = lanes;
  o.max_table_log = max_table_log;
  o.max_joint_bits = 3;
  o.min_weights_per_lane = 1;
  e.encoded = golden::encode_lossless(e.tensors, o);
  e.tables = golden::build_tables(e.encoded, source);
  return e;
}

// stories260K's matrices as bf16.
Encoded encoded_stories(int lanes, int max_table_log = 12) {
  std::vector<golden::Tensor> tensors;
  for (golden::Tensor& t : golden::read_llama2c(WS_MODELS_DIR "/stories260K.bin").tensors) {
    if (t.shape.size() == 2) tensors.push_back(golden::to_bf16(t));
  }
  return encode(std::move(tensors), lanes, "stories", max_table_log);
}

// A synthetic bf16 matrix across the whole operand window (below it, near
// its edges, zeros); `poke` replaces one weight.
Encoded synthetic_matrix(uint64_t seed, uint32_t rows, uint32_t cols, int lanes,
                         std::optional<std::pair<size_t, uint16_t>> poke = {}) {
  std::mt19937_64 rng(seed);
  golden::Tensor t;
  t.name = "synthetic";
  t.dtype = golden::DType::BF16;
  t.shape = {static_cast<int64_t>(rows), static_cast<int64_t>(cols)};
  t.bits.resize(static_cast<size_t>(rows) * cols);
  for (auto& v : t.bits) {
    const uint32_t pick = static_cast<uint32_t>(rng() % 100);
    const uint32_t sign = static_cast<uint32_t>(rng() & 1) << 15;
    int exponent = golden::factory::kExpMin + static_cast<int>(rng() % (golden::factory::kExpMax - golden::factory::kExpMin));
    if (pick < 10) exponent = golden::factory::kExpMin - 1 - static_cast<int>(rng() % 4);  // flushed
    if (pick < 15) exponent = -4 + static_cast<int>(rng() % 3);
    v = sign | static_cast<uint32_t>(exponent + 127) << 7 | static_cast<uint32_t>(rng() & 0x7F);
    if (pick < 5) v = sign;  // ±0
  }
  if (poke) t.bits[poke->first] = poke->second;
  return encode({t}, lanes, "synthetic");
}

TEST(RtlTokenFactory, StoriesMatricesCycleExactWithHlsAndGolden) {
  const uint64_t seed = test::seed_from_env();
  Bench bench(seed);
  std::mt19937_64 rng(seed);
  int jobs = 0;
  uint64_t weights = 0;
  const uint32_t slot_choices[] = {1, 4, 16};
  for (const int lanes : {8, 4, 3}) {
    const Encoded e = encoded_stories(lanes);
    for (size_t i = 0; i < e.encoded.size(); ++i) {  // every matrix of the model
      const std::string name = e.encoded[i].name;
      const golden::TensorSetup setup = e.setup(i);
      ASSERT_EQ(setup.lanes.size(), static_cast<size_t>(lanes)) << name;
      const auto [rows, cols] = matrix_shape(e.tensors[i]);
      const uint32_t slots = slot_choices[(static_cast<size_t>(lanes) + i) % 3];
      FactoryCase c;
      c.label = name + " lanes " + std::to_string(lanes) + " slots " + std::to_string(slots);
      c.setup = &setup;
      c.job = job_for(rows, cols, static_cast<uint32_t>(lanes), slots);
      c.x = random_activations(rng, cols, slots);
      c.seed = seed + static_cast<uint64_t>(jobs);
      weights += uint64_t{rows} * cols;
      ASSERT_LE(c.job.period, static_cast<uint32_t>(kDepth)) << c.label;
      expect_exact_run(bench, c, seed);
      if (HasFatalFailure()) return;
      ++jobs;
    }
  }
  // Weights across the whole window: rows that end inside a beat (cols
  // prime), a row a beat or more (cols = L, L + 1) under heavy result stalls.
  struct Shape {
    uint32_t rows, cols;
    int lanes;
    double output_stall;
  };
  for (const Shape& shape : {Shape{40, 37, 8, 0.3}, Shape{40, 37, 5, 0.3}, Shape{64, 8, 8, 0.6}, Shape{50, 5, 5, 0.6},
                             Shape{48, 9, 8, 0.5}, Shape{30, 2, 1, 0.3}}) {
    const Encoded m = synthetic_matrix(seed + 100 + static_cast<uint64_t>(jobs), shape.rows, shape.cols, shape.lanes);
    const golden::TensorSetup setup = m.setup(0);
    ASSERT_EQ(setup.lanes.size(), static_cast<size_t>(shape.lanes));
    FactoryCase c;
    c.label = "synthetic " + std::to_string(shape.rows) + "x" + std::to_string(shape.cols) + " lanes " +
              std::to_string(shape.lanes) + " slots 16";
    c.setup = &setup;
    c.job = job_for(shape.rows, shape.cols, static_cast<uint32_t>(shape.lanes), 16);
    c.x = random_activations(rng, shape.cols, 16);
    c.output_stall = shape.output_stall;
    c.seed = seed + 1000 + static_cast<uint64_t>(jobs);
    weights += uint64_t{shape.rows} * shape.cols;
    expect_exact_run(bench, c, seed);
    if (HasFatalFailure()) return;
    ++jobs;
  }
  // No stalls at all: one beat a clock.
  {
    const Encoded e = encoded_stories(8);
    const size_t i = e.index_of("layers.3.w1");
    const golden::TensorSetup setup = e.setup(i);
    const auto [rows, cols] = matrix_shape(e.tensors[i]);
    FactoryCase c;
    c.label = "layers.3.w1 lanes 8 slots 16 no stalls";
    c.setup = &setup;
    c.job = job_for(rows, cols, 8, 16);
    c.x = random_activations(rng, cols, 16);
    c.input_stall = 0;
    c.output_stall = 0;
    c.seed = seed + 2000;
    weights += uint64_t{rows} * cols;
    expect_exact_run(bench, c, seed);
    if (HasFatalFailure()) return;
    ++jobs;
  }
  std::printf("%d jobs, %llu weights, %llu cycles compared every clock (%llu input stalls, %llu output stalls)\n",
              jobs, static_cast<unsigned long long>(weights), static_cast<unsigned long long>(bench.total_cycles()),
              static_cast<unsigned long long>(bench.stall_input()), static_cast<unsigned long long>(bench.stall_output()));
  EXPECT_GT(bench.stall_output(), 0u);
}

TEST(RtlTokenFactory, OperandErrorsStopBothAtTheSameCycle) {
  const uint64_t seed = test::seed_from_env();
  Bench bench(seed);
  std::mt19937_64 rng(seed);
  const Encoded e = encoded_stories(8);
  const size_t i = e.index_of("layers.0.wq");
  const golden::TensorSetup setup = e.setup(i);
  const auto [rows, cols] = matrix_shape(e.tensors[i]);
  const golden::SetupDecode decoded = golden::decode_tensor_setup(setup);
  // Activations: inf, NaN, 2^FactoryExpMax and just below it (legal).
  for (const uint16_t bad : {uint16_t{0x7F80}, uint16_t{0xFFC1}, uint16_t((127 + golden::factory::kExpMax) << 7),
                             uint16_t(0x8000 | (126 + golden::factory::kExpMax) << 7 | 0x7F)}) {
    FactoryCase c;
    c.label = "layers.0.wq activation " + hex(bad);
    c.setup = &setup;
    c.job = job_for(rows, cols, 8, 4);
    c.x = random_activations(rng, cols, 4);
    c.x[2 * cols + (rng() % cols)] = bad;
    c.seed = seed + bad;
    std::vector<uint32_t> expected;
    const bool golden_ok = golden_results(decoded, c, expected);
    const RunOutcome o = bench.run(c);
    ASSERT_TRUE(o.mismatch.empty()) << o.mismatch;
    EXPECT_EQ(o.status.error, golden_ok ? FactoryError::None : FactoryError::Operand) << c.label;
    if (golden_ok) expect_golden_rows(o, c, expected, rows, seed);
    // The beat with the bad operand may end row 0: its result still leaves.
    if (golden_ok) {
      EXPECT_EQ(o.results.size(), size_t{rows}) << c.label;
    } else {
      EXPECT_LE(o.results.size(), 1u) << c.label;
    }
  }
  // A weight out of range in row 5 of a synthetic matrix: rows 0..4 leave first.
  const Encoded m = synthetic_matrix(seed + 7, 12, 37, 8, std::make_pair(size_t{5 * 37 + 11}, uint16_t{0x4790}));
  const golden::TensorSetup msetup = m.setup(0);
  FactoryCase c;
  c.label = "synthetic weight 0x4790 in row 5";
  c.setup = &msetup;
  c.job = job_for(12, 37, 8, 16);
  c.x = random_activations(rng, 37, 16);
  c.seed = seed + 3;
  std::vector<uint32_t> expected;
  EXPECT_FALSE(golden_results(golden::decode_tensor_setup(msetup), c, expected));
  const RunOutcome o = bench.run(c);
  ASSERT_TRUE(o.mismatch.empty()) << o.mismatch;
  EXPECT_EQ(o.status.error, FactoryError::Operand);
  EXPECT_LE(o.results.size(), 5u);
  expect_golden_rows(o, c, expected, 5, seed);
}

TEST(RtlTokenFactory, BadRunRegistersAreConfigErrors) {
  const uint64_t seed = test::seed_from_env();
  Bench bench(seed);
  std::mt19937_64 rng(seed);
  const Encoded e = encoded_stories(4);
  const size_t i = e.index_of("layers.0.wq");
  const golden::TensorSetup setup = e.setup(i);
  const auto [rows, cols] = matrix_shape(e.tensors[i]);
  const FactoryJob good = job_for(rows, cols, 4, 4);
  struct Bad {
    const char* what;
    FactoryJob job;
  };
  const Bad bads[] = {
      {"cols < lanes", {rows, 3, 3, 4, 4}},
      {"rows 0", {0, cols, good.period, 4, 4}},
      {"rows 2^24", {1u << 24, cols, good.period, 4, 4}},
      {"cols 2^12", {rows, 1u << 12, good.period, 4, 4}},
      {"period 0", {rows, cols, 0, 4, 4}},
      {"period > depth", {rows, cols, kDepth + 1, 4, 4}},
      {"lanes 0", {rows, cols, good.period, 0, 4}},
      {"lanes > K", {rows, cols, good.period, K + 1, 4}},
      {"slots 0", {rows, cols, good.period, 4, 0}},
      {"slots > B", {rows, cols, good.period, 4, B + 1}},
      {"slots 2^31", {rows, cols, good.period, 4, 1u << 31}},
  };
  for (const Bad& bad : bads) {
    FactoryCase c;
    c.label = std::string("config ") + bad.what;
    c.setup = &setup;
    c.job = bad.job;
    c.x = random_activations(rng, cols, 4);
    c.seed = seed;
    const RunOutcome o = bench.run(c);
    ASSERT_TRUE(o.mismatch.empty()) << o.mismatch;
    EXPECT_EQ(o.status.error, FactoryError::Config) << c.label;
    EXPECT_FALSE(o.status.busy) << c.label;
    EXPECT_TRUE(o.status.done) << c.label;
    EXPECT_TRUE(o.results.empty()) << c.label;
    EXPECT_EQ(o.status.counters.busy_cycles, 0u) << c.label;
  }
  // A table slot that is not a multiple of the table's size, banks read from
  // the upper half for a period longer than it.
  golden::TensorSetup misaligned = setup;
  misaligned.cfg.table_log = static_cast<uint8_t>(contract::kTableSlotLog + 1);
  misaligned.cfg.table_slot = 1;
  FactoryJob upper = good;
  upper.act_half = 1;
  upper.period = kDepth / 2 + 1;
  const std::pair<const char*, std::pair<const golden::TensorSetup*, FactoryJob>> halves[] = {
      {"table slot not aligned", {&misaligned, good}}, {"upper bank half too short", {&setup, upper}}};
  for (const auto& [what, run] : halves) {
    FactoryCase c;
    c.label = std::string("config ") + what;
    c.setup = run.first;
    c.job = run.second;
    c.x = random_activations(rng, cols, 4);
    c.seed = seed;
    c.preloaded = true;
    const RunOutcome o = bench.run(c);
    ASSERT_TRUE(o.mismatch.empty()) << o.mismatch;
    EXPECT_EQ(o.status.error, FactoryError::Config) << c.label;
    EXPECT_TRUE(o.status.done) << c.label;
    EXPECT_TRUE(o.results.empty()) << c.label;
  }
  // The engines run a good job after the bad ones.
  FactoryCase c;
  c.label = "good job after bad ones";
  c.setup = &setup;
  c.job = good;
  c.x = random_activations(rng, cols, 4);
  c.seed = seed + 1;
  expect_exact_run(bench, c, seed);
}

// The next jobs' tables and activations written alongside a run, into table
// slots and the bank half it does not read, as the card does: three runs
// back to back, each on what the one before it loaded (one table of 2^9
// words, one of up to 2^12 in an aligned group of slots, the bank halves
// alternating), all cycle-exact and golden's. A run that read the wrong
// slot or half would get another matrix's table or activations.
TEST(RtlTokenFactory, NextJobsLoadsAlongsideARunLeaveItExact) {
  const uint64_t seed = test::seed_from_env();
  Bench bench(seed);
  std::mt19937_64 rng(seed);
  const Encoded small = encoded_stories(8, 9), large = encoded_stories(8);
  struct Step {
    const Encoded* e;
    const char* name;
    golden::TensorSetup setup;
    FactoryCase c;
    FactoryLoads loads;  // its table and image, where the run before writes them
  };
  std::vector<Step> steps;
  uint32_t next_slot = 0;
  for (const auto& [e, name] :
       {std::pair{&small, "layers.0.wq"}, std::pair{&large, "layers.1.w2"}, std::pair{&small, "layers.2.w1"}}) {
    Step s{e, name, e->setup(e->index_of(name)), {}, {}};
    const uint32_t words = static_cast<uint32_t>(s.setup.table.size());
    const uint32_t group = std::max<uint32_t>(1, words >> contract::kTableSlotLog);
    next_slot = (next_slot + group - 1) / group * group % (1u << (contract::kTableLogMax - contract::kTableSlotLog));
    s.setup.cfg.table_slot = static_cast<uint8_t>(next_slot);
    next_slot += group;
    steps.push_back(std::move(s));
  }
  ASSERT_GT(steps[1].setup.table.size(), size_t{1} << contract::kTableSlotLog) << "the second table spans slots";
  for (size_t i = 0; i < steps.size(); ++i) {
    Step& s = steps[i];
    const auto [rows, cols] = matrix_shape(s.e->tensors[s.e->index_of(s.name)]);
    s.c.label = std::string(s.name) + " table slot " + std::to_string(s.setup.cfg.table_slot) + " bank half " +
                std::to_string(i % 2);
    s.c.setup = &s.setup;
    s.c.job = job_for(rows, cols, 8, 16);
    s.c.job.act_half = static_cast<uint32_t>(i % 2);
    s.c.x = random_activations(rng, cols, 16);
    s.c.seed = seed + i;
    s.c.preloaded = i > 0;
    s.loads.add_table(s.setup.table, uint32_t{s.setup.cfg.table_slot} << contract::kTableSlotLog);
    s.loads.add_image(golden::factory::ActivationImage(s.c.x, cols, 8, 16, B), s.c.job.act_half * (kDepth / 2));
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    if (i + 1 < steps.size()) steps[i].c.during = &steps[i + 1].loads;
    expect_exact_run(bench, steps[i].c, seed);
    if (HasFatalFailure()) return;
  }
}

// One flipped stream bit a run: both engines end the same way, at the same
// cycle, as golden's reading of the damaged streams says: with error Lane
// (or Operand, when a wrongly decoded weight is out of range), the rows
// before the damage golden's; or every row, of the weights golden decodes.
TEST(RtlTokenFactory, DamagedStreamsEndAsGoldenReadsThem) {
  const uint64_t seed = test::seed_from_env();
  Bench bench(seed);
  std::mt19937_64 rng(seed);
  int lane_errors = 0, decoded_runs = 0, operand_errors = 0;
  for (const int lanes : {4, 8}) {
    const Encoded e = encoded_stories(lanes);
    for (const char* name : {"layers.0.wq", "layers.2.w2"}) {
      const size_t i = e.index_of(name);
      const auto [rows, cols] = matrix_shape(e.tensors[i]);
      for (int trial = 0; trial < 10; ++trial) {
        golden::TensorSetup damaged = e.setup(i);
        const size_t lane = rng() % damaged.lanes.size();
        auto& words = damaged.lanes[lane].words;
        const size_t word = rng() % words.size();
        const int bit = static_cast<int>(rng() % 32);
        words[word] ^= 1u << bit;
        FactoryCase c;
        c.label = std::string(name) + " lanes " + std::to_string(lanes) + " trial " + std::to_string(trial) +
                  " lane " + std::to_string(lane) + " word " + std::to_string(word) + " bit " + std::to_string(bit);
        c.setup = &damaged;
        c.job = job_for(rows, cols, static_cast<uint32_t>(lanes), 4);
        c.x = random_activations(rng, cols, 4);
        c.input_stall = 0.1;
        c.output_stall = 0.1;
        c.seed = seed + static_cast<uint64_t>(trial);
        const golden::SetupDecode reads = golden::decode_tensor_setup(damaged);
        std::vector<uint32_t> expected;
        const bool operands_ok = golden_results(reads, c, expected);
        const RunOutcome o = bench.run(c);
        ASSERT_TRUE(o.mismatch.empty()) << o.mismatch;
        if (reads.ok()) {
          ASSERT_EQ(o.status.error, operands_ok ? FactoryError::None : FactoryError::Operand) << c.label;
          if (operands_ok) {
            ASSERT_EQ(o.results.size(), size_t{rows}) << c.label;
            expect_golden_rows(o, c, expected, rows, seed);
            ++decoded_runs;
          } else {
            ++operand_errors;
          }
        } else {
          ASSERT_TRUE(o.status.error == FactoryError::Lane ||
                      (o.status.error == FactoryError::Operand && !operands_ok))
              << c.label << ": error " << static_cast<int>(o.status.error);
          // The weights before the first failing lane's first missing word are golden's.
          uint64_t first_bad = uint64_t{rows} * cols;
          for (size_t k = 0; k < reads.lane_errors.size(); ++k) {
            if (reads.lane_errors[k] != contract::LaneError::None) {
              first_bad = std::min<uint64_t>(first_bad, reads.lane_decoded[k] * static_cast<uint64_t>(lanes) + k);
            }
          }
          expect_golden_rows(o, c, expected, static_cast<size_t>(first_bad / cols), seed);
          o.status.error == FactoryError::Lane ? ++lane_errors : ++operand_errors;
        }
        if (HasFatalFailure()) return;
      }
    }
  }
  std::printf("damaged runs: %d decoded as golden reads them, %d lane errors, %d operand errors; %llu cycles\n",
              decoded_runs, lane_errors, operand_errors, static_cast<unsigned long long>(bench.total_cycles()));
  EXPECT_GT(lane_errors, 0);
}

// ---------------------------------------------------------------- the MX source

namespace gf = golden::factory;

// An MX matrix as the card reads it: the code words on lane 0, the scale
// words on lane 1, and golden's reading of the two streams.
struct MxMatrix {
  std::string name;
  uint32_t rows = 0, cols = 0, block = 0;
  golden::TensorSetup setup;
  std::vector<uint16_t> weights;  // every weight's bf16 pattern, row-major
};

golden::TensorSetup mx_setup(const std::vector<uint32_t>& codes, const std::vector<uint32_t>& scales) {
  golden::TensorSetup setup;
  for (const std::vector<uint32_t>* words : {&codes, &scales}) {
    golden::LaneSetup lane;
    lane.words = *words;
    lane.count = words->size();
    setup.lanes.push_back(lane);
  }
  return setup;
}

// Golden's reading of m's streams into m.weights.
::testing::AssertionResult read_mx(MxMatrix& m) {
  if (!gf::mx_read_streams(m.setup.lanes[0].words, m.setup.lanes[1].words, m.rows, m.cols, m.block, K, m.weights)) {
    return ::testing::AssertionFailure() << m.name << ": the streams are too short";
  }
  return ::testing::AssertionSuccess();
}

// A stories260K matrix quantised to MXFP4 (blocks of 32).
MxMatrix mx_stories(const golden::Matrix& matrix) {
  const golden::QuantizedTensor q =
      golden::quantize({"mxfp4"}, matrix.values, matrix.rows, matrix.cols, nullptr).stored;
  const gf::MxStreams streams = gf::mx_streams(q, K);
  MxMatrix m;
  m.name = matrix.name;
  m.rows = static_cast<uint32_t>(matrix.rows);
  m.cols = static_cast<uint32_t>(matrix.cols);
  m.block = static_cast<uint32_t>(q.group);
  m.setup = mx_setup(streams.codes, streams.scales);
  m.weights = streams.weights;
  return m;
}

// Random codes and scales around the operand window (some blocks below it,
// none above) in blocks of `block`.
MxMatrix mx_synthetic(uint64_t seed, uint32_t rows, uint32_t cols, uint32_t block) {
  std::mt19937_64 rng(seed);
  const std::vector<gf::Beat> beats = gf::mx_row_beats(cols, block, K);
  std::vector<uint32_t> codes, scales;
  uint32_t n = 0;
  for (uint32_t r = 0; r < rows; ++r) {
    for (const gf::Beat& beat : beats) {
      uint32_t word = 0;
      for (uint32_t k = 0; k < beat.count; ++k) word |= static_cast<uint32_t>(rng() & 0xF) << (4 * k);
      codes.push_back(word);
      if (beat.col % block != 0) continue;
      const uint32_t scale = 127 + golden::factory::kExpMin - 4 + static_cast<uint32_t>(rng() % 50);  // 91 .. 140
      if (n % 4 == 0) scales.push_back(0);
      scales.back() |= scale << (8 * (n % 4));
      ++n;
    }
  }
  MxMatrix m;
  m.name = "synthetic " + std::to_string(rows) + "x" + std::to_string(cols) + " block " + std::to_string(block);
  m.rows = rows;
  m.cols = cols;
  m.block = block;
  m.setup = mx_setup(codes, scales);
  return m;
}

FactoryJob mx_job(const MxMatrix& m, uint32_t slots) {
  FactoryJob job;
  job.rows = m.rows;
  job.cols = m.cols;
  job.period = static_cast<uint32_t>(gf::mx_row_beats(m.cols, m.block, K).size());
  job.lanes = K;
  job.slots = slots;
  job.source = 1;
  job.block = m.block;
  return job;
}

// One MX run on both engines, every cycle compared; the results taken must
// be golden's (golden_mx_factory_run) for the rows before the first one with
// a bad operand, and every row when there is none. Returns the outcome.
RunOutcome mx_run(Bench& bench, const MxMatrix& m, uint32_t slots, std::mt19937_64& rng, uint64_t run_seed,
                  uint64_t seed, double input_stall = 0.3, double output_stall = 0.3) {
  FactoryCase c;
  c.label = "MX " + m.name + " slots " + std::to_string(slots);
  c.setup = &m.setup;
  c.job = mx_job(m, slots);
  c.x = random_activations(rng, m.cols, slots);
  const gf::ActivationImage image = gf::mx_activation_image(c.x, m.cols, m.block, K, static_cast<int>(slots), B);
  c.image = &image;
  c.input_stall = input_stall;
  c.output_stall = output_stall;
  c.seed = run_seed;
  EXPECT_LE(c.job.period, static_cast<uint32_t>(kDepth)) << c.label;
  std::vector<uint32_t> expected;
  const bool golden_ok = gf::golden_mx_factory_run(m.weights, c.job, image, expected);
  // The first row with an operand error (rows when none).
  uint32_t first_bad = m.rows;
  if (!golden_ok) {
    for (uint32_t r = 0; r < m.rows && first_bad == m.rows; ++r) {
      FactoryJob one = c.job;
      one.rows = 1;
      std::vector<uint32_t> row_results;
      const std::span<const uint16_t> row(m.weights.data() + static_cast<size_t>(r) * m.cols, m.cols);
      if (!gf::golden_mx_factory_run(row, one, image, row_results)) first_bad = r;
    }
  }
  const RunOutcome o = bench.run(c);
  EXPECT_TRUE(o.mismatch.empty()) << o.mismatch;
  if (!o.mismatch.empty()) return o;
  EXPECT_EQ(o.status.error, golden_ok ? FactoryError::None : FactoryError::Operand) << c.label;
  if (golden_ok) {
    EXPECT_EQ(o.results.size(), size_t{m.rows}) << c.label;
    EXPECT_EQ(o.status.counters.weights, uint64_t{m.rows} * m.cols) << c.label;
    EXPECT_EQ(o.status.counters.macs, uint64_t{m.rows} * m.cols * slots) << c.label;
  } else {
    // The beat with the bad operand may end its row: that result still leaves.
    EXPECT_LE(o.results.size(), size_t{first_bad} + 1) << c.label;
  }
  for (size_t r = 0; r < o.results.size() && r < first_bad; ++r) {
    for (uint32_t b = 0; b < slots; ++b) {
      const uint32_t want = expected[r * slots + b];
      EXPECT_EQ(o.results[r][b], want) << "seed " << seed << " job '" << c.label << "' row " << r << " slot " << b
                                       << ": expected (golden) " << hex(want) << ", actual " << hex(o.results[r][b]);
      if (o.results[r][b] != want) return o;
    }
  }
  return o;
}

const golden::Llama2Weights& stories_weights() {
  static const golden::Llama2Weights w = golden::load_llama2(WS_MODELS_DIR "/stories260K.bin");
  return w;
}

TEST(RtlTokenFactoryMx, StoriesMatricesCycleExactWithHlsAndGolden) {
  const uint64_t seed = test::seed_from_env();
  Bench bench(seed);
  std::mt19937_64 rng(seed);
  const golden::Llama2Weights& w = stories_weights();
  int runs = 0;
  uint64_t weights = 0;
  for (const golden::Matrix* matrix : {&w.layers[0].wq, &w.layers[0].wk, &w.layers[1].w1, &w.layers[1].w2}) {
    const MxMatrix m = mx_stories(*matrix);
    ASSERT_EQ(m.block, 32u) << m.name;
    {  // The streams as the card reads them are the quantiser's words.
      MxMatrix read = m;
      ASSERT_TRUE(read_mx(read));
      ASSERT_EQ(read.weights, m.weights) << m.name;
    }
    for (const uint32_t slots : {1u, 4u, 16u}) {
      mx_run(bench, m, slots, rng, seed + static_cast<uint64_t>(runs), seed);
      if (HasFailure()) return;
      ++runs;
      weights += uint64_t{m.rows} * m.cols;
    }
  }
  // Other blocks: shorter than a beat, not a multiple of it, one weight,
  // longer than a row; rows that are not a multiple of the block.
  struct Shape {
    uint32_t rows, cols, block;
    double output_stall;
  };
  for (const Shape& shape : {Shape{24, 37, 5, 0.3}, Shape{20, 40, 12, 0.3}, Shape{16, 9, 1, 0.3},
                             Shape{30, 37, 100, 0.3}, Shape{40, 8, 8, 0.6}, Shape{25, 17, 16, 0.5}}) {
    MxMatrix m = mx_synthetic(seed + 100 + static_cast<uint64_t>(runs), shape.rows, shape.cols, shape.block);
    ASSERT_TRUE(read_mx(m));
    mx_run(bench, m, 16, rng, seed + 1000 + static_cast<uint64_t>(runs), seed, 0.3, shape.output_stall);
    if (HasFailure()) return;
    ++runs;
    weights += uint64_t{m.rows} * m.cols;
  }
  // No stalls at all: one beat a clock.
  {
    const MxMatrix m = mx_stories(w.layers[1].w2);
    mx_run(bench, m, 16, rng, seed + 2000, seed, 0, 0);
    if (HasFailure()) return;
    ++runs;
    weights += uint64_t{m.rows} * m.cols;
  }
  std::printf("%d MX runs, %llu weights, %llu cycles compared every clock (%llu input stalls, %llu output stalls)\n",
              runs, static_cast<unsigned long long>(weights), static_cast<unsigned long long>(bench.total_cycles()),
              static_cast<unsigned long long>(bench.stall_input()), static_cast<unsigned long long>(bench.stall_output()));
  EXPECT_GT(bench.stall_input(), 0u);
  EXPECT_GT(bench.stall_output(), 0u);
}

// A NaN scale (0xFF) makes every weight of its block NaN: error Operand at
// the same cycle in both, the rows before it golden's. Scale 0 puts a block
// below the window (zeros, no error); a scale that lifts a code to
// 2^FactoryExpMax or more is an operand error too.
TEST(RtlTokenFactoryMx, BadScalesStopBothAtTheSameCycle) {
  const uint64_t seed = test::seed_from_env();
  Bench bench(seed);
  std::mt19937_64 rng(seed);
  const MxMatrix base = mx_stories(stories_weights().layers[0].wq);
  const uint32_t blocks_a_row = (base.cols + base.block - 1) / base.block;
  struct Poke {
    uint32_t row, block, scale;
    bool error;
  };
  for (const Poke& poke : {Poke{5, 1, 0xFF, true}, Poke{0, 0, 0xFF, true}, Poke{base.rows - 1, 1, 0xFF, true},
                           Poke{7, 0, 0x00, false}, Poke{9, 1, 127 + golden::factory::kExpMax, true}}) {
    MxMatrix m = base;
    const uint32_t g = poke.row * blocks_a_row + poke.block;
    uint32_t& word = m.setup.lanes[1].words[g / 4];
    word = (word & ~(0xFFu << (8 * (g % 4)))) | poke.scale << (8 * (g % 4));
    m.name += " scale " + hex(poke.scale) + " at row " + std::to_string(poke.row) + " block " +
              std::to_string(poke.block);
    ASSERT_TRUE(read_mx(m));
    for (const uint32_t slots : {4u, 16u}) {
      const RunOutcome o = mx_run(bench, m, slots, rng, seed + g + slots, seed);
      if (HasFailure()) return;
      EXPECT_EQ(o.status.error, poke.error ? FactoryError::Operand : FactoryError::None) << m.name;
    }
  }
}

TEST(RtlTokenFactoryMx, BadSourceAndBlockAreConfigErrors) {
  const uint64_t seed = test::seed_from_env();
  Bench bench(seed);
  std::mt19937_64 rng(seed);
  const MxMatrix m = mx_stories(stories_weights().layers[0].wq);
  const FactoryJob good = mx_job(m, 4);
  struct Bad {
    const char* what;
    uint32_t source, block, period;
  };
  // period 0 with a good source: the MX source starts in both models and
  // answers the scale port while the slots stay idle.
  const Bad bads[] = {{"source 1 block 0", 1, 0, good.period}, {"source 2", 2, 32, good.period},
                      {"source 3", 3, 32, good.period},         {"source 9", 9, 32, good.period},
                      {"source 2 block 0", 2, 0, good.period},  {"source 1 period 0", 1, 32, 0}};
  const gf::ActivationImage image = gf::mx_activation_image(random_activations(rng, m.cols, 4), m.cols, m.block, K, 4, B);
  for (const Bad& bad : bads) {
    FactoryCase c;
    c.label = std::string("config ") + bad.what;
    c.setup = &m.setup;
    c.job = good;
    c.job.source = bad.source;
    c.job.block = bad.block;
    c.job.period = bad.period;
    c.x = random_activations(rng, m.cols, 4);
    c.image = &image;
    c.seed = seed;
    const RunOutcome o = bench.run(c);
    ASSERT_TRUE(o.mismatch.empty()) << o.mismatch;
    EXPECT_EQ(o.status.error, FactoryError::Config) << c.label;
    EXPECT_FALSE(o.status.busy) << c.label;
    EXPECT_TRUE(o.status.done) << c.label;
    EXPECT_TRUE(o.results.empty()) << c.label;
    EXPECT_EQ(o.status.counters.busy_cycles, 0u) << c.label;
  }
  // Block 0 is no error for the ANS lanes, which do not read it.
  {
    const Encoded e = encoded_stories(4);
    const size_t i = e.index_of("layers.0.wq");
    const golden::TensorSetup setup = e.setup(i);
    const auto [rows, cols] = matrix_shape(e.tensors[i]);
    FactoryCase c;
    c.label = "ANS run with block 0";
    c.setup = &setup;
    c.job = job_for(rows, cols, 4, 4);
    c.job.block = 0;
    c.x = random_activations(rng, cols, 4);
    c.seed = seed + 2;
    expect_exact_run(bench, c, seed);
    if (HasFatalFailure()) return;
  }
  // The engines run a good MX job after the bad ones.
  mx_run(bench, m, 4, rng, seed + 1, seed);
}

}  // namespace
}  // namespace ws::sim
