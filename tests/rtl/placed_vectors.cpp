// Writes the Icarus vectors (docs/FORMAT.md 12.3) of a random tensor whose raw
// fields are placed per symbol (tests/support/placed_tensor.hpp), for
// sim/icarus/tb_ans_decoder.sv. The seed comes from WS_SEED when set and is
// printed either way.
//   ws_placed_vectors DIR WIDTH LANES   (a decoder of WIDTH bits and LANES lanes)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "golden/codec/lane_setup.hpp"
#include "sim/ans/ans_vectors.hpp"
#include "tests/support/placed_tensor.hpp"
#include "tests/support/seed.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DIR WIDTH LANES\n", argv[0]);
    return 1;
  }
  const int width = std::atoi(argv[2]);
  const int lanes = std::atoi(argv[3]);
  if ((width != 16 && width != 32) || lanes < 1 || lanes > ws::contract::kMaxLanes) {
    std::fprintf(stderr, "WIDTH must be 16 or 32, LANES 1..%d\n", ws::contract::kMaxLanes);
    return 1;
  }
  try {
    const uint64_t seed = ws::test::seed_from_env();
    // Every lane of the testbench's decoder in use: under Icarus an idle
    // lane's output word stays unknown, which the row stream's checker refuses.
    ws::test::PlacedShape shape = ws::test::random_placed_shape(seed, width, lanes);
    shape.lanes = lanes;
    shape.count = std::max<uint64_t>(shape.count, static_cast<uint64_t>(lanes));
    const ws::test::PlacedTensor t = ws::test::placed_tensor(seed, width, shape);
    // The vectors hold the weights the tensor was made from; golden reads the same.
    const ws::golden::SetupDecode d = ws::golden::decode_tensor_setup(t.setup);
    if (!d.ok() || d.weights != t.weights) {
      std::fprintf(stderr, "seed %llu: golden's reading of the setup differs from the weights\n",
                   static_cast<unsigned long long>(seed));
      return 1;
    }
    ws::sim::write_ans_vectors(argv[1], t.setup, t.weights);
    std::printf("%s: %zu weights in %zu lanes, pattern bits %u, REPEAT %s\n", t.name.c_str(), t.weights.size(),
                t.setup.lanes.size(), t.setup.cfg.pattern_bits, t.setup.cfg.repeat_enable ? "on" : "off");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
