// `weightstream run`: the main job on a model (the embedded stories260K by
// default). Every weight is rounded to each numeric format (per-tensor power
// of two scale), decoded by golden, and the same patterns are decoded by the
// hls models and the RTL under Verilator, which must agree bit for bit. Then
// the model as bf16 is compressed losslessly and every weight goes through
// the hls and RTL ANS decoders.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "golden/container/wsc_container.hpp"
#include "golden/formats/format_registry.hpp"
#include "golden/model/llama2c_reader.hpp"
#include "host/commands/commands.hpp"
#include "host/support/cli_errors.hpp"
#include "host/support/progress.hpp"
#include "sim/ans/container_run.hpp"
#include "sim/ans/hls_engine.hpp"
#include "sim/ans/rtl_engine.hpp"
#include "sim/formats/decoder_check.hpp"

namespace ws::host {
namespace {

const char* const kDefaultFormats[] = {"e4m3",      "e5m2",      "e3m2",       "e2m3",       "e2m1",
                                       "fp16",      "bf16",      "posit8es0",  "posit8es2",  "posit12es1",
                                       "posit16es1", "posit16es2", "posit32es2", "fp32"};

struct RunOptions {
  std::string model = WS_MODELS_DIR "/stories260K.bin";
  std::string engine = "all";
  std::vector<std::string> formats;
  bool json = false;
  uint64_t seed = 1;
};

struct FormatReport {
  std::string name;
  int bits = 0;
  double snr_db = 0;  // inf when lossless
  double max_abs_error = 0;
  std::vector<uint32_t> patterns;
};

// The largest finite value of a format.
golden::Unpacked max_finite(const golden::FormatInfo& f) {
  uint32_t p = f.encode(golden::unpack_double(DBL_MAX));
  if (f.decode(p).cls == golden::NumClass::Inf) --p;
  return f.decode(p);
}

// Power-of-two scale exponent for a tensor: floats follow the OCP MX rule
// (the largest magnitude lands in the format's top binade); posits are most
// precise near 1, so the tensor's RMS is brought to about 1.
int scale_exponent(const golden::FormatInfo& f, const std::vector<float>& values) {
  double amax = 0, sum_squares = 0;
  for (float v : values) {
    amax = std::max(amax, std::fabs(double{v}));
    sum_squares += double{v} * v;
  }
  if (amax == 0) return 0;
  if (f.family == golden::FormatFamily::Posit) {
    return static_cast<int>(std::lround(std::log2(std::sqrt(sum_squares / values.size()))));
  }
  return std::ilogb(amax) - max_finite(f).exponent;
}

FormatReport quantize_model(const golden::FormatInfo& f, const golden::Llama2Model& model) {
  FormatReport report{f.name, f.bits, 0, 0, {}};
  const double largest = golden::to_double(max_finite(f));
  double signal = 0, noise = 0;
  for (const golden::Tensor& t : model.tensors) {
    const std::vector<float> values = t.to_floats();
    const int scale = scale_exponent(f, values);
    for (float v : values) {
      // Scaled values above the format's range saturate, as MX quantization does.
      const double scaled = std::clamp(std::ldexp(double{v}, -scale), -largest, largest);
      const uint32_t pattern = f.encode(golden::unpack_double(scaled));
      const double q = std::ldexp(golden::to_double(f.decode(pattern)), scale);
      signal += double{v} * v;
      noise += (q - v) * (q - v);
      report.max_abs_error = std::max(report.max_abs_error, std::fabs(q - v));
      report.patterns.push_back(pattern);
    }
  }
  report.snr_db = noise == 0 ? INFINITY : 10 * std::log10(signal / noise);
  return report;
}

// The lossless half of the main job: the model as bf16 through the codec and
// the container, then every weight through the ANS decoder engines.
nlohmann::json lossless_job(const golden::Llama2Model& model, bool want_hls, bool want_rtl, uint64_t seed,
                            bool& all_exact, bool print) {
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
  auto decode_with = [&](auto& engine, const char* name) {
    sim::AnsRunOptions run;
    run.seed = seed;
    const std::vector<sim::TensorRun> runs =
        sim::run_container(engine, contents.tensors, tables, "stories.wsc", run, "", [](size_t) {});
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
  };
  if (want_hls) {
    sim::HlsAnsEngine<hls::AnsLaneConfig<32>> engine(kLanes);
    decode_with(engine, "hls");
  }
  if (want_rtl) {
    sim::RtlAnsEngine engine;
    decode_with(engine, "rtl");
  }
  return report;
}

int run_main_job(const RunOptions& o) {
  const bool want_hls = o.engine == "hls" || o.engine == "all";
  const bool want_rtl = o.engine == "rtl" || o.engine == "all";
  if (!want_hls && !want_rtl && o.engine != "golden") {
    throw UsageError("--engine must be golden, hls, rtl or all, not '" + o.engine + "'");
  }
  std::vector<const golden::FormatInfo*> formats;
  for (const std::string& name : o.formats.empty() ? std::vector<std::string>(std::begin(kDefaultFormats),
                                                                               std::end(kDefaultFormats))
                                                   : o.formats) {
    const golden::FormatInfo* f = golden::find_format(name);
    if (f == nullptr || !sim::decoder_unit_for(*f)) {
      throw UsageError("--formats: '" + name + "' is not a format with a hardware decoder; known: " +
                       golden::known_format_names());
    }
    formats.push_back(f);
  }
  if (!std::filesystem::exists(o.model)) {
    throw golden::InputError(o.model + ": model file not found (give one with --model)");
  }
  const golden::Llama2Model model = golden::read_llama2c(o.model);
  size_t weights = 0;
  for (const golden::Tensor& t : model.tensors) weights += t.size();

  nlohmann::json json_formats = nlohmann::json::array();
  bool all_exact = true;
  Progress progress("run");
  if (!o.json) {
    std::printf("weightstream run: %s, %zu tensors, %zu weights; engines: golden%s%s\n", o.model.c_str(),
                model.tensors.size(), weights, want_hls ? ", hls" : "", want_rtl ? ", rtl (Verilator)" : "");
    std::printf("%-11s %4s %8s %12s  %-10s %-22s\n", "format", "bits", "SNR dB", "max |err|", "hls", "rtl");
  }
  for (size_t i = 0; i < formats.size(); ++i) {
    const golden::FormatInfo& f = *formats[i];
    progress.update(i, formats.size(), f.name);
    const FormatReport r = quantize_model(f, model);
    nlohmann::json entry = {{"format", f.name}, {"bits", f.bits}, {"weights", r.patterns.size()},
                            {"snr_db", std::isinf(r.snr_db) ? nlohmann::json(nullptr) : nlohmann::json(r.snr_db)},
                            {"lossless", std::isinf(r.snr_db)}, {"max_abs_error", r.max_abs_error}};
    std::string hls_text = "-", rtl_text = "-";
    if (want_hls) {
      const sim::DecoderCheckResult c = sim::check_decoder(sim::DecoderEngine::Hls, f, r.patterns, o.seed);
      entry["hls"] = {{"bit_exact", c.ok}, {"weights", c.beats}, {"mismatch", c.mismatch}};
      hls_text = c.ok ? "bit-exact" : "MISMATCH";
      all_exact = all_exact && c.ok;
      if (!c.ok) std::fprintf(stderr, "hls: %s\n", c.mismatch.c_str());
    }
    if (want_rtl) {
      progress.update(i, formats.size(), f.name + " (rtl)");
      const sim::DecoderCheckResult c = sim::check_decoder(sim::DecoderEngine::Rtl, f, r.patterns, o.seed);
      entry["rtl"] = {{"bit_exact", c.ok}, {"weights", c.beats}, {"cycles", c.cycles}, {"mismatch", c.mismatch}};
      rtl_text = c.ok ? "bit-exact, " + std::to_string(c.cycles) + " cyc" : "MISMATCH";
      all_exact = all_exact && c.ok;
      if (!c.ok) std::fprintf(stderr, "rtl: %s\n", c.mismatch.c_str());
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
  const nlohmann::json lossless = lossless_job(model, want_hls, want_rtl, o.seed, all_exact, !o.json);
  progress.done();
  if (o.json) {
    const nlohmann::json out = {{"model", o.model},       {"tensors", model.tensors.size()},
                                {"weights", weights},     {"engine", o.engine},
                                {"seed", o.seed},         {"bit_exact", all_exact},
                                {"formats", json_formats}, {"lossless", lossless}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("%s\n", all_exact ? "all engines agree with golden on every weight"
                                  : "MISMATCH: a hardware model disagrees with golden");
  }
  return all_exact ? kExitOk : kExitCheckFailed;
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Main job: round a model's weights to each format and compress them losslessly; check the hls and RTL "
             "decoders against golden on every weight");
  cmd->add_option("--model", options->model, "llama2.c checkpoint (default: the embedded stories260K)");
  cmd->add_option("--engine", options->engine, "golden, hls, rtl or all")->default_val("all");
  cmd->add_option("--formats", options->formats, "Comma-separated formats (default: a set of 14)")->delimiter(',');
  cmd->add_flag("--json", options->json, "Machine-readable output");
  cmd->add_option("--seed", options->seed, "Seed of the RTL run's random stalls")->default_val(1);
  cmd->callback([&action, options] { action = [options] { return run_main_job(*options); }; });
}

}  // namespace ws::host
