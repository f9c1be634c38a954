#include "host/driver/factory_generate.hpp"

#include <algorithm>
#include <chrono>

#include "golden/model/generate.hpp"
#include "sim/platform/ans_platform.hpp"

namespace ws::host {

int first_token(int b, int vocab) {
  if (b == 0) return golden::kBosToken;
  return 3 + (b * 37) % (vocab - 3);  // past the special tokens (0 unknown, 1 BOS, 2 EOS)
}

std::vector<size_t> FactoryGenerateReport::fp32_agreement() const {
  std::vector<size_t> agree;
  for (size_t b = 0; b < sequences.size() && b < fp32_sequences.size(); ++b) {
    const auto& s = sequences[b];
    const auto& f = fp32_sequences[b];
    size_t n = 0;
    while (n < s.size() && n < f.size() && s[n] == f[n]) ++n;
    agree.push_back(n);
  }
  return agree;
}

double FactoryGenerateReport::mac_utilisation() const {
  return totals.mac_capacity ? double(totals.macs) / double(totals.mac_capacity) : 0.0;
}

std::string FactoryGenerateReport::bound(const FactoryGenerateOptions& o) const {
  const double bytes_per_weight = weights ? double(coded_bytes) / double(weights) : 0.0;
  const bool memory_limits = o.run.bytes_per_clock > 0 &&
                             o.run.bytes_per_clock < sim::FactoryEngineBase::kLanes * bytes_per_weight;
  return memory_limits ? "bandwidth" : "decode";
}

nlohmann::json FactoryGenerateReport::to_json(const FactoryGenerateOptions& o) const {
  const double tokens = double(steps) * o.tokens;
  return {{"engine", sim::engine_name(o.engine)},
          {"method", o.model.method},
          {"quality", o.model.method == "vp" ? o.model.quality : ""},
          {"tokens", o.tokens},
          {"steps", steps},
          {"sequences", sequences},
          {"bit_exact", bit_exact},
          {"products_checked", products_checked},
          {"mismatches", mismatches},
          {"first_mismatch", first_mismatch},
          {"fp32_sequences", fp32_sequences},
          {"fp32_agreement", fp32_agreement()},
          {"lanes", sim::FactoryEngineBase::kLanes},
          {"slots_built", sim::FactoryEngineBase::kSlots},
          {"weights", weights},
          {"coded_bytes", coded_bytes},
          {"bits_per_weight", bits_per_weight()},
          {"jobs", totals.jobs},
          {"cycles", totals.cycles},
          {"load_cycles", totals.load_cycles},
          {"busy_cycles", totals.busy_cycles},
          {"stall_input_cycles", totals.stall_input},
          {"stall_output_cycles", totals.stall_output},
          {"cycles_per_step", steps ? double(totals.cycles) / steps : 0.0},
          {"cycles_per_token", tokens > 0 ? double(totals.cycles) / tokens : 0.0},
          {"cycles_per_token_with_loads", tokens > 0 ? double(totals.cycles + totals.load_cycles) / tokens : 0.0},
          {"weights_per_clock", totals.busy_cycles ? double(totals.weights) / double(totals.busy_cycles) : 0.0},
          {"macs", totals.macs},
          {"mac_utilisation", mac_utilisation()},
          {"mac_utilisation_with_loads",
           totals.mac_capacity_with_loads ? double(totals.macs) / double(totals.mac_capacity_with_loads) : 0.0},
          {"bytes_per_clock", o.run.bytes_per_clock},
          {"bound", bound(o)},
          {"seconds", seconds}};
}

nlohmann::json FactoryGenerateReport::platform_json(const FactoryGenerateOptions& o) const {
  const double period_ns = 1e3 / o.clock_mhz;
  const double busy_ns = double(totals.busy_cycles) * period_ns;
  const double lanes = sim::FactoryEngineBase::kLanes;
  const double roofline =
      o.run.bytes_per_clock > 0 ? std::min(lanes, o.run.bytes_per_clock * 8 / bits_per_weight()) : lanes;
  const double per_clock = totals.busy_cycles ? double(totals.weights) / double(totals.busy_cycles) : 0.0;
  return {{"clock_mhz", o.clock_mhz},
          {"roofline", roofline},
          {"measured_over_roofline", per_clock / roofline},
          {"dram_bytes_per_clock", o.run.bytes_per_clock},
          {"dram_latency_clocks", o.dram_latency},
          {"burst_bytes", o.burst},
          {"fifo_words", o.fifo_words},
          {"dram_bytes_read", dram_bytes_read},
          {"achieved_bytes_per_clock", totals.busy_cycles ? double(dram_bytes_read) / double(totals.busy_cycles) : 0.0},
          {"decode_ns", busy_ns},
          {"time_ns", double(totals.cycles + totals.load_cycles) * period_ns},
          {"weights_per_second", busy_ns > 0 ? double(totals.weights) / (busy_ns * 1e-9) : 0.0}};
}

FactoryGenerateReport factory_generate(const golden::Llama2Weights& weights, const FactoryGenerateOptions& o,
                                       const std::function<void(const std::string&, size_t, size_t)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  const DeviceModel model = encode_device_model(weights, o.model, [&](size_t done, size_t total) {
    if (progress) progress("encode", done, total);
  });
  std::unique_ptr<sim::FactoryCard> own_card;
  sim::DeviceTransport* card = nullptr;
  sim::AnsPlatform* platform = nullptr;
  if (o.platform) {
    platform = &sim::AnsPlatform::get({o.clock_mhz, uint64_t{256} << 20});
    platform->configure_factory({{o.run.bytes_per_clock, o.dram_latency}, {o.fifo_words, o.burst}}, o.engine,
                                o.trace_path);
    card = &platform->factory_host();
  } else {
    sim::FactoryCardOptions card_options;
    card_options.engine = o.engine;
    card_options.run = o.run;
    card_options.trace_path = o.trace_path;
    own_card = std::make_unique<sim::FactoryCard>(card_options);
    card = own_card.get();
  }
  const uint64_t dram_read = platform ? platform->dram_bytes_read() : 0;
  FactoryDriver driver(*card, model);
  FactoryLinear linear(driver, model);

  golden::GenerateOptions g;
  g.steps = o.steps;
  g.stop_at_bos = false;  // every slot busy for every step
  for (int b = 0; b < o.tokens; ++b) g.first_tokens.push_back(first_token(b, weights.config.vocab_size));
  const int steps = std::min(o.steps, weights.config.seq_len);
  FactoryGenerateReport report;
  report.sequences = golden::generate(weights, o.tokens, g, &linear, [&](int pos) {
    if (progress) progress("generate", static_cast<size_t>(pos) + 1, static_cast<size_t>(steps));
  });
  report.fp32_sequences = golden::generate(weights, o.tokens, g);
  report.steps = steps;
  report.products_checked = linear.products_checked();
  report.mismatches = linear.mismatches();
  report.first_mismatch = linear.first_mismatch();
  report.bit_exact = report.mismatches == 0 && report.products_checked > 0;
  report.totals = driver.totals();
  report.weights = model.weights();
  if (platform) {
    report.dram_bytes_read = platform->dram_bytes_read() - dram_read;
    // Back to the hls model: an rtl engine's trace is closed now, not at exit.
    platform->configure_factory({{o.run.bytes_per_clock, o.dram_latency}, {o.fifo_words, o.burst}},
                                sim::EngineKind::Hls, "");
  }
  report.coded_bytes = model.coded_bytes();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace ws::host
