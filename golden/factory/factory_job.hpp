// A token factory run as the hardware sees it (docs/FORMAT.md 17): the run
// registers, the performance counters, and the activation banks' layout.
// Lane k of a tensor in L lanes carries weights k, L + k, 2L + k, ...; its
// bank holds at address a the B activations of column (a L + k) mod cols, so
// that the r-th beat of every lane reads address r mod period, with period =
// cols / gcd(cols, L): the pattern of columns repeats after that many beats.
// golden_factory_run() is golden's reading of the same run: the weights
// golden decodes, each multiplied by the bank word its lane and beat name.
#pragma once

#include <array>
#include <cstdint>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

#include "golden/factory/factory_arith.hpp"

namespace ws::golden::factory {

// The run's registers.
struct FactoryJob {
  uint32_t rows = 0;    // matrix rows: results to produce
  uint32_t cols = 0;    // weights a row: lanes .. 2^FactoryColBits - 1
  uint32_t period = 0;  // activation bank addresses a run cycles through: 1 .. bank depth
  uint32_t lanes = 0;   // L, the tensor's lanes: 1 .. K
  uint32_t slots = 0;   // token slots in use (MACs counted): 1 .. B
  uint32_t source = 0;  // the weights: 0 the ANS lanes, 1 the MX source (mx_stream.hpp)
  uint32_t block = 32;  // MX source: weights a scale covers along a row
  uint32_t act_half = 0;  // the banks are read from address act_half * depth/2: the other half can be loaded meanwhile
};

// The performance counters (reset by a start).
struct FactoryCounters {
  uint64_t busy_cycles = 0;
  uint64_t stall_input = 0;   // busy, no row of weights offered
  uint64_t stall_output = 0;  // a row offered, the result register full and not read
  uint64_t weights = 0;       // weights taken
  uint64_t macs = 0;          // weights taken times slots in use
};

inline uint32_t factory_period(uint32_t cols, uint32_t lanes) { return cols / std::gcd(cols, lanes); }

// The banks' contents: word(k, a)[b] = slot b's bf16 activation of column (a L + k) mod cols.
class ActivationImage {
 public:
  // x: `slots` vectors of `cols` bf16 activations, slot-major.
  ActivationImage(std::span<const uint16_t> x, uint32_t cols, uint32_t lanes, int slots, int built_slots)
      : lanes_(lanes), period_(factory_period(cols, lanes)), built_slots_(built_slots),
        words_(static_cast<size_t>(lanes) * period_ * built_slots, 0) {
    for (uint32_t k = 0; k < lanes; ++k) {
      for (uint32_t a = 0; a < period_; ++a) {
        const uint32_t col = (a * lanes + k) % cols;
        for (int b = 0; b < slots; ++b) words_[index(k, a) + b] = x[static_cast<size_t>(b) * cols + col];
      }
    }
  }
  // An image as device memory holds it (data() of another image).
  ActivationImage(std::vector<uint16_t> words, uint32_t lanes, uint32_t period, int built_slots)
      : lanes_(lanes), period_(period), built_slots_(built_slots), words_(std::move(words)) {
    words_.resize(static_cast<size_t>(lanes) * period * built_slots, 0);
  }
  uint32_t lanes() const { return lanes_; }
  uint32_t period() const { return period_; }
  int built_slots() const { return built_slots_; }
  std::span<const uint16_t> word(uint32_t lane, uint32_t address) const {
    return std::span<const uint16_t>(words_).subspan(index(lane, address), built_slots_);
  }
  std::span<const uint16_t> data() const { return words_; }  // lane-major, then address, then slot

 private:
  size_t index(uint32_t lane, uint32_t address) const {
    return (static_cast<size_t>(lane) * period_ + address) * built_slots_;
  }
  uint32_t lanes_, period_;
  int built_slots_;
  std::vector<uint16_t> words_;
};

// results[r * slots + b]: fp32 bits of row r, slot b. Returns false on an operand error.
inline bool golden_factory_run(std::span<const uint32_t> weights, const FactoryJob& job, const ActivationImage& image,
                               std::vector<uint32_t>& results) {
  results.assign(static_cast<size_t>(job.rows) * job.slots, 0);
  bool error = false;
  for (uint32_t b = 0; b < job.slots; ++b) {
    for (uint32_t r = 0; r < job.rows; ++r) {
      Accumulator acc = 0;
      for (uint32_t j = 0; j < job.cols; ++j) {
        const uint64_t n = static_cast<uint64_t>(r) * job.cols + j;
        const auto lane = static_cast<uint32_t>(n % job.lanes);
        const auto address = static_cast<uint32_t>((n / job.lanes) % job.period);
        acc += product(static_cast<uint16_t>(weights[n]), image.word(lane, address)[b], error);
      }
      results[static_cast<size_t>(r) * job.slots + b] = round_to_fp32(acc);
    }
  }
  return !error;
}

}  // namespace ws::golden::factory
