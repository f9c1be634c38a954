// ws_sim_speed: simulation speed of the RTL under Verilator and under
// Icarus, in simulated clocks per second, on the same design and the same
// stimulus, in the same run:
//   ans_decoder    16 lanes, 32-bit words, one tensor with a quarter of the
//                  cycles stalled each side, per wall second; Icarus's
//                  start-up (seconds before the first clock) is reported apart
//   token_factory  8 lanes, 16 slots, 256-word banks (--factory-image): one
//                  matrix job from the same golden vector files
//                  (sim/factory/factory_vectors.hpp), no stalls, so that both
//                  simulators run the same clocks; counted are the clocks
//                  from the edge that takes the start pulse to done, per CPU
//                  second of the simulator (per wall second too: the machine
//                  may be shared), Icarus's between the testbench's START and
//                  PASS lines; not counted are reading the files,
//                  elaboration, the Verilated model's construction and the
//                  table and bank writes
//   systemc_platform  the ANS decoder's Verilated model again, on the SystemC
//                  platform through the host driver: clocks per CPU second
//                  against the bare harness's, the platform's overhead
// Writes sim_speed.json into --out-dir: the ANS decoder's entry at the top
// level, the token factory's under "token_factory"; --only keeps the other
// entry of an existing file.
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "golden/codec/lane_setup.hpp"
#include "golden/codec/lossless_codec.hpp"
#include "golden/model/llama2c_reader.hpp"
#include "host/driver/ans_platform_driver.hpp"
#include "sim/ans/ans_harness.hpp"
#include "sim/ans/ans_vectors.hpp"
#include "sim/ans/memory_model.hpp"
#include "sim/ans/rtl_engine.hpp"
#include "sim/factory/factory_run.hpp"
#include "sim/factory/factory_vectors.hpp"
#include "sim/factory/rtl_factory_engine.hpp"
#include "sim/platform/ans_platform.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// CPU seconds (user + system) a running process has used so far.
double process_cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15: utime, stime
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// One vvp run, its output line by line: the wall and CPU seconds between the
// line starting with `from` and the line starting with `to`.
struct TimedProcess {
  std::string output;
  int status = -1;
  double wall = 0, cpu = 0;       // from .. to
  double startup_wall = 0;        // launch .. from
  double total_wall = 0, total_cpu = 0;
};
TimedProcess run_timed(const std::vector<std::string>& argv, const std::string& from, const std::string& to) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const auto launch = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  TimedProcess p;
  FILE* in = fdopen(fds[0], "r");
  std::optional<Clock::time_point> wall_from, wall_to;
  double cpu_from = 0;
  char buffer[4096];
  while (fgets(buffer, sizeof buffer, in) != nullptr) {
    const std::string line = buffer;
    p.output += line;
    if (!wall_from && line.rfind(from, 0) == 0) {
      wall_from = Clock::now();
      cpu_from = process_cpu_seconds(pid);
    }
    if (!wall_to && line.rfind(to, 0) == 0) wall_to = Clock::now();
  }
  fclose(in);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  p.total_wall = seconds_since(launch);
  p.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  p.total_cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  if (wall_from && wall_to) {
    p.wall = std::chrono::duration<double>(*wall_to - *wall_from).count();
    p.startup_wall = std::chrono::duration<double>(*wall_from - launch).count();
    p.cpu = p.total_cpu - cpu_from;  // to the exit, which follows the last line at once
  }
  return p;
}

// The token factory under both simulators on one matrix job, no stalls.
// Counted: the clocks from the edge that takes the start pulse to the end of
// the run; not counted: reading the vector files, elaborating, building the
// Verilated model, the table and bank writes (cheap under Icarus, whose
// events then stay in the decoder's table RAMs and the banks).
nlohmann::json factory_speed(const std::string& vvp, const std::string& image, const std::string& tensor_name,
                             uint32_t slots, double min_verilator_seconds) {
  using namespace ws;
  const sim::FactoryStimulus stimulus =
      sim::stories_factory_stimulus(WS_MODELS_DIR "/stories260K.bin", tensor_name, 8, slots, 1);
  const golden::TensorSetup& setup = stimulus.setup;
  const std::string vectors = (std::filesystem::temp_directory_path() / "ws_sim_speed_factory_vectors").string();
  std::filesystem::remove_all(vectors);
  sim::write_factory_vectors(vectors, stimulus);

  // Icarus: from the testbench's START line (the start edge) to its PASS line.
  const TimedProcess icarus =
      run_timed({vvp, "-n", image, "+vectors=" + vectors, "+seed=1", "+stall=0"}, "START", "PASS");
  std::smatch m;
  if (icarus.status != 0 || icarus.wall <= 0 ||
      !std::regex_search(icarus.output, m, std::regex("(\\d+) cycles from the start, (\\d+) clocks simulated in all"))) {
    throw std::runtime_error("icarus token factory run failed:\n" + icarus.output);
  }
  std::filesystem::remove_all(vectors);
  const double icarus_cycles = std::stod(m[1]), icarus_all_clocks = std::stod(m[2]);

  // Verilator: the same job, the same inputs (every word offered as soon as
  // there is one, the result always taken), repeated until it has run long
  // enough to time; each run's table and bank writes outside the timing.
  sim::RtlFactoryEngine engine;
  sim::FactoryLoads loads;
  loads.add_table(setup.table, 0);
  loads.add_image(stimulus.image, 0);
  std::vector<uint64_t> counts(sim::FactoryEngineBase::kLanes, 0);
  for (size_t k = 0; k < setup.lanes.size() && k < counts.size(); ++k) counts[k] = setup.lanes[k].count;
  std::vector<contract::LaneInputs> in(sim::FactoryEngineBase::kLanes);
  std::vector<contract::LaneOutputs> out(sim::FactoryEngineBase::kLanes);
  double verilator_wall = 0, verilator_cpu = 0, verilator_clocks = 0;
  uint64_t run_clocks = 0;
  int runs = 0;
  do {
    sim::write_loads(engine, loads);
    sim::LaneMemory memory(setup, 0, 0, 1);
    std::vector<uint32_t> results;
    const uint64_t before = engine.simulated_cycles();
    const auto wall_start = Clock::now();
    const double cpu_start = cpu_seconds();
    engine.start(setup.cfg, counts, stimulus.job);
    for (;;) {
      const sim::FactoryStatus status = engine.status();
      if (!status.busy) {
        if (status.error != contract::FactoryError::None) throw std::runtime_error("verilator: the run stopped with an error");
        break;
      }
      const std::vector<contract::LaneInputs> offers = memory.offers();
      std::fill(in.begin(), in.end(), contract::LaneInputs{});
      std::copy(offers.begin(), offers.end(), in.begin());
      const sim::FactoryResultBeat beat = engine.result();
      engine.cycle(in, true, out);
      for (size_t k = 0; k < offers.size(); ++k) memory.taken(k, out[k].in_ready);
      if (beat.valid) {
        for (uint32_t b = 0; b < stimulus.job.slots; ++b) results.push_back(beat.words[b]);
      }
      if (engine.simulated_cycles() - before > 100 * uint64_t{stimulus.job.rows} * stimulus.job.cols + 100000) {
        throw std::runtime_error("verilator: the run does not end");
      }
    }
    verilator_cpu += cpu_seconds() - cpu_start;
    verilator_wall += seconds_since(wall_start);
    run_clocks = engine.simulated_cycles() - before;
    verilator_clocks += static_cast<double>(run_clocks);
    if (results != stimulus.expected) throw std::runtime_error("verilator: the results differ from golden's");
    ++runs;
  } while (verilator_wall < min_verilator_seconds);

  const double verilator_rate = verilator_clocks / verilator_cpu, icarus_rate = icarus_cycles / icarus.cpu;
  const double verilator_wall_rate = verilator_clocks / verilator_wall, icarus_wall_rate = icarus_cycles / icarus.wall;
  std::printf("token_factory (8 lanes, 16 slots, 256-word banks), %s %ux%u, %u slots in use, no stalls,\n"
              "clocks from the start edge to done:\n",
              tensor_name.c_str(), stimulus.job.rows, stimulus.job.cols, slots);
  std::printf("  verilator %.0f clocks per CPU s, %.0f per wall s (%d runs of %llu clocks: %.2f CPU s, %.2f wall s)\n",
              verilator_rate, verilator_wall_rate, runs, static_cast<unsigned long long>(run_clocks), verilator_cpu,
              verilator_wall);
  std::printf("  icarus    %.1f clocks per CPU s, %.1f per wall s (%.0f clocks: %.2f CPU s, %.2f wall s; before "
              "the start %.2f wall s, %.0f clocks in all)\n",
              icarus_rate, icarus_wall_rate, icarus_cycles, icarus.cpu, icarus.wall, icarus.startup_wall,
              icarus_all_clocks);
  std::printf("  verilator / icarus: %.0fx (CPU time), %.0fx (wall time)\n", verilator_rate / icarus_rate,
              verilator_wall_rate / icarus_wall_rate);
  return {
      {"design", "token_factory Lanes=8 Slots=16 BankDepth=256"},
      {"tensor", tensor_name},
      {"rows", stimulus.job.rows},
      {"cols", stimulus.job.cols},
      {"slots", slots},
      {"stalls", 0},
      {"clocks_counted", "from the edge that takes the start pulse to done (table and bank writes, file reading, "
                         "elaboration and model construction excluded); rates per CPU second of the simulator"},
      {"verilator",
       {{"clocks", verilator_clocks}, {"cpu_seconds", verilator_cpu}, {"wall_seconds", verilator_wall},
        {"clocks_per_second", verilator_rate}, {"clocks_per_wall_second", verilator_wall_rate}, {"runs", runs},
        {"run_clocks", run_clocks}}},
      {"icarus",
       {{"clocks", icarus_cycles}, {"cpu_seconds", icarus.cpu}, {"wall_seconds", icarus.wall},
        {"clocks_per_second", icarus_rate}, {"clocks_per_wall_second", icarus_wall_rate},
        {"clocks_in_all", icarus_all_clocks}, {"startup_wall_seconds", icarus.startup_wall},
        {"total_wall_seconds", icarus.total_wall}, {"total_cpu_seconds", icarus.total_cpu}}},
      {"verilator_over_icarus", verilator_rate / icarus_rate},
      {"verilator_over_icarus_wall", verilator_wall_rate / icarus_wall_rate}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Verilator vs Icarus simulation speed on the ANS decoder and the token factory"};
  std::string vvp, image, factory_image, out_dir, tensor_name = "layers.0.w1", factory_tensor = "layers.0.wq",
                                                  only;
  int repetitions = 20;
  uint32_t factory_slots = 16;
  double factory_seconds = 3;
  app.add_option("--vvp", vvp, "vvp program")->required();
  app.add_option("--image", image, "tb_ans_decoder compiled by iverilog with Lanes=16 PatternWidth=32")->required();
  app.add_option("--factory-image", factory_image,
                 "tb_token_factory compiled by iverilog with Lanes=8 Slots=16 BankDepth=256");
  app.add_option("--out-dir", out_dir, "Where sim_speed.json goes")->required();
  app.add_option("--tensor", tensor_name, "Tensor of the embedded model (bf16, 8 lanes)");
  app.add_option("--repetitions", repetitions, "Verilator runs of the tensor");
  app.add_option("--factory-tensor", factory_tensor, "Matrix of the embedded model for the token factory");
  app.add_option("--factory-slots", factory_slots, "Token slots in use")->check(CLI::Range(1, 16));
  app.add_option("--factory-seconds", factory_seconds, "Least wall time of the Verilator token factory runs");
  app.add_option("--only", only, "Measure one design, keep the other's entry of sim_speed.json")
      ->check(CLI::IsMember({"ans_decoder", "token_factory"}));
  CLI11_PARSE(app, argc, argv);

  nlohmann::json previous;
  {
    std::ifstream in(out_dir + "/sim_speed.json");
    if (in) previous = nlohmann::json::parse(in, nullptr, false);
    if (previous.is_discarded() || !previous.is_object()) previous = nlohmann::json::object();
  }
  nlohmann::json factory_report;
  if (only != "ans_decoder" && !factory_image.empty()) {
    try {
      factory_report = factory_speed(vvp, factory_image, factory_tensor, factory_slots, factory_seconds);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "token factory: %s\n", e.what());
      return 1;
    }
  } else if (previous.contains("token_factory")) {
    factory_report = previous["token_factory"];
  }
  if (only == "token_factory") {
    previous["token_factory"] = factory_report;
    std::filesystem::create_directories(out_dir);
    std::ofstream(out_dir + "/sim_speed.json") << previous.dump(2) << "\n";
    return 0;
  }

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
  double verilator_seconds = 0, verilator_clocks = 0, verilator_cpu = 0;
  {
    sim::RtlAnsEngine engine;  // gone before the platform makes its own
    const uint64_t before = engine.simulated_cycles();
    const auto start = Clock::now();
    const double cpu_start = cpu_seconds();
    for (int r = 0; r < repetitions; ++r) {
      const sim::AnsRunStats s =
          sim::run_tensor(engine, tensor_name, setup, sim::expect_weights(tensors[index].bits, setup),
                          {0, 0.25, 0.25, static_cast<uint64_t>(r + 1), 10000});
      if (!s.ok()) {
        std::fprintf(stderr, "verilator run failed: %s\n", s.status.message().c_str());
        return 1;
      }
    }
    verilator_seconds = seconds_since(start);
    verilator_cpu = cpu_seconds() - cpu_start;
    verilator_clocks = static_cast<double>(engine.simulated_cycles() - before);
  }

  // The same Verilated model on the SystemC platform, driven through its
  // registers by the host driver (DRAM at 16 bytes a clock, 40 clocks of
  // latency): what the platform's kernel, TLM transactions and DMA model
  // cost per clock, per CPU second against the bare harness above.
  double platform_clocks = 0, platform_cpu = 0;
  {
    sim::AnsPlatform& platform = sim::AnsPlatform::get({300, uint64_t{64} << 20});
    platform.configure({{16, 40}, {}}, sim::EngineKind::Rtl,
                       {sim::RtlAnsEngine::kLanes, sim::RtlAnsEngine::kWidth, ""});
    host::AnsCardDriver driver(platform.host());
    const golden::SetupDecode expected = sim::expect_weights(tensors[index].bits, setup);
    const double cpu_start = cpu_seconds();
    for (int r = 0; r < repetitions; ++r) {
      const host::PlatformJob job = driver.run(tensor_name, setup, expected);
      if (!job.run.ok()) {
        std::fprintf(stderr, "platform run failed: %s\n", job.run.status.message().c_str());
        return 1;
      }
      platform_clocks += double(job.run.cycles + job.table_load_cycles);
    }
    platform_cpu = cpu_seconds() - cpu_start;
    platform.release_engine();
  }

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
  nlohmann::json report = {
      {"design", "ans_decoder Lanes=16 PatternWidth=32"},
      {"tensor", tensor_name},
      {"weights", tensors[index].size()},
      {"verilator",
       {{"clocks", verilator_clocks}, {"seconds", verilator_seconds}, {"clocks_per_second", verilator_rate}}},
      {"icarus",
       {{"clocks", icarus_clocks},
        {"seconds", icarus_seconds},
        {"clocks_per_second", icarus_rate},
        {"startup_seconds", small.seconds},
        {"startup_run_clocks", small.clocks}}},
      {"verilator_over_icarus", verilator_rate / icarus_rate},
      {"systemc_platform",
       {{"what",
         "the same Verilated model on the SystemC platform through the host driver (16 bytes/clock, "
         "latency 40), clocks (jobs and table loads) per CPU second, against the bare harness's"},
        {"clocks", platform_clocks},
        {"cpu_seconds", platform_cpu},
        {"clocks_per_cpu_second", platform_clocks / platform_cpu},
        {"bare_clocks_per_cpu_second", verilator_clocks / verilator_cpu},
        {"platform_over_bare", (platform_clocks / platform_cpu) / (verilator_clocks / verilator_cpu)}}}};
  if (!factory_report.is_null()) report["token_factory"] = factory_report;
  std::filesystem::create_directories(out_dir);
  std::ofstream(out_dir + "/sim_speed.json") << report.dump(2) << "\n";
  std::printf("ans_decoder (16 lanes, 32-bit words), tensor %s:\n", tensor_name.c_str());
  std::printf("  verilator %.0f clocks/s (%.0f clocks in %.2f s)\n", verilator_rate, verilator_clocks, verilator_seconds);
  std::printf("  icarus    %.0f clocks/s (%.0f more clocks in %.2f more s than the %.0f-clock run of %s, %.2f s)\n",
              icarus_rate, icarus_clocks, icarus_seconds, small.clocks, encoded[smallest].name.c_str(),
              small.seconds);
  std::printf("  verilator / icarus: %.0fx\n", verilator_rate / icarus_rate);
  std::printf("  verilator on the SystemC platform: %.0f clocks per CPU second, %.2f of the bare harness's %.0f\n",
              platform_clocks / platform_cpu, (platform_clocks / platform_cpu) / (verilator_clocks / verilator_cpu),
              verilator_clocks / verilator_cpu);
  return 0;
}
