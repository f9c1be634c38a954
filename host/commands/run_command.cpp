// `weightstream run`: the main job on a model (the embedded stories260K by
// default). Every weight is rounded to each numeric format (per-tensor power
// of two scale, golden/quant/scaled_rounding.hpp), decoded by golden, and the
// same patterns are decoded by the hls models and the RTL under Verilator,
// which must agree bit for bit. Then the model as bf16 is compressed
// losslessly and every weight goes through the hls and RTL ANS decoders.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "golden/container/wsc_container.hpp"
#include "golden/formats/format_registry.hpp"
#include "golden/model/llama2c_reader.hpp"
#include "golden/quant/scaled_rounding.hpp"
#include "host/commands/commands.hpp"
#include "host/driver/ans_platform_driver.hpp"
#include "host/driver/factory_generate.hpp"
#include "host/support/exit_codes.hpp"
#include "host/support/install_paths.hpp"
#include "host/support/progress.hpp"
#include "sim/ans/ans_engine.hpp"
#include "sim/ans/container_run.hpp"
#include "sim/formats/decoder_check.hpp"
#include "sim/platform/ans_platform.hpp"

namespace ws::host {
namespace {

struct RunOptions {
  std::string model;  // default: the embedded model
  std::string engine = "all";
  std::vector<std::string> formats;
  bool json = false;
  uint64_t seed = 1;
};

// The same container on the SystemC platform (docs/FORMAT.md 19) at its
// defaults: 300 MHz, DRAM 16 bytes a clock, 40 clocks of latency.
nlohmann::json platform_job(const golden::WscContents& contents,
                            const std::vector<std::shared_ptr<const golden::TansTable>>& tables, sim::EngineKind kind,
                            bool& all_exact, bool print) {
  constexpr double kClockMhz = 300, kBytesPerClock = 16;
  constexpr uint32_t kLatency = 40;
  sim::AnsPlatform& platform = sim::AnsPlatform::get({kClockMhz, uint64_t{256} << 20});
  const int built = sim::engine_max_lanes(kind, 32);  // enough for the container's lanes
  platform.configure({{kBytesPerClock, kLatency}, {}}, kind, {built, 32, ""});
  AnsCardDriver driver(platform.host());
  PlatformSummary summary;
  summary.dram_bytes_per_clock = kBytesPerClock;
  bool exact = true;
  for (size_t i = 0; i < contents.tensors.size(); ++i) {
    PlatformJob job;
    const sim::TensorRun r = driver.run_tensor(contents.tensors[i], *tables[i], "stories.wsc", job);
    summary.add(job, r.lanes);
    exact = exact && r.bit_exact();
    if (!r.bit_exact()) std::fprintf(stderr, "platform: %s\n", r.error().c_str());
  }
  platform.release_engine();
  all_exact = all_exact && exact;
  nlohmann::json report = {{"engine", sim::engine_name(kind)},
                           {"bit_exact", exact},
                           {"clock_mhz", kClockMhz},
                           {"dram_bytes_per_clock", kBytesPerClock},
                           {"dram_latency_clocks", kLatency}};
  report.update(summary.to_json(kClockMhz));
  if (print) {
    std::printf(
        "ANS decoder %s on the SystemC platform (%.0f MHz, DRAM %.0f B/clock, latency %u): %s, %.3g "
        "weights/s, %s-bound, %.3f of the roofline, %.1f%% of lane-clocks waiting for memory\n",
        sim::engine_name(kind), kClockMhz, kBytesPerClock, kLatency, exact ? "bit-exact" : "MISMATCH",
        report["weights_per_second"].get<double>(), summary.bound(), report["measured_over_roofline"].get<double>(),
        100 * report["memory_wait_fraction"].get<double>());
  }
  return report;
}

// The lossless half of the main job: the model as bf16 through the codec and
// the container, then every weight through the ANS decoder engines.
nlohmann::json lossless_job(const golden::Llama2Model& model, const std::vector<sim::EngineKind>& engines,
                            uint64_t seed, bool& all_exact, bool print) {
  constexpr int kLanes = 8;
  std::vector<golden::Tensor> tensors;
  uint64_t original = 0;
  double bound_bits = 0;
  for (const golden::Tensor& t : model.tensors) {
    tensors.push_back(golden::to_bf16(t));
    original += 2 * t.size();
    bound_bits += golden::tensor_bound(tensors.back()).bound_bits;
  }
  golden::LosslessOptions options;
  options.lanes = kLanes;
  options.max_joint_bits = 3;
  const std::vector<uint8_t> file = golden::serialize_wsc(golden::encode_lossless(tensors, options));
  const golden::WscContents contents = golden::parse_wsc(file, "stories.wsc");
  const auto tables = golden::build_tables(contents.tensors, "stories.wsc");
  nlohmann::json report = {{"lanes", kLanes},
                           {"original_bytes", original},
                           {"compressed_bytes", file.size()},
                           {"ratio", double(original) / double(file.size())},
                           {"bound_ratio", double(original) * 8 / bound_bits}};
  if (print) {
    std::printf("\nlossless bf16, %d lanes: %llu -> %zu bytes, %.4f:1 (order-0 exponent bound %.4f:1)\n", kLanes,
                static_cast<unsigned long long>(original), file.size(), report["ratio"].get<double>(),
                report["bound_ratio"].get<double>());
  }
  for (const sim::EngineKind kind : engines) {
    const char* name = sim::engine_name(kind);
    // The rtl build's 16 lanes, 8 of them used; the hls model built with 8.
    const int built = kind == sim::EngineKind::Rtl ? sim::engine_max_lanes(kind, 32) : kLanes;
    const std::unique_ptr<sim::AnsEngineBase> engine = sim::make_ans_engine(kind, {built, 32, ""});
    sim::AnsRunOptions run;
    run.seed = seed;
    const std::vector<sim::TensorRun> runs =
        sim::run_container(*engine, contents.tensors, tables, "stories.wsc", run, "", [](size_t) {});
    sim::AnsRunStats total;
    bool exact = true;
    double best_per_lane = 0;
    for (const sim::TensorRun& r : runs) {
      total.add(r.stats);
      exact = exact && r.bit_exact();
      if (!r.bit_exact()) std::fprintf(stderr, "%s: %s\n", name, r.error().c_str());
      if (r.lanes == kLanes && r.stats.cycles) {
        best_per_lane = std::max(best_per_lane, double(r.stats.weights) / double(r.stats.cycles) / kLanes);
      }
    }
    all_exact = all_exact && exact;
    report[name] = {{"bit_exact", exact},
                    {"weights", total.weights},
                    {"cycles", total.cycles},
                    {"weights_per_clock", double(total.weights) / double(total.cycles)},
                    {"best_tensor_weights_per_clock_per_lane", best_per_lane}};
    if (print) {
      std::printf("ANS decoder %-4s %s, %llu weights in %llu cycles (%.2f weights/clock; %.4f per lane on the "
                  "largest tensors)\n",
                  name, exact ? "bit-exact" : "MISMATCH", static_cast<unsigned long long>(total.weights),
                  static_cast<unsigned long long>(total.cycles), report[name]["weights_per_clock"].get<double>(),
                  best_per_lane);
    }
  }
  if (!engines.empty()) report["platform"] = platform_job(contents, tables, engines.back(), all_exact, print);
  return report;
}

// The token factory's LUTs, DSPs and block RAMs from the last `make synth`
// (bench/results/synth.json, installed next to the models): the entry with
// `slots` slots, else the block's first entry, or null.
nlohmann::json last_synth_of(const std::string& block, int slots) {
  std::ifstream in(models_dir().parent_path() / "synth.json");
  if (!in) return nullptr;
  const nlohmann::json synth = nlohmann::json::parse(in, nullptr, false);
  if (synth.is_discarded() || !synth.contains("entries")) return nullptr;
  const nlohmann::json* found = nullptr;
  for (const nlohmann::json& e : synth["entries"]) {
    if (e.value("block", "") != block) continue;
    const bool built = e.contains("parameters") && e["parameters"].value("Slots", 0) == slots;
    if (found == nullptr || built) found = &e;
    if (built) break;
  }
  if (found == nullptr) return nullptr;
  const nlohmann::json& e = *found;
  return {{"luts", e.value("luts", 0)},        {"ffs", e.value("ffs", 0)},
          {"brams", e.value("brams", 0.0)},    {"dsps", e.value("dsps", 0)},
          {"variant", e.value("variant", "")}, {"flow", e.value("flow", "synth_xilinx -flatten")}};
}

// The token factory half of the main job: B = 4 sequences of 16 steps with
// every linear layer on the card (the RTL when this build has it), checked
// against golden; then a projection to a 7B-parameter model from the
// measured cycles per weight.
nlohmann::json factory_job(const std::string& model_path, sim::EngineKind engine, uint64_t seed, bool& all_exact,
                           bool print, Progress& progress) {
  FactoryGenerateOptions f;
  f.engine = engine;
  f.tokens = 4;
  f.steps = 16;
  f.run.seed = seed;
  f.run.input_stall = 0.1;
  f.run.output_stall = 0.1;
  const golden::Llama2Weights weights = golden::load_llama2(model_path);
  const FactoryGenerateReport r = factory_generate(weights, f, [&](const std::string& what, size_t done, size_t total) {
    progress.update(done, total, "token factory: " + what);
  });
  all_exact = all_exact && r.bit_exact;
  nlohmann::json report = r.to_json(f);
  // A 7B-parameter model on the same factory: each step streams every weight
  // once; the lanes decode at the measured weights per busy clock, memory
  // delivers bandwidth / (bits per weight / 8) weights a second.
  constexpr double kParams = 7e9, kClockHz = 300e6, kBandwidth = 25.6e9;  // DDR4-3200, 64 bits
  const double decode_rate = kClockHz * report["weights_per_clock"].get<double>();
  const double memory_rate = kBandwidth / (r.bits_per_weight() / 8.0);
  const double steps_per_second = std::min(decode_rate, memory_rate) / kParams;
  report["projection_7b"] = {{"parameters", kParams},
                             {"clock_mhz", kClockHz / 1e6},
                             {"lanes", sim::FactoryEngineBase::kLanes},
                             {"slots", sim::FactoryEngineBase::kSlots},
                             {"bandwidth_gb_s", kBandwidth / 1e9},
                             {"bound", decode_rate < memory_rate ? "decode" : "bandwidth"},
                             {"tokens_per_second", steps_per_second * sim::FactoryEngineBase::kSlots}};
  report["synth"] = last_synth_of("token_factory", sim::FactoryEngineBase::kSlots);
  if (print) {
    const nlohmann::json& p = report["projection_7b"];
    std::printf("\ntoken factory (%s, %d lanes, %d slots built), %d sequences x %d steps, lossless bf16 weights "
                "(%.3f bits/weight):\n",
                sim::engine_name(engine), sim::FactoryEngineBase::kLanes, sim::FactoryEngineBase::kSlots, f.tokens,
                r.steps, r.bits_per_weight());
    std::printf("  %s against golden on %llu products; %.0f cycles per token (%.0f with table and activation "
                "loads); %.3f weights/clock; MAC utilisation %.4f (%.4f with loads)\n",
                r.bit_exact ? "bit-exact" : "MISMATCH", static_cast<unsigned long long>(r.products_checked),
                report["cycles_per_token"].get<double>(), report["cycles_per_token_with_loads"].get<double>(),
                report["weights_per_clock"].get<double>(), report["mac_utilisation"].get<double>(),
                report["mac_utilisation_with_loads"].get<double>());
    if (report["synth"].is_null()) {
      std::printf("  resources: the installed synth.json has no token_factory entry (run make synth)\n");
    } else {
      std::printf(
          "  resources (last make synth, yosys %s, token_factory %s): %d LUTs, %d FFs, %g BRAM36, "
          "%d DSPs\n",
          report["synth"]["flow"].get<std::string>().c_str(), report["synth"]["variant"].get<std::string>().c_str(),
          report["synth"]["luts"].get<int>(), report["synth"]["ffs"].get<int>(), report["synth"]["brams"].get<double>(),
          report["synth"]["dsps"].get<int>());
    }
    std::printf("  projection: a 7B-parameter model at %.0f MHz, %d lanes, %d slots, %.1f GB/s: %.2f tokens/s "
                "(%s bound; %.3f weights/clock measured)\n",
                p["clock_mhz"].get<double>(), sim::FactoryEngineBase::kLanes, sim::FactoryEngineBase::kSlots,
                p["bandwidth_gb_s"].get<double>(), p["tokens_per_second"].get<double>(),
                p["bound"].get<std::string>().c_str(), report["weights_per_clock"].get<double>());
  }
  return report;
}

int run_main_job(const RunOptions& o) {
  std::vector<sim::EngineKind> engines;
  if (o.engine == "all") {
    for (const sim::EngineKind kind : {sim::EngineKind::Hls, sim::EngineKind::Rtl}) {
      if (sim::engine_available(kind)) engines.push_back(kind);
    }
  } else if (const std::optional<sim::EngineKind> kind = sim::parse_engine_kind(o.engine)) {
    if (!sim::engine_available(*kind)) throw UsageError("--engine " + o.engine + ": not in this build");
    if (*kind != sim::EngineKind::Golden) engines.push_back(*kind);
  } else {
    throw UsageError("--engine must be golden, hls, rtl or all, not '" + o.engine + "'");
  }
  const bool want_hls = std::ranges::count(engines, sim::EngineKind::Hls) > 0;
  const bool want_rtl = std::ranges::count(engines, sim::EngineKind::Rtl) > 0;
  std::vector<const golden::FormatInfo*> formats;
  const std::vector<std::string> names =
      o.formats.empty() ? std::vector<std::string>(std::begin(sim::kRunFormats), std::end(sim::kRunFormats)) : o.formats;
  for (const std::string& name : names) {
    const golden::FormatInfo* f = golden::find_format(name);
    if (f == nullptr || sim::decoder_unit_for(*f) == nullptr) {
      throw UsageError("--formats: '" + name + "' is not a format with a hardware decoder; known: " +
                       golden::known_format_names());
    }
    formats.push_back(f);
  }
  const std::string model_path = o.model.empty() ? embedded_model_path() : o.model;
  if (!std::filesystem::exists(model_path)) {
    throw golden::InputError(model_path + ": model file not found (give one with --model)");
  }
  const golden::Llama2Model model = golden::read_llama2c(model_path);
  size_t weights = 0;
  for (const golden::Tensor& t : model.tensors) weights += t.size();

  nlohmann::json json_formats = nlohmann::json::array();
  bool all_exact = true;
  Progress progress("run");
  if (!o.json) {
    std::printf("weightstream run: %s, %zu tensors, %zu weights; engines: golden%s%s\n", model_path.c_str(),
                model.tensors.size(), weights, want_hls ? ", hls" : "", want_rtl ? ", rtl (Verilator)" : "");
    std::printf("%-11s %4s %8s %12s  %-10s %-22s\n", "format", "bits", "SNR dB", "max |err|", "hls", "rtl");
  }
  for (size_t i = 0; i < formats.size(); ++i) {
    const golden::FormatInfo& f = *formats[i];
    progress.update(i, formats.size(), f.name);
    const golden::ScaledRounding r = golden::round_to_format(f, model.tensors);
    nlohmann::json entry = {{"format", f.name}, {"bits", f.bits}, {"weights", r.patterns.size()},
                            {"snr_db", std::isinf(r.snr_db) ? nlohmann::json(nullptr) : nlohmann::json(r.snr_db)},
                            {"lossless", std::isinf(r.snr_db)}, {"max_abs_error", r.max_abs_error}};
    std::string hls_text = "-", rtl_text = "-";
    for (const sim::EngineKind kind : engines) {
      const char* name = sim::engine_name(kind);
      progress.update(i, formats.size(), f.name + " (" + name + ")");
      const sim::DecoderCheckResult c = sim::check_decoder(kind, f, r.patterns, o.seed);
      entry[name] = {{"bit_exact", c.ok()}, {"weights", c.beats}, {"mismatch", c.status.message()}};
      if (kind == sim::EngineKind::Rtl) entry[name]["cycles"] = c.cycles;
      (kind == sim::EngineKind::Rtl ? rtl_text : hls_text) =
          !c.ok() ? "MISMATCH" : kind == sim::EngineKind::Rtl ? "bit-exact, " + std::to_string(c.cycles) + " cyc"
                                                                : "bit-exact";
      all_exact = all_exact && c.ok();
      if (!c.ok()) std::fprintf(stderr, "%s: %s\n", name, c.status.message().c_str());
    }
    json_formats.push_back(entry);
    if (!o.json) {
      char snr[16];
      std::snprintf(snr, sizeof snr, std::isinf(r.snr_db) ? "exact" : "%.2f", r.snr_db);
      std::printf("%-11s %4d %8s %12.4g  %-10s %-22s\n", f.name.c_str(), f.bits, snr, r.max_abs_error,
                  hls_text.c_str(), rtl_text.c_str());
    }
  }
  progress.update(formats.size(), formats.size(), "lossless");
  const nlohmann::json lossless = lossless_job(model, engines, o.seed, all_exact, !o.json);
  const sim::EngineKind factory_engine = want_rtl ? sim::EngineKind::Rtl
                                         : want_hls ? sim::EngineKind::Hls
                                                    : sim::EngineKind::Golden;
  const nlohmann::json factory = factory_job(model_path, factory_engine, o.seed, all_exact, !o.json, progress);
  progress.done();
  if (o.json) {
    const nlohmann::json out = {{"model", model_path},    {"tensors", model.tensors.size()},
                                {"weights", weights},     {"engine", o.engine},
                                {"seed", o.seed},         {"bit_exact", all_exact},
                                {"formats", json_formats}, {"lossless", lossless},
                                {"token_factory", factory}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("%s\n", all_exact ? "all engines agree with golden on every weight"
                                  : "MISMATCH: a hardware model disagrees with golden");
  }
  return all_exact ? kExitOk : kExitMismatch;
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Main job: round a model's weights to each format and compress them losslessly; check the hls and RTL "
             "decoders against golden on every weight; generate with the token factory (every linear layer on the "
             "simulated card, checked against golden) and project tokens/s for a 7B model");
  cmd->add_option("--model", options->model, "llama2.c checkpoint (default: the embedded stories260K)");
  cmd->add_option("--engine", options->engine, "golden, hls, rtl or all")->default_val("all");
  cmd->add_option("--formats", options->formats,
                  "Comma-separated formats (default: every decoder unit's, golden/contract/decoder_units.json)")
      ->delimiter(',');
  cmd->add_flag("--json", options->json, "Machine-readable output");
  cmd->add_option("--seed", options->seed, "Seed of the RTL run's random stalls")->default_val(1);
  cmd->callback([&action, options] { action = [options] { return run_main_job(*options); }; });
}

}  // namespace ws::host
