// `weightstream sweep`: the ANS decoder's design space. For each lane count
// K the model's matrices are coded as lossless bf16 in exactly K lanes; for
// each memory bandwidth W (bytes per clock shared by the lanes) every matrix
// is decoded through the engine and checked against golden. Each point
// gives the measured weights per clock and the roofline
// min(K, W / coded bytes per weight): decode-bound below the knee,
// bandwidth-bound above it. Writes PREFIX.json, PREFIX.md and PREFIX.svg (a
// roofline plot, gnuplot's svg terminal, with the measured points). With
// --platform each point runs on the SystemC platform through the host
// driver, at the given DRAM latency, burst and FIFO depth.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "golden/codec/lossless_codec.hpp"
#include "golden/common/error.hpp"
#include "golden/io/file_io.hpp"
#include "golden/model/llama2c_reader.hpp"
#include "host/commands/commands.hpp"
#include "host/driver/ans_platform_driver.hpp"
#include "host/support/exit_codes.hpp"
#include "host/support/gnuplot.hpp"
#include "host/support/install_paths.hpp"
#include "host/support/platform_options.hpp"
#include "host/support/progress.hpp"
#include "sim/ans/ans_engine.hpp"
#include "sim/ans/container_run.hpp"
#include "sim/platform/ans_platform.hpp"

namespace ws::host {
namespace {

struct SweepOptions {
  std::string model;  // default: the embedded model
  std::string engine = "hls";
  std::vector<int> lanes{1, 2, 4, 8, 16};
  std::vector<double> bandwidth{1, 2, 4, 8, 16, 32};
  double clock_mhz = 300;
  std::string out = "sweep";
  bool force = false;
  bool json = false;
  // On the SystemC platform (sim/platform/ans_platform.hpp) instead of the bare memory model.
  PlatformCliOptions platform;
};

struct Point {
  int lanes = 0;
  double bandwidth = 0;
  double bits_per_weight = 0;  // lane stream bits, as memory serves them
  uint64_t weights = 0, cycles = 0;
  bool bit_exact = true;

  double measured() const { return cycles ? double(weights) / double(cycles) : 0; }
  double memory_rate() const { return bandwidth * 8 / bits_per_weight; }
  double roofline() const { return std::min<double>(lanes, memory_rate()); }
  const char* bound() const { return memory_rate() < lanes ? "bandwidth" : "decode"; }
};

// The roofline plot: weights per clock against bytes per clock, both log2;
// a line per lane count (min(K, W * 8 / bits)) and its measured points.
std::string roofline_svg(const std::vector<Point>& points, const std::vector<int>& lanes, const std::string& title) {
  std::ostringstream script;
  script << "set title '" << title << "' noenhanced\n"
         << "set xlabel 'memory bandwidth (bytes per clock)'\nset ylabel 'weights per clock'\n"
         << "set logscale xy 2\nset grid\nset key outside right top noenhanced\nset samples 400\n";
  const auto [low, high] = std::ranges::minmax(points, {}, &Point::bandwidth);
  script << "set xrange [" << low.bandwidth / 1.5 << ":" << high.bandwidth * 1.5 << "]\n";
  script << "set yrange [:" << *std::ranges::max_element(lanes) * 1.5 << "]\n";
  for (size_t i = 0; i < lanes.size(); ++i) {
    script << "$p" << i << " << EOD\n";
    double bits = 0;
    for (const Point& p : points) {
      if (p.lanes != lanes[i]) continue;
      script << p.bandwidth << " " << p.measured() << "\n";
      bits = p.bits_per_weight;
    }
    script << "EOD\nbits" << i << " = " << bits << "\n";
  }
  script << "plot ";
  for (size_t i = 0; i < lanes.size(); ++i) {
    script << (i ? ", " : "") << "(x * 8 / bits" << i << " < " << lanes[i] << " ? x * 8 / bits" << i << " : "
           << lanes[i] << ") with lines linecolor " << i + 1 << " title 'roofline, " << lanes[i] << " lanes', $p" << i
           << " using 1:2 with points pointtype 7 linecolor " << i + 1 << " title 'measured, " << lanes[i] << " lanes'";
  }
  script << "\n";
  return gnuplot_svg(script.str(), 1000, 650, "sweep");
}

std::string markdown(const std::vector<Point>& points) {
  std::string table =
      "| lanes | bytes/clock | bits/weight | weights/clock | roofline | measured/roofline | bound | bit-exact |\n"
      "|---:|---:|---:|---:|---:|---:|---|---|\n";
  char line[256];
  for (const Point& p : points) {
    std::snprintf(line, sizeof line, "| %d | %g | %.3f | %.3f | %.3f | %.4f | %s | %s |\n", p.lanes, p.bandwidth,
                  p.bits_per_weight, p.measured(), p.roofline(), p.measured() / p.roofline(), p.bound(),
                  p.bit_exact ? "yes" : "NO");
    table += line;
  }
  return table;
}

void write_file(const std::string& path, const std::string& text) {
  golden::AtomicFileWriter out(path);
  out.write(text.data(), text.size());
  out.commit();
}

int run_sweep(const SweepOptions& o) {
  const auto kind = sim::parse_engine_kind(o.engine);
  if (!kind) throw UsageError("--engine " + o.engine + ": rtl, hls or golden");
  constexpr int kWidth = 16;  // bf16 weights
  const int max_lanes = sim::engine_max_lanes(*kind, kWidth);
  for (const int k : o.lanes) {
    if (k < 1 || k > max_lanes) {
      throw UsageError("--lanes " + std::to_string(k) + ": the " + o.engine + " engine takes 1.." +
                       std::to_string(max_lanes));
    }
  }
  for (const double w : o.bandwidth) {
    if (!(w > 0)) throw UsageError("--bandwidth: bytes per clock must be above 0");
  }
  if (!(o.clock_mhz > 0)) throw UsageError("--clock-mhz must be above 0");
  o.platform.check();
  const std::string json_path = o.out + ".json", md_path = o.out + ".md", svg_path = o.out + ".svg";
  const std::string model_path = o.model.empty() ? embedded_model_path() : o.model;
  for (const std::string& out : {json_path, md_path, svg_path}) golden::check_output(out, {o.force, {model_path}});

  const std::string& path = model_path;
  std::vector<golden::Tensor> matrices;
  for (const golden::Tensor& t : golden::read_llama2c(path).tensors) {
    if (t.shape.size() == 2) matrices.push_back(golden::to_bf16(t));
  }
  const std::string source = std::filesystem::path(path).filename().string();

  Progress progress("sweep");
  std::vector<Point> points;
  const size_t total = o.lanes.size() * o.bandwidth.size();
  for (const int k : o.lanes) {
    golden::LosslessOptions coding;
    coding.lanes = k;
    coding.max_joint_bits = 3;
    coding.min_weights_per_lane = 1;  // every matrix in exactly K lanes
    const std::vector<golden::EncodedTensor> encoded = golden::encode_lossless(matrices, coding);
    const auto tables = golden::build_tables(encoded, source);
    uint64_t stream_bytes = 0, weights = 0;
    for (const golden::EncodedTensor& t : encoded) {
      for (const auto& lane : t.lane_streams) stream_bytes += lane.size();
      weights += t.count;
    }
    // One decoder at a time: the platform makes its own.
    const std::unique_ptr<sim::AnsEngineBase> engine =
        o.platform.on ? nullptr : sim::make_ans_engine(*kind, {k, kWidth, ""});
    for (const double w : o.bandwidth) {
      progress.update(points.size(), total, std::to_string(k) + " lanes, " + std::to_string(w) + " bytes/clock");
      Point p;
      p.lanes = k;
      p.bandwidth = w;
      p.bits_per_weight = 8.0 * double(stream_bytes) / double(weights);
      std::vector<sim::TensorRun> runs;
      if (o.platform.on) {
        sim::AnsPlatform& platform = sim::AnsPlatform::get({o.clock_mhz, uint64_t{256} << 20});
        platform.configure({{w, o.platform.dram_latency}, {o.platform.fifo_words, o.platform.burst}}, *kind,
                           {k, kWidth, ""});
        AnsCardDriver driver(platform.host());
        PlatformJob job;
        for (size_t i = 0; i < encoded.size(); ++i) runs.push_back(driver.run_tensor(encoded[i], *tables[i], source, job));
        platform.release_engine();
      } else {
        sim::AnsRunOptions run;
        run.bytes_per_clock = w;
        runs = sim::run_container(*engine, encoded, tables, source, run, "", [](size_t) {});
      }
      for (const sim::TensorRun& r : runs) {
        p.weights += r.stats.weights;
        p.cycles += r.stats.cycles;
        p.bit_exact = p.bit_exact && r.bit_exact();
        if (!r.bit_exact()) std::fprintf(stderr, "sweep: %d lanes, %g bytes/clock: %s\n", k, w, r.error().c_str());
      }
      points.push_back(p);
    }
  }
  progress.done();

  nlohmann::json report = {{"model", path},
                           {"engine", o.engine},
                           {"tensors", "the model's matrices as lossless bf16, each in exactly `lanes` lanes"},
                           {"roofline", "min(lanes, bytes_per_clock * 8 / bits_per_weight)"},
                           {"clock_mhz", o.clock_mhz},
                           {"points", nlohmann::json::array()}};
  if (o.platform.on) {
    report["platform"] = {{"dram_latency_clocks", o.platform.dram_latency},
                          {"burst_bytes", o.platform.burst},
                          {"fifo_words", o.platform.fifo_words}};
  }
  bool exact = true;
  for (const Point& p : points) {
    exact = exact && p.bit_exact;
    report["points"].push_back({{"lanes", p.lanes},
                                {"bytes_per_clock", p.bandwidth},
                                {"bits_per_weight", p.bits_per_weight},
                                {"weights", p.weights},
                                {"cycles", p.cycles},
                                {"weights_per_clock", p.measured()},
                                {"weights_per_second", p.measured() * o.clock_mhz * 1e6},
                                {"memory_gb_per_second", p.bandwidth * o.clock_mhz * 1e6 / 1e9},
                                {"roofline", p.roofline()},
                                {"measured_over_roofline", p.measured() / p.roofline()},
                                {"bound", p.bound()},
                                {"bit_exact", p.bit_exact}});
  }
  const std::string where =
      o.platform.on ? ", on the platform (DRAM latency " + std::to_string(o.platform.dram_latency) + " clocks)" : "";
  const std::string svg = roofline_svg(
      points, o.lanes, "ANS decoder (" + o.engine + ")" + where + ": weights per clock, " + source + " matrices");
  write_file(json_path, report.dump(2) + "\n");
  const std::string table = markdown(points);
  write_file(md_path, table);
  write_file(svg_path, svg);
  if (o.json) {
    std::printf("%s\n", report.dump(2).c_str());
  } else {
    std::printf("%s\nwrote %s, %s, %s\n", table.c_str(), json_path.c_str(), md_path.c_str(), svg_path.c_str());
  }
  return exact ? kExitOk : kExitMismatch;
}

}  // namespace

void add_sweep_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<SweepOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "The ANS decoder over lane counts and memory bandwidths: measured weights per clock against the "
      "roofline, as a table and an SVG plot");
  cmd->add_option("model", o->model, "A llama2.c checkpoint (default: the embedded stories260K)");
  cmd->add_option("--engine", o->engine, "rtl (Verilator), hls, or golden (an ideal decoder)")->default_val("hls");
  cmd->add_option("--lanes", o->lanes, "Lane counts, comma-separated")->delimiter(',')->default_str("1,2,4,8,16");
  cmd->add_option("--bandwidth", o->bandwidth, "Memory bytes per clock, comma-separated")
      ->delimiter(',')
      ->default_str("1,2,4,8,16,32");
  cmd->add_option("--clock-mhz", o->clock_mhz, "The clock the JSON's weights and bytes per second assume")
      ->default_val(300);
  cmd->add_option("--out", o->out, "Prefix of the files written: PREFIX.json, PREFIX.md, PREFIX.svg")
      ->default_val("sweep");
  cmd->add_flag("-f,--force", o->force, "Replace the output files if they exist");
  cmd->add_flag("--json", o->json, "Print the JSON report instead of the table");
  o->platform.add_to(cmd,
                     "Decode on the SystemC platform (DRAM, DMA, registers; --bandwidth is its DRAM bytes per clock)",
                     false);
  cmd->callback([o, &action] { action = [o] { return run_sweep(*o); }; });
}

}  // namespace ws::host
