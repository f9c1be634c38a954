// `weightstream sim`: decodes every tensor of a .wsc container through an ANS
// decoder engine (the RTL under Verilator, the hls model, or the ideal golden
// engine), with a memory model serving the lane streams, or (--platform) on
// the SystemC platform through the host driver, and compares every weight
// and lane error with golden.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "golden/codec/lossless_codec.hpp"
#include "golden/container/wsc_container.hpp"
#include "golden/io/file_io.hpp"
#include "host/commands/commands.hpp"
#include "host/driver/ans_platform_driver.hpp"
#include "host/support/exit_codes.hpp"
#include "host/support/platform_options.hpp"
#include "host/support/progress.hpp"
#include "sim/ans/ans_engine.hpp"
#include "sim/ans/ans_harness.hpp"
#include "sim/ans/ans_vectors.hpp"
#include "sim/ans/container_run.hpp"
#include "sim/platform/ans_platform.hpp"

namespace ws::host {
namespace {

struct SimOptions {
  std::string input;
  std::string engine = sim::engine_available(sim::EngineKind::Rtl) ? "rtl" : "hls";
  int lanes = 0;
  double bandwidth = 0;
  double stall = 0;
  uint64_t seed = 1;
  std::string trace;
  std::string tensor;
  std::string vectors;
  int width = 16;
  bool width_given = false;
  bool force = false;
  bool no_crc = false;
  bool json = false;
  // The SystemC platform (sim/platform/ans_platform.hpp).
  PlatformCliOptions platform;
  uint64_t device_memory_kib = 256 * 1024;
};

// The vectors go into a directory that exists or can be made, never over a file.
void check_vectors_dir(const std::string& dir) {
  std::error_code error;
  const auto status = std::filesystem::status(dir, error);
  if (std::filesystem::exists(status) && !std::filesystem::is_directory(status)) {
    throw golden::OutputError(dir + ": exists and is not a directory; the vectors need one");
  }
  if (!std::filesystem::exists(status)) {
    const std::filesystem::path parent = std::filesystem::absolute(dir).parent_path();
    if (!std::filesystem::is_directory(parent, error)) {
      throw golden::OutputError(dir + ": its directory " + parent.string() + " does not exist");
    }
  }
}

// The container, mapped: its directory and tables parsed, each tensor's lanes
// read when it runs and dropped after it (memory: one tensor's lanes).
struct Loaded {
  std::unique_ptr<golden::MappedFile> file;
  golden::WscContents contents;
  std::vector<std::shared_ptr<const golden::TansTable>> tables;
  size_t max_lanes = 1;

  golden::EncodedTensor& load_lanes(size_t i, const SimOptions& o) {
    golden::load_lanes(file->bytes(), contents, i, o.input, !o.no_crc);
    file->release(contents.payloads[i].offset, contents.tensors[i].payload_bytes());  // copied
    return contents.tensors[i];
  }
};

Loaded load(const SimOptions& o) {
  Loaded l{std::make_unique<golden::MappedFile>(o.input), {}, {}, 1};
  l.contents = golden::parse_wsc(l.file->bytes(), o.input, {!o.no_crc, false});
  l.tables = golden::build_tables(l.contents.tensors, o.input);
  for (const golden::WscPayload& p : l.contents.payloads) l.max_lanes = std::max(l.max_lanes, p.lane_bytes.size());
  return l;
}

int write_vectors(const SimOptions& o) {
  if (o.tensor.empty()) throw UsageError("--write-vectors needs --tensor NAME");
  if (o.width != 16 && o.width != 32) throw UsageError("--width must be 16 or 32");
  for (const auto& [given, name] : {std::pair{o.trace.empty(), "--trace"}, std::pair{o.lanes == 0, "--lanes"},
                                    std::pair{o.bandwidth == 0, "--bandwidth"}, std::pair{o.stall == 0, "--stall"},
                                    std::pair{!o.json, "--json"}}) {
    if (!given) throw UsageError(std::string(name) + " does nothing with --write-vectors");
  }
  check_vectors_dir(o.vectors);
  Loaded l = load(o);
  for (size_t i = 0; i < l.contents.tensors.size(); ++i) {
    if (l.contents.tensors[i].name != o.tensor) continue;
    const golden::EncodedTensor& t = l.contents.tensors[i].quantized ? l.contents.tensors[i] : l.load_lanes(i, o);
    if (t.quantized) throw UsageError("tensor '" + o.tensor + "' is stored quantised, not as ANS lanes");
    if (golden::dtype_bits(t.dtype) > o.width) {
      throw UsageError("tensor '" + o.tensor + "' is " + std::string(golden::dtype_name(t.dtype)) + ": its " +
                       std::to_string(golden::dtype_bits(t.dtype)) + "-bit weights need --width 32");
    }
    const golden::Tensor golden_tensor = golden::decode_lossless(t, *l.tables[i], o.input);  // checks the lanes back it
    sim::write_ans_vectors(o.vectors, golden::tensor_setup(t, *l.tables[i], o.width), golden_tensor.bits);
    std::fprintf(stderr, "vectors of tensor '%s' (%llu weights, %zu lanes) written to %s\n", t.name.c_str(),
                 static_cast<unsigned long long>(t.count), t.lane_streams.size(), o.vectors.c_str());
    return kExitOk;
  }
  throw UsageError("no tensor '" + o.tensor + "' in " + o.input);
}

// The exit code of a run: a disagreement with golden first, then a hang, then a corrupt input.
int outcome_exit_code(const std::vector<sim::TensorRun>& runs) {
  golden::ErrorCode worst = golden::ErrorCode::None;
  for (const golden::ErrorCode code :
       {golden::ErrorCode::BadInput, golden::ErrorCode::Hang, golden::ErrorCode::Mismatch}) {
    for (const sim::TensorRun& t : runs) {
      if (t.outcome() == code) worst = code;
    }
  }
  return exit_code_for(worst);
}

// The platform's jobs, one per tensor run, in order.
using PlatformJobs = std::vector<PlatformJob>;

// One tensor (lanes loaded) decoded and checked; the seed of its stalls.
using DecodeTensor = std::function<sim::TensorRun(const golden::EncodedTensor&, const golden::TansTable&, uint64_t)>;

// The platform's part of the report: its settings, then the summary of its
// jobs (DRAM traffic, achieved bandwidth, memory wait, simulated time, the
// roofline).
nlohmann::json platform_report(const SimOptions& o, const std::vector<sim::TensorRun>& runs, const PlatformJobs& jobs) {
  PlatformSummary summary;
  summary.dram_bytes_per_clock = o.platform.dram_bytes_per_clock;
  for (size_t i = 0; i < jobs.size(); ++i) summary.add(jobs[i], runs[i].lanes);
  const PlatformCliOptions& p = o.platform;
  nlohmann::json report = {{"clock_mhz", p.clock_mhz},
                           {"dram_bytes_per_clock", p.dram_bytes_per_clock},
                           {"dram_latency_clocks", p.dram_latency},
                           {"burst_bytes", p.burst},
                           {"fifo_words", p.fifo_words}};
  report.update(summary.to_json(p.clock_mhz));
  return report;
}

int simulate(const SimOptions& o, Loaded& l, const DecodeTensor& decode, int lanes,
             const PlatformJobs* platform = nullptr) {
  Progress progress("sim");
  // As sim::run_container does, one tensor's lanes in memory at a time.
  std::vector<sim::TensorRun> runs;
  for (size_t i = 0; i < l.contents.tensors.size(); ++i) {
    const golden::EncodedTensor& t = l.contents.tensors[i];
    if ((!o.tensor.empty() && t.name != o.tensor) || t.quantized) continue;
    progress.update(i, l.contents.tensors.size(), t.name);
    runs.push_back(decode(l.load_lanes(i, o), *l.tables[i], o.seed + i));
    l.contents.tensors[i].lane_streams = {};
  }
  progress.done();
  if (runs.empty()) {
    throw UsageError(o.input + " has no tensor coded as ANS lanes" + (o.tensor.empty() ? "" : " named '" + o.tensor + "'") +
                     " (quantised tensors are not decoded by the ANS hardware)");
  }
  const auto skipped =
      std::ranges::count_if(l.contents.tensors, [](const auto& t) { return t.quantized.has_value(); });

  sim::AnsRunStats total;
  bool bit_exact = true;
  nlohmann::json tensors = nlohmann::json::array();
  std::vector<std::string> errors;
  for (size_t i = 0; i < runs.size(); ++i) {
    const sim::TensorRun& t = runs[i];
    total.add(t.stats);
    const double per_clock = t.stats.cycles ? double(t.stats.weights) / double(t.stats.cycles) : 0.0;
    nlohmann::json entry = {{"name", t.name},           {"weights", t.stats.weights},
                            {"lanes", t.lanes},         {"cycles", t.stats.cycles},
                            {"bit_exact", t.bit_exact()}, {"weights_per_clock", per_clock},
                            {"weights_per_clock_per_lane", per_clock / double(t.lanes)}};
    if (!t.bit_exact()) {
      bit_exact = false;
      errors.push_back(t.error());
      entry["error"] = errors.back();
      entry["outcome"] = golden::to_text(t.outcome());
    }
    if (platform) {
      const PlatformJob& job = (*platform)[i];
      entry["bytes_read"] = job.bytes_read;
      entry["table_load_cycles"] = job.table_load_cycles;
      entry["roofline"] = platform_roofline(t.lanes, job.run.weights, job.bytes_read, o.platform.dram_bytes_per_clock);
    }
    tensors.push_back(entry);
  }

  const double per_clock = total.cycles ? double(total.weights) / double(total.cycles) : 0.0;
  nlohmann::json report = {
      {"input", o.input},
      {"engine", o.engine},
      {"lanes", lanes},
      {"bandwidth_bytes_per_clock", o.bandwidth},
      {"stall_probability", o.stall},
      {"seed", o.seed},
      {"bit_exact", bit_exact},
      {"weights", total.weights},
      {"cycles", total.cycles},
      {"weights_per_clock", per_clock},
      {"weights_per_clock_per_lane", per_clock / lanes},
      {"stall_cycles",
       {{"input_empty", total.stall_input}, {"output_full", total.stall_output}, {"refill", total.stall_refill}}},
      {"errors", errors},
      {"quantized_tensors_skipped", skipped},
      {"tensors", tensors}};
  if (platform != nullptr) report["platform"] = platform_report(o, runs, *platform);
  if (o.json) {
    std::printf("%s\n", report.dump(2).c_str());
  } else {
    const std::string bandwidth = o.bandwidth > 0 ? std::to_string(o.bandwidth) + " B/clock" : "unlimited";
    std::printf("%s: %zu tensors through the %s decoder, %d lanes, bandwidth %s\n", o.input.c_str(), tensors.size(),
                o.engine.c_str(), lanes, bandwidth.c_str());
    std::printf("weights %llu, cycles %llu, %.4f weights/clock, %.4f per lane\n",
                static_cast<unsigned long long>(total.weights), static_cast<unsigned long long>(total.cycles),
                per_clock, per_clock / lanes);
    std::printf("stall lane-cycles: input empty %llu, output full %llu, refill %llu\n",
                static_cast<unsigned long long>(total.stall_input), static_cast<unsigned long long>(total.stall_output),
                static_cast<unsigned long long>(total.stall_refill));
    if (platform) {
      const nlohmann::json& p = report["platform"];
      std::printf("platform at %.0f MHz: DRAM %.4g B/clock, latency %u clocks, bursts of %u bytes\n",
                  o.platform.clock_mhz, o.platform.dram_bytes_per_clock, o.platform.dram_latency, o.platform.burst);
      std::printf("read %llu bytes (%.3f B/clock, %.3f GB/s), %.1f%% of lane-clocks waiting for memory\n",
                  static_cast<unsigned long long>(p["bytes_read"].get<uint64_t>()),
                  p["achieved_bytes_per_clock"].get<double>(), p["achieved_gb_per_s"].get<double>(),
                  100 * p["memory_wait_fraction"].get<double>());
      std::printf(
          "%s-bound: roofline %.4f weights/clock, measured %.1f%% of it; %.0f ns decoding, %.0f ns with "
          "table loads; %.4g weights/s\n",
          p["bound"].get<std::string>().c_str(), p["roofline"].get<double>(),
          100 * p["measured_over_roofline"].get<double>(), p["decode_ns"].get<double>(), p["time_ns"].get<double>(),
          p["weights_per_second"].get<double>());
    }
    for (const std::string& e : errors) std::printf("error: %s\n", e.c_str());
    std::printf("%s\n", bit_exact ? "bit-exact: every weight matches golden" : "NOT bit-exact");
  }
  return outcome_exit_code(runs);
}

int simulate_platform(const SimOptions& o, Loaded& l, sim::EngineKind kind, const sim::AnsEngineOptions& engine,
                      int lanes) {
  sim::AnsPlatform& platform = sim::AnsPlatform::get({o.platform.clock_mhz, o.device_memory_kib << 10});
  platform.configure(o.platform.settings(), kind, engine);
  PlatformJobs jobs;
  AnsCardDriver driver(platform.host());
  struct Release {
    sim::AnsPlatform& platform;
    ~Release() { platform.release_engine(); }
  } release{platform};
  return simulate(
      o, l,
      [&](const golden::EncodedTensor& t, const golden::TansTable& table, uint64_t /*no random stalls*/) {
        return driver.run_tensor(t, table, o.input, jobs.emplace_back());
      },
      lanes, &jobs);
}

int run_sim(const SimOptions& o) {
  const std::optional<sim::EngineKind> kind = sim::parse_engine_kind(o.engine);
  if (!kind) throw UsageError("--engine must be golden, hls or rtl, not '" + o.engine + "'");
  if (!(o.bandwidth >= 0 && std::isfinite(o.bandwidth))) {
    throw UsageError("--bandwidth must be a finite number of bytes per clock, >= 0 (0: unlimited)");
  }
  if (!(o.stall >= 0 && o.stall < 1)) throw UsageError("--stall must be in [0, 1)");
  o.platform.check();
  if (o.platform.on && (o.bandwidth != 0 || o.stall != 0 || !o.vectors.empty())) {
    throw UsageError(std::string(o.bandwidth != 0 ? "--bandwidth"
                                 : o.stall != 0   ? "--stall"
                                                  : "--write-vectors") +
                     " does nothing with --platform: its DRAM model (--dram-bytes-per-clock, --dram-latency, --burst) "
                     "paces the decoder");
  }
  if (o.platform.on) {
    if (o.device_memory_kib < 4 || o.device_memory_kib > (uint64_t{64} << 20)) {
      throw UsageError("--device-memory-kib must be 4 .. 64 Gi");
    }
  }
  if (!o.vectors.empty()) return write_vectors(o);
  if (o.width_given) throw UsageError("--width applies to --write-vectors only");
  if (!o.trace.empty() && *kind != sim::EngineKind::Rtl) throw UsageError("--trace needs --engine rtl");
  if (!o.trace.empty()) golden::check_output(o.trace, {o.force, {o.input}});
  const int max_lanes = sim::engine_max_lanes(*kind, 32);
  if (o.lanes < 0 || o.lanes > max_lanes) {
    throw UsageError("--lanes " + std::to_string(o.lanes) + ": the " + o.engine + " decoder has 1.." +
                     std::to_string(max_lanes) + " lanes");
  }
  Loaded l = load(o);
  const int lanes = o.lanes ? o.lanes : static_cast<int>(l.max_lanes);
  if (lanes < static_cast<int>(l.max_lanes)) {
    throw UsageError("--lanes " + std::to_string(lanes) + ": the container has tensors of " +
                     std::to_string(l.max_lanes) + " lanes");
  }
  // The rtl build's lane count is fixed; a tensor's unused lanes stay idle.
  const int built = *kind == sim::EngineKind::Rtl ? max_lanes : lanes;
  if (o.platform.on) return simulate_platform(o, l, *kind, {built, 32, o.trace}, lanes);
  const std::unique_ptr<sim::AnsEngineBase> engine = sim::make_ans_engine(*kind, {built, 32, o.trace});
  sim::AnsRunOptions run;
  run.bytes_per_clock = o.bandwidth;
  run.input_stall = run.output_stall = o.stall;
  return simulate(
      o, l,
      [&](const golden::EncodedTensor& t, const golden::TansTable& table, uint64_t seed) {
        run.seed = seed;
        return sim::run_container_tensor(*engine, t, table, o.input, run);
      },
      lanes);
}

}  // namespace

void add_sim_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<SimOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sim", "Decode a .wsc container through the hardware (hls model or RTL) and check every weight against golden");
  cmd->add_option("input", o->input, "Input .wsc file")->required();
  cmd->add_option("--engine", o->engine, "rtl (Verilator), hls, or golden (an ideal decoder)")->default_str(o->engine);
  cmd->add_option("--lanes", o->lanes, "Decoder lanes (default: the container's; rtl up to 16, hls and golden up to 32)");
  cmd->add_option("--bandwidth", o->bandwidth, "Memory bytes per clock shared by all lanes (0: unlimited)")
      ->default_val(0);
  cmd->add_option("--stall", o->stall, "Chance of a random stall on the input and the output side per cycle")
      ->default_val(0);
  cmd->add_option("--seed", o->seed, "Seed of the random stalls")->default_val(1);
  cmd->add_option("--trace", o->trace, "Write an FST waveform of the RTL run (gtkwave opens it)");
  cmd->add_flag("-f,--force", o->force, "Replace the --trace file if it exists");
  cmd->add_option("--tensor", o->tensor, "Only this tensor");
  cmd->add_option("--write-vectors", o->vectors, "Write Icarus vectors of --tensor into this directory instead");
  cmd->add_option("--width", o->width, "Decoder word width of the vectors: 16 or 32 (default 16)")
      ->each([o](const std::string&) { o->width_given = true; });
  cmd->add_flag("--no-crc", o->no_crc, "Skip the payload CRC check, so corrupt streams reach the hardware");
  cmd->add_flag("--json", o->json, "Machine-readable report");
  o->platform.add_to(cmd,
                     "Run on the SystemC/TLM-2.0 platform: the decoder behind DRAM, a DMA and a register block, "
                     "driven through registers (docs/FORMAT.md 19)");
  cmd->add_option("--device-memory-kib", o->device_memory_kib, "Device DRAM size in KiB (--platform)")
      ->default_val(o->device_memory_kib)
      ->each([o](const std::string&) { o->platform.given.push_back("--device-memory-kib"); });
  cmd->callback([&action, o] { action = [o] { return run_sim(*o); }; });
}

}  // namespace ws::host
