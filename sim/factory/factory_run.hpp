// One token factory run on an engine: the table and the activation banks
// written, the start, then clock by clock the lane words (for the MX source:
// code words on lane 0, scale words on lane 1) served from memory
// (sim/ans/memory_model.hpp: bytes per clock, random input stalls) and the
// result beats taken with random stalls, until done, an error, or no
// progress for `hang_cycles`. Load cycles are one per table word and one
// per bank word, as the write ports take them.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
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

struct FactoryRunResult {
  std::vector<uint32_t> results;  // results[r * slots + b], fp32 bits
  FactoryStatus status;           // after the run
  uint64_t cycles = 0;            // from the start to done (or the stop)
  uint64_t load_cycles = 0;       // table and bank writes
  bool hung = false;
};

inline FactoryRunResult run_factory(FactoryEngineBase& engine, const golden::TensorSetup& setup,
                                    const golden::factory::FactoryJob& job,
                                    const golden::factory::ActivationImage& image, const FactoryRunOptions& o) {
  FactoryRunResult run;
  for (size_t u = 0; u < setup.table.size(); ++u) engine.write_table(static_cast<uint32_t>(u), setup.table[u]);
  for (uint32_t k = 0; k < image.lanes(); ++k) {
    for (uint32_t a = 0; a < image.period(); ++a) {
      std::array<uint16_t, FactoryEngineBase::kSlots> word{};
      const auto w = image.word(k, a);
      std::copy(w.begin(), w.begin() + std::min<size_t>(w.size(), word.size()), word.begin());
      engine.write_activation(static_cast<int>(k), a, word);
    }
  }
  run.load_cycles = setup.table.size() + static_cast<uint64_t>(image.lanes()) * image.period();
  std::vector<uint64_t> counts(FactoryEngineBase::kLanes, 0);
  for (size_t k = 0; k < setup.lanes.size() && k < counts.size() && job.source == 0; ++k) {
    counts[k] = setup.lanes[k].count;  // the MX source's streams (source 1) are not ANS lanes
  }
  engine.start(setup.cfg, counts, job);

  LaneMemory memory(setup, o.bytes_per_clock, o.input_stall, o.seed);
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
    engine.cycle(in, ready, out);
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
  }
  return run;
}

}  // namespace ws::sim
