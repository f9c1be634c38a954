// Random stall generation for valid/ready streams. The producer holds valid and
// data until the beat is taken (as the protocol requires); between beats it
// idles with probability `idle`. The consumer drops ready with probability
// `stall`. The seed comes from the caller (WS_SEED, printed by the test).
#pragma once

#include <cstdint>
#include <random>

namespace ws::sim {

struct StallProfile {
  double idle = 0.3;   // producer: chance of no new beat on a cycle
  double stall = 0.3;  // consumer: chance of not being ready on a cycle
};

class StallGenerator {
 public:
  StallGenerator(uint64_t seed, StallProfile profile) : rng_(seed), profile_(profile) {}

  bool producer_offers() { return !chance(profile_.idle); }
  bool consumer_ready() { return !chance(profile_.stall); }

 private:
  bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  std::mt19937_64 rng_;
  StallProfile profile_;
};

}  // namespace ws::sim
