// `weightstream generate`: token generation with the golden llama2 forward
// pass, as llama2.c's run.c does it (greedy at temperature 0), on the
// embedded model or any llama2.c checkpoint or container of one.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "golden/model/generate.hpp"
#include "host/commands/commands.hpp"
#include "host/driver/factory_generate.hpp"
#include "host/support/exit_codes.hpp"
#include "host/support/install_paths.hpp"
#include "host/support/platform_options.hpp"
#include "host/support/progress.hpp"
#include "host/support/tokenizer.hpp"

namespace ws::host {
namespace {

struct GenerateCommandOptions {
  std::string model;
  int steps = 256;
  float temperature = 0.0f;
  uint64_t seed = 0;
  int batch = 1;
  std::vector<int> prompt;
  std::string tokenizer;
  bool json = false;
  // The token factory (with --engine).
  std::string engine;
  std::string method = "lossless";
  std::string quality = "sqnr=30dB";
  double bandwidth = 0;
  double stall = 0;
  uint64_t stall_seed = 1;
  std::string trace;
  // The SystemC platform (with --engine).
  PlatformCliOptions platform;
};

// generate --engine: the linear layers on the simulated token factory.
int run_factory_generate(const GenerateCommandOptions& o, const golden::Llama2Weights& weights,
                         const std::string& path) {
  FactoryGenerateOptions f;
  const auto kind = sim::parse_engine_kind(o.engine);
  if (!kind) throw UsageError("--engine " + o.engine + ": rtl, hls or golden");
  if (!o.prompt.empty()) throw UsageError("--prompt-ids: the token factory runs start from their own first tokens");
  if (o.temperature != 0.0f) throw UsageError("--temperature: the token factory runs are greedy");
  if (!(o.bandwidth >= 0) || !(o.stall >= 0 && o.stall < 1)) {
    throw UsageError("--bandwidth must be >= 0 (0: unlimited) and --stall in [0, 1)");
  }
  f.engine = *kind;
  f.tokens = o.batch;
  f.steps = o.steps;
  f.model.method = o.method;
  f.model.quality = o.quality;
  f.run.bytes_per_clock = o.bandwidth;
  f.run.input_stall = o.stall;
  f.run.output_stall = o.stall;
  f.run.seed = o.stall_seed;
  f.trace_path = o.trace;
  o.platform.check();
  if (o.platform.on) {
    if (o.bandwidth != 0 || o.stall != 0) {
      throw UsageError(std::string(o.bandwidth != 0 ? "--bandwidth" : "--stall") +
                       " does nothing with --platform: its DRAM model (--dram-bytes-per-clock, --dram-latency, "
                       "--burst) paces the lanes");
    }
    if (*kind == sim::EngineKind::Golden) throw UsageError("--platform runs --engine rtl or hls");
    f.platform = true;
    f.run.bytes_per_clock = o.platform.dram_bytes_per_clock;
    f.clock_mhz = o.platform.clock_mhz;
    f.dram_latency = o.platform.dram_latency;
    f.burst = o.platform.burst;
    f.fifo_words = o.platform.fifo_words;
  }
  Progress progress("generate");
  const FactoryGenerateReport r = factory_generate(weights, f, [&](const std::string& what, size_t done, size_t total) {
    progress.update(done, total, what);
  });
  progress.done();
  if (o.json) {
    nlohmann::json report = r.to_json(f);
    report["model"] = path;
    if (f.platform) report["platform"] = r.platform_json(f);
    std::printf("%s\n", report.dump(2).c_str());
  } else {
    for (const auto& s : r.sequences) {
      std::string line;
      for (int id : s) line += (line.empty() ? "" : " ") + std::to_string(id);
      std::printf("%s\n", line.c_str());
    }
    std::fprintf(stderr,
                 "%s token factory, %s weights (%.3f bits/weight): %d steps x %d tokens, %s against golden "
                 "(%llu products), %.0f cycles/token, MAC utilisation %.4f, %s bound\n",
                 sim::engine_name(f.engine), f.model.method.c_str(), r.bits_per_weight(), r.steps, f.tokens,
                 r.bit_exact ? "bit-exact" : "MISMATCH", static_cast<unsigned long long>(r.products_checked),
                 double(r.totals.cycles) / (double(r.steps) * f.tokens), r.mac_utilisation(), r.bound(f).c_str());
  }
  if (!r.bit_exact) {
    std::fprintf(stderr, "weightstream: the token factory disagrees with golden: %s\n", r.first_mismatch.c_str());
    return kExitMismatch;
  }
  return kExitOk;
}

int run_generate(const GenerateCommandOptions& o) {
  if (o.steps < 1) throw UsageError("--steps must be at least 1");
  if (!(o.temperature >= 0.0f && std::isfinite(o.temperature))) {
    throw UsageError("--temperature must be a finite number >= 0");
  }
  if (o.batch < 1 || o.batch > 1024) throw UsageError("--batch/--tokens must be 1..1024");
  const std::string path = o.model.empty() ? embedded_model_path() : o.model;
  const golden::Llama2Weights weights = golden::load_llama2(path);
  if (o.engine.empty() && (o.platform.on || !o.platform.given.empty())) {
    throw UsageError("--platform and its options need --engine rtl|hls");
  }
  if (!o.engine.empty()) return run_factory_generate(o, weights, path);
  const int vocab = weights.config.vocab_size;
  for (int id : o.prompt) {
    if (id < 0 || id >= vocab) {
      throw UsageError("--prompt-ids: token " + std::to_string(id) + " is outside the model's vocabulary 0.." +
                       std::to_string(vocab - 1));
    }
  }
  std::optional<Tokenizer> tokenizer;
  if (!o.tokenizer.empty()) tokenizer.emplace(o.tokenizer, vocab);

  golden::GenerateOptions options;
  options.steps = o.steps;
  options.temperature = o.temperature;
  options.seed = o.seed;
  options.prompt = o.prompt;
  const int steps = std::min(o.steps, weights.config.seq_len);
  Progress progress("generate");
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::vector<int>> sequences = golden::generate(
      weights, o.batch, options, nullptr, [&](int pos) { progress.update(pos + 1, steps, "positions"); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.done();
  size_t tokens = 0;
  for (const auto& s : sequences) tokens += s.size() - 1;
  const double per_second = seconds > 0 ? tokens / seconds : 0.0;

  if (o.json) {
    nlohmann::json report = {{"model", path},           {"steps", steps},   {"temperature", o.temperature},
                             {"seed", o.seed},          {"batch", o.batch}, {"sequences", sequences},
                             {"tokens_per_second", per_second}};
    if (tokenizer) {
      nlohmann::json texts = nlohmann::json::array();
      for (const auto& s : sequences) texts.push_back(tokenizer->text(s));
      report["texts"] = texts;
    }
    std::printf("%s\n", report.dump(2).c_str());
    return kExitOk;
  }
  for (const auto& s : sequences) {
    if (tokenizer) {
      std::printf("%s\n", tokenizer->text(s).c_str());
    } else {
      std::string line;
      for (int id : s) line += (line.empty() ? "" : " ") + std::to_string(id);
      std::printf("%s\n", line.c_str());
    }
  }
  std::fprintf(stderr, "%zu tokens in %.3f s: %.1f tokens/s\n", tokens, seconds, per_second);
  return kExitOk;
}

}  // namespace

void add_generate_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<GenerateCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "generate", "Generate token ids with the golden llama2 forward pass (greedy at temperature 0, as llama2.c's run.c)");
  cmd->add_option("model", o->model,
                  "A llama2.c checkpoint or a .wsc container of one (default: the embedded stories260K)");
  cmd->add_option("--steps", o->steps, "Positions to run, at most the model's context length")->default_val(256);
  cmd->add_option("--temperature", o->temperature, "0: greedy; otherwise sample from softmax(logits / T)")
      ->default_val(0);
  cmd->add_option("--seed", o->seed, "Seed of the sampler (sequence b uses seed + b)")->default_val(0);
  cmd->add_option("--batch,--tokens", o->batch, "Sequences generated side by side (token slots)")->default_val(1);
  cmd->add_option("--prompt-ids", o->prompt, "Comma-separated token ids to start from (default: 1, BOS)")
      ->delimiter(',');
  cmd->add_option("--tokenizer", o->tokenizer, "llama2.c tokenizer.bin: print text instead of ids");
  cmd->add_flag("--json", o->json,
                R"(Machine-readable: {"sequences": [[ids...]], ...}; with --engine also bit_exact, cycles, )"
                R"(cycles_per_token, weights_per_clock, mac_utilisation, bound)");
  cmd->add_option("--engine", o->engine,
                  "Run every linear layer on the simulated token factory: rtl (Verilator), hls or golden; each "
                  "product is checked against golden bit for bit (sequence b > 0 starts from its own first token)");
  cmd->add_option("--method", o->method, "With --engine: the weights the card decodes: lossless (bf16), vp, or mxfp4 (the MX source)")
      ->default_val("lossless");
  cmd->add_option("--quality", o->quality, "With --method vp: the floor of every linear matrix")
      ->default_val("sqnr=30dB");
  cmd->add_option("--bandwidth", o->bandwidth, "With --engine: memory bytes per clock for the lane streams (0: unlimited)")
      ->default_val(0);
  cmd->add_option("--stall", o->stall, "With --engine: probability of a random stall on the lane inputs and results")
      ->default_val(0);
  cmd->add_option("--stall-seed", o->stall_seed, "Seed of the random stalls")->default_val(1);
  cmd->add_option("--trace", o->trace, "With --engine rtl: an FST waveform of the whole run");
  o->platform.add_to(cmd,
                     "With --engine rtl|hls: run the token factory on the SystemC/TLM-2.0 platform (DRAM, DMA, "
                     "registers; docs/FORMAT.md 19)");
  cmd->callback([&action, o] { action = [o] { return run_generate(*o); }; });
}

}  // namespace ws::host
