// ws_sim_speed: simulation speed of the ANS decoder RTL under Verilator and
// under Icarus, in simulated clocks per second of wall time, on the same
// design (16 lanes, 32-bit words) and the same tensor, in the same run.
// Icarus's start-up (seconds before the first clock) is reported apart.
// Writes sim_speed.json into --out-dir.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>

#include "golden/codec/lane_setup.hpp"
#include "golden/codec/lossless_codec.hpp"
#include "golden/model/llama2c_reader.hpp"
#include "sim/ans/ans_harness.hpp"
#include "sim/ans/ans_vectors.hpp"
#include "sim/ans/rtl_engine.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Verilator vs Icarus simulation speed on the ANS decoder"};
  std::string vvp, image, out_dir, tensor_name = "layers.0.w1";
  int repetitions = 20;
  app.add_option("--vvp", vvp, "vvp program")->required();
  app.add_option("--image", image, "tb_ans_decoder compiled by iverilog with Lanes=16 PatternWidth=32")->required();
  app.add_option("--out-dir", out_dir, "Where sim_speed.json goes")->required();
  app.add_option("--tensor", tensor_name, "Tensor of the embedded model (bf16, 8 lanes)");
  app.add_option("--repetitions", repetitions, "Verilator runs of the tensor");
  CLI11_PARSE(app, argc, argv);

  using namespace ws;
  std::vector<golden::Tensor> tensors = golden::read_llama2c(WS_MODELS_DIR "/stories260K.bin").tensors;
  for (auto& t : tensors) t = golden::to_bf16(t);
  golden::LosslessOptions options;
  options.lanes = 8;
  options.max_joint_bits = 3;
  const std::vector<golden::EncodedTensor> encoded = golden::encode_lossless(tensors, options);
  const auto tables = golden::build_tables(encoded, "stories");
  size_t index = 0;
  while (index < encoded.size() && encoded[index].name != tensor_name) ++index;
  if (index == encoded.size()) {
    std::fprintf(stderr, "no tensor '%s'\n", tensor_name.c_str());
    return 1;
  }
  const golden::TensorSetup setup = golden::tensor_setup(encoded[index], *tables[index], sim::RtlAnsEngine::kWidth);

  // Verilator, with the stall pattern of the Icarus testbench (a quarter of the cycles each side).
  sim::RtlAnsEngine engine;
  const uint64_t before = engine.simulated_cycles();
  const auto start = Clock::now();
  for (int r = 0; r < repetitions; ++r) {
    const sim::AnsRunStats s = sim::run_tensor(engine, tensor_name, setup, sim::expect_weights(tensors[index].bits, setup),
                                               {0, 0.25, 0.25, static_cast<uint64_t>(r + 1), 10000});
    if (!s.ok()) {
      std::fprintf(stderr, "verilator run failed: %s\n", s.status.message().c_str());
      return 1;
    }
  }
  const double verilator_seconds = seconds_since(start);
  const double verilator_clocks = static_cast<double>(engine.simulated_cycles() - before);

  // Icarus on the golden-written vectors of the same tensor, and of the
  // smallest tensor: the difference takes out Icarus's start-up (reading the
  // vector files, elaborating 16 table RAMs), leaving clocks per second.
  struct IcarusRun {
    double clocks = 0;
    double seconds = 0;
  };
  auto icarus = [&](size_t t) -> IcarusRun {
    const std::string vectors = (std::filesystem::temp_directory_path() / "ws_sim_speed_vectors").string();
    std::filesystem::remove_all(vectors);
    sim::write_ans_vectors(vectors, golden::tensor_setup(encoded[t], *tables[t], sim::RtlAnsEngine::kWidth),
                           tensors[t].bits);
    const std::string log = vectors + "/vvp.log";
    const auto begin = Clock::now();
    const int status =
        std::system((vvp + " -n " + image + " +vectors=" + vectors + " +seed=1 >" + log + " 2>&1").c_str());
    const double seconds = seconds_since(begin);
    std::ifstream in(log);
    const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::smatch m;
    if (status != 0 || !std::regex_search(output, m, std::regex("PASS .* (\\d+) clocks simulated in all"))) {
      throw std::runtime_error("icarus run failed:\n" + output);
    }
    std::filesystem::remove_all(vectors);
    return {std::stod(m[1]), seconds};
  };
  size_t smallest = 0;
  for (size_t t = 0; t < encoded.size(); ++t) {
    if (encoded[t].count < encoded[smallest].count) smallest = t;
  }
  const IcarusRun small = icarus(smallest), large = icarus(index);
  const double icarus_clocks = large.clocks - small.clocks, icarus_seconds = large.seconds - small.seconds;

  const double verilator_rate = verilator_clocks / verilator_seconds, icarus_rate = icarus_clocks / icarus_seconds;
  const nlohmann::json report = {
      {"design", "ans_decoder Lanes=16 PatternWidth=32"},
      {"tensor", tensor_name},
      {"weights", tensors[index].size()},
      {"verilator", {{"clocks", verilator_clocks}, {"seconds", verilator_seconds}, {"clocks_per_second", verilator_rate}}},
      {"icarus", {{"clocks", icarus_clocks}, {"seconds", icarus_seconds}, {"clocks_per_second", icarus_rate},
                  {"startup_seconds", small.seconds}, {"startup_run_clocks", small.clocks}}},
      {"verilator_over_icarus", verilator_rate / icarus_rate}};
  std::filesystem::create_directories(out_dir);
  std::ofstream(out_dir + "/sim_speed.json") << report.dump(2) << "\n";
  std::printf("ans_decoder (16 lanes, 32-bit words), tensor %s:\n", tensor_name.c_str());
  std::printf("  verilator %.0f clocks/s (%.0f clocks in %.2f s)\n", verilator_rate, verilator_clocks, verilator_seconds);
  std::printf("  icarus    %.0f clocks/s (%.0f more clocks in %.2f more s than the %.0f-clock run of %s, %.2f s)\n",
              icarus_rate, icarus_clocks, icarus_seconds, small.clocks, encoded[smallest].name.c_str(),
              small.seconds);
  std::printf("  verilator / icarus: %.0fx\n", verilator_rate / icarus_rate);
  return 0;
}
