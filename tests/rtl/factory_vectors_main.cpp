// ws_factory_vectors: writes the golden vectors of one token factory job for
// the Icarus testbench (sim/icarus/tb_token_factory.sv): a matrix of the
// embedded model (stories260K) as bf16, losslessly encoded in 8 lanes,
// `--slots` random activation vectors from `--seed`, and golden's results
// (sim/factory/factory_vectors.hpp has the file layout).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "sim/factory/factory_vectors.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Golden vectors of a token factory job for the Icarus testbench"};
  std::string model = WS_MODELS_DIR "/stories260K.bin", tensor = "layers.0.w2", out;
  int lanes = 8;
  uint32_t slots = 4;
  uint64_t seed = 1;
  app.add_option("-o,--out", out, "Directory the vector files go to")->required();
  app.add_option("--model", model, "llama2.c model");
  app.add_option("--tensor", tensor, "Matrix of the model");
  app.add_option("--lanes", lanes, "Lanes of the encoding (at most 8, the build's)")->check(CLI::Range(1, 8));
  app.add_option("--slots", slots, "Token slots in use (at most 16, the build's)")->check(CLI::Range(1, 16));
  app.add_option("--seed", seed, "Seed of the random activations");
  CLI11_PARSE(app, argc, argv);
  try {
    const ws::sim::FactoryStimulus s = ws::sim::stories_factory_stimulus(model, tensor, lanes, slots, seed);
    ws::sim::write_factory_vectors(out, s);
    std::printf("%s: %u rows x %u cols in %u lanes, %u slots, period %u, %zu results -> %s\n", tensor.c_str(),
                s.job.rows, s.job.cols, s.job.lanes, s.job.slots, s.job.period, s.expected.size(), out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ws_factory_vectors: %s\n", e.what());
    return 1;
  }
  return 0;
}
