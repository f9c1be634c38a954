// Random stimulus takes its seed from WS_SEED (decimal) when set; every test
// prints the seed it used so that a failure can be replayed.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace ws::test {

inline uint64_t seed_from_env() {
  uint64_t seed;
  if (const char* text = std::getenv("WS_SEED"); text != nullptr && *text != '\0') {
    seed = std::strtoull(text, nullptr, 10);
  } else {
    seed = std::random_device{}();
  }
  std::printf("WS_SEED=%llu\n", static_cast<unsigned long long>(seed));
  return seed;
}

}  // namespace ws::test
