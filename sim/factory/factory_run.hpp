// One token factory run on an engine: the loads the run reads written (the
// table and bank words `before` the start), the start, then clock by clock
// the lane words (for the MX source: code words on lane 0, scale words on
// lane 1) served from memory (sim/ans/memory_model.hpp: bytes per clock,
// random input stalls) and the result beats taken with random stalls, until
// done, an error, or no progress for `hang_cycles`. The loads `during` the
// run (later jobs', into parts of the RAMs this run does not read) go to the
// write ports alongside, one table word and one bank word a clock, as far as
// the run's clocks reach: the caller keeps the rest. Load cycles: the clocks
// of `before`, the write ports' two words a clock.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "golden/factory/factory_job.hpp"
#include "sim/ans/memory_model.hpp"
#include "sim/factory/factory_engine.hpp"

namespace ws::sim {

struct FactoryRunOptions {
  double bytes_per_clock = 0;  // 0: unlimited
  double input_stall = 0;      // probability a lane's next word is held back a cycle
  double output_stall = 0;     // probability the result beat is not taken
  uint64_t seed = 1;
  uint64_t hang_cycles = 100000;
};

// Write port traffic in order: table words and bank words, one of each a clock.
struct FactoryLoads {
  struct BankWord {
    int lane = 0;
    uint32_t address = 0;
    std::array<uint16_t, FactoryBuild::kSlots> word{};
  };
  std::vector<std::pair<uint32_t, uint64_t>> table;  // address, word
  std::vector<BankWord> banks;

  size_t cycles() const { return std::max(table.size(), banks.size()); }
  // Table words at base, base + 1, ...
  void add_table(std::span<const uint64_t> words, uint32_t base) {
    for (size_t u = 0; u < words.size(); ++u) table.emplace_back(base + static_cast<uint32_t>(u), words[u]);
  }
  // The image's words at bank addresses base, base + 1, ...
  void add_image(const golden::factory::ActivationImage& image, uint32_t base) {
    for (uint32_t k = 0; k < image.lanes(); ++k) {
      for (uint32_t a = 0; a < image.period(); ++a) {
        BankWord w;
        w.lane = static_cast<int>(k);
        w.address = base + a;
        const auto from = image.word(k, a);
        std::copy(from.begin(), from.begin() + std::min<size_t>(from.size(), w.word.size()), w.word.begin());
        banks.push_back(w);
      }
    }
  }
  void append(const FactoryLoads& more) {
    table.insert(table.end(), more.table.begin(), more.table.end());
    banks.insert(banks.end(), more.banks.begin(), more.banks.end());
  }
  // Clock i's writes.
  FactoryWrites writes(size_t i) const {
    FactoryWrites w;
    if (i < table.size()) {
      w.table = true;
      w.table_address = table[i].first;
      w.table_word = table[i].second;
    }
    if (i < banks.size()) {
      w.activation = true;
      w.lane = banks[i].lane;
      w.act_address = banks[i].address;
      w.act_word = banks[i].word;
    }
    return w;
  }
};

// The loads' clocks from `from` on, each a clock of the write ports alone (between runs).
inline void write_loads(FactoryEngineBase& engine, const FactoryLoads& loads, size_t from = 0) {
  for (size_t i = from; i < loads.cycles(); ++i) engine.write(loads.writes(i));
}

struct FactoryRunResult {
  std::vector<uint32_t> results;  // results[r * slots + b], fp32 bits
  FactoryStatus status;           // after the run
  uint64_t cycles = 0;            // from the start to done (or the stop)
  uint64_t load_cycles = 0;       // write port clocks before the start
  bool hung = false;
};

// setup: the ANS registers and the lane streams (its table is not written:
// `before` holds what the run reads). `memory` serves the lane words
// (offers() a clock's, taken(lane, in_ready) the answers, as LaneMemory);
// tick() is called after each clock, the loads' and the run's (the platform
// waits there for its clock edge).
template <class Memory, class Tick>
FactoryRunResult run_factory_on(FactoryEngineBase& engine, Memory& memory, const golden::TensorSetup& setup,
                                const golden::factory::FactoryJob& job, const FactoryLoads& before,
                                const FactoryLoads& during, const FactoryRunOptions& o, Tick&& tick) {
  FactoryRunResult run;
  for (size_t i = 0; i < before.cycles(); ++i) {
    engine.write(before.writes(i));
    tick();
  }
  run.load_cycles = before.cycles();
  std::vector<uint64_t> counts(FactoryEngineBase::kLanes, 0);
  for (size_t k = 0; k < setup.lanes.size() && k < counts.size() && job.source == 0; ++k) {
    counts[k] = setup.lanes[k].count;  // the MX source's streams (source 1) are not ANS lanes
  }
  engine.start(setup.cfg, counts, job);

  std::mt19937_64 rng(o.seed ^ 0x9E3779B97F4A7C15ull);
  std::vector<contract::LaneInputs> in(FactoryEngineBase::kLanes);
  std::vector<contract::LaneOutputs> out(FactoryEngineBase::kLanes);
  uint64_t quiet = 0;
  for (;;) {
    run.status = engine.status();
    if (!run.status.busy) break;
    const std::vector<contract::LaneInputs> offers = memory.offers();
    std::fill(in.begin(), in.end(), contract::LaneInputs{});
    std::copy(offers.begin(), offers.end(), in.begin());
    const FactoryResultBeat beat = engine.result();
    const bool ready = !(o.output_stall > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < o.output_stall);
    const uint64_t weights_before = run.status.counters.weights;
    engine.cycle(in, ready, out, during.writes(run.cycles));
    ++run.cycles;
    for (size_t k = 0; k < offers.size(); ++k) memory.taken(k, out[k].in_ready);
    if (beat.valid && ready) {
      for (uint32_t b = 0; b < job.slots; ++b) run.results.push_back(beat.words[b]);
    }
    quiet = (beat.valid && ready) || engine.status().counters.weights != weights_before ? 0 : quiet + 1;
    if (quiet > o.hang_cycles) {
      run.hung = true;
      run.status = engine.status();
      break;
    }
    tick();
  }
  return run;
}

// The same with the lane words from a LaneMemory (bytes per clock, random stalls) and no clock to wait for.
inline FactoryRunResult run_factory(FactoryEngineBase& engine, const golden::TensorSetup& setup,
                                    const golden::factory::FactoryJob& job, const FactoryLoads& before,
                                    const FactoryLoads& during, const FactoryRunOptions& o) {
  LaneMemory memory(setup, o.bytes_per_clock, o.input_stall, o.seed);
  return run_factory_on(engine, memory, setup, job, before, during, o, [] {});
}

// A run with its table (lower half) and image (from address 0) written first, nothing during it.
inline FactoryRunResult run_factory(FactoryEngineBase& engine, const golden::TensorSetup& setup,
                                    const golden::factory::FactoryJob& job,
                                    const golden::factory::ActivationImage& image, const FactoryRunOptions& o) {
  FactoryLoads before;
  before.add_table(setup.table, 0);
  before.add_image(image, 0);
  return run_factory(engine, setup, job, before, FactoryLoads{}, o);
}

}  // namespace ws::sim
