// `weightstream eval`: the quantiser regression. Every method at every bit
// width quantises the model's linear layers; each result is measured against
// the fp32 model on sequences the fp32 model samples itself (mean KL of the
// next-token distribution, top-1 agreement, perplexity) and by weight SQNR,
// with bits per weight counting every stored bit. One table, one JSON report,
// one SVG plot (gnuplot) of KL against bits per weight.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "golden/formats/float_format.hpp"
#include "golden/io/file_io.hpp"
#include "golden/quant/model_quantizer.hpp"
#include "golden/quant/model_rotation.hpp"
#include "host/commands/commands.hpp"
#include "host/support/exit_codes.hpp"
#include "host/support/gnuplot.hpp"
#include "host/support/install_paths.hpp"
#include "host/support/progress.hpp"
#include "host/support/rotation_report.hpp"

namespace ws::host {
namespace {

struct EvalOptions {
  std::string model;
  std::vector<std::string> methods{"all"};
  std::vector<double> bits{2, 3, 4, 5, 6, 7, 8};
  std::vector<std::string> rotations{"none"};
  std::vector<std::string> qualities{"cos=0.99", "cos=0.995", "cos=0.999"};  // codebook's floors
  int fit_iterations = golden::RotationFit{}.iterations;
  int group = 32;
  int positions = 2048;
  int sequences = 8;
  int calibration_positions = 2048;
  uint64_t seed = 1;
  bool act_order = false;
  bool all = false;
  bool json = false;
  std::string plot;
  std::string markdown;
  bool force = false;
};

// 3, 1.5: as a user writes them.
std::string format_bits(double bits) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", bits);
  return text;
}

struct Row {
  std::string method;
  double bits = 0;  // code bits (dbf: its target bits per weight); 16 and 32 for the float baselines
  double bits_per_weight = 0, weight_sqnr_db = 0;
  golden::ModelQuality quality{};
  std::string floor{};  // codebook's quality floor
  golden::RotationKind rotation = golden::RotationKind::None;
  double fit_seconds = 0;  // rotation (folding, calibration, fit) and quantisation
  golden::RotationFitReport rotation_fit{};

  // The line a row belongs to in the plot and the table: "rtn-sym", "rtn-sym+hadamard".
  std::string series() const {
    return rotation == golden::RotationKind::None ? method
                                                  : method + "+" + std::string(golden::rotation_name(rotation));
  }
  // A table row's name: the series, with codebook's floor.
  std::string label() const { return floor.empty() ? series() : series() + " " + floor; }
};

// The model with its linear layers rounded to bf16: the float baseline.
golden::Llama2Weights bf16_weights(const golden::Llama2Weights& reference, bool all, double& sqnr_db) {
  golden::Llama2Weights w = reference;
  double signal = 0, noise = 0;
  for (golden::Matrix* m : w.matrices(all)) {
    for (float& v : m->values) {
      const float rounded = golden::to_float(golden::Bf16::decode(golden::Bf16::encode(double{v})));
      signal += double{v} * v;
      noise += (double{v} - rounded) * (double{v} - rounded);
      v = rounded;
    }
  }
  sqnr_db = 10 * std::log10(signal / noise);
  return w;
}

std::vector<golden::QuantRequest> requests(const EvalOptions& o) {
  std::vector<std::string> names;
  for (const std::string& m : o.methods) {
    if (m == "all") {
      for (const golden::MethodInfo& info : golden::quant_methods()) names.emplace_back(info.name);
    } else if (golden::find_quant_method(m) == nullptr) {
      throw UsageError("--methods: unknown method '" + m + "' (known: " + golden::known_quant_method_names() +
                       ", or all)");
    } else {
      names.push_back(m);
    }
  }
  if (o.act_order && std::ranges::find(names, "gptq") == names.end()) {
    throw UsageError("--act-order applies to gptq, which --methods does not include");
  }
  // Each method takes the --bits values it accepts (golden::accepts_bits); a
  // value no method takes is an error.
  std::vector<golden::QuantRequest> result;
  std::vector<bool> used(o.bits.size(), false);
  for (const std::string& name : names) {
    const golden::MethodInfo& info = *golden::find_quant_method(name);
    if (info.fixed_bits != 0) {
      result.push_back({name, info.fixed_bits, info.default_group, false});
      continue;
    }
    if (info.quality_first) {
      for (const std::string& floor : o.qualities) {
        golden::QuantRequest r{name, 0, 0};
        r.quality = floor;
        result.push_back(r);
      }
      continue;
    }
    for (size_t i = 0; i < o.bits.size(); ++i) {
      const double b = o.bits[i];
      if (!golden::accepts_bits(info, b)) continue;
      if (info.fractional_bits) {
        result.push_back({name, 0, o.group, false, b});
      } else {
        result.push_back({name, static_cast<int>(b), o.group, o.act_order && name == "gptq"});
      }
      used[i] = true;
    }
  }
  for (size_t i = 0; i < o.bits.size(); ++i) {
    if (!used[i] && std::ranges::any_of(names, [](const std::string& n) {
          const golden::MethodInfo& m = *golden::find_quant_method(n);
          return m.fixed_bits == 0 && !m.quality_first;
        })) {
      throw UsageError("--bits " + format_bits(o.bits[i]) +
                       ": no method of --methods takes it (integer methods: whole numbers 2..8; dbf: up to 4 bits "
                       "per weight; sfmp: 2..8)");
    }
  }
  return result;
}

// gnuplot's svg terminal: KL (log scale) against bits per weight, a line per method.
std::string plot_svg(const std::vector<Row>& rows, const std::string& title) {
  std::ostringstream script;
  script << "set title '" << title << "' noenhanced\n"
         << "set xlabel 'bits per weight (codes, scales, zero points)'\nset ylabel 'mean KL to fp32 (nats)'\n"
         << "set logscale y\nset grid\nset key outside right top noenhanced\n";
  std::vector<std::string> methods;
  for (const Row& r : rows) {
    if (r.quality.mean_kl > 0 && std::ranges::find(methods, r.series()) == methods.end()) methods.push_back(r.series());
  }
  for (size_t i = 0; i < methods.size(); ++i) {
    script << "$m" << i << " << EOD\n";
    for (const Row& r : rows) {
      if (r.series() == methods[i] && r.quality.mean_kl > 0)
        script << r.bits_per_weight << " " << r.quality.mean_kl << "\n";
    }
    script << "EOD\n";
  }
  script << "plot ";
  for (size_t i = 0; i < methods.size(); ++i) {
    script << (i ? ", " : "") << "$m" << i << " using 1:2 with linespoints title '" << methods[i] << "'";
  }
  script << "\n";
  return gnuplot_svg(script.str(), 900, 600, "--plot");
}

int run_eval(const EvalOptions& o) {
  if (o.positions < 1 || o.sequences < 1) throw UsageError("--positions and --sequences must be at least 1");
  if (o.positions % o.sequences != 0) throw UsageError("--positions must be a multiple of --sequences");
  if (o.calibration_positions < 0) throw UsageError("--calibration-positions must be 0 or more");
  if (o.group < 1) throw UsageError("--group must be at least 1");
  if (o.fit_iterations < 0) throw UsageError("--fit-iterations must be 0 or more");
  for (double b : o.bits) {
    if (!(b > 0 && b <= 8)) throw UsageError("--bits takes values in (0, 8], not " + format_bits(b));
  }
  const std::vector<golden::QuantRequest> todo = requests(o);
  std::vector<golden::RotationKind> rotations;
  for (const std::string& name : o.rotations) {
    const auto kind = golden::parse_rotation(name);
    if (!kind) throw UsageError("--rotate: unknown rotation '" + name + "' (known: none, hadamard, butterfly)");
    if (std::ranges::find(rotations, *kind) == rotations.end()) rotations.push_back(*kind);
  }
  for (const std::string& output : {o.plot, o.markdown}) {
    if (!output.empty()) golden::check_output(output, {o.force, {}});
  }
  const std::string path = o.model.empty() ? embedded_model_path() : o.model;
  const golden::Llama2Weights reference = golden::load_llama2(path);
  const int per_sequence = o.positions / o.sequences;
  if (per_sequence >= reference.config.seq_len) {
    throw UsageError("--positions / --sequences = " + std::to_string(per_sequence) +
                     " positions per sequence; the model's context holds " +
                     std::to_string(reference.config.seq_len - 1));
  }

  bool needs_hessians = false;
  for (const auto& r : todo) needs_hessians = needs_hessians || golden::find_quant_method(r.method)->needs_hessian;
  const bool fits = std::ranges::find(rotations, golden::RotationKind::Butterfly) != rotations.end();
  if (fits && std::ranges::any_of(todo, [](const golden::QuantRequest& r) {
        return golden::find_quant_method(r.method)->quality_first;
      })) {
    throw UsageError("--rotate butterfly is fitted against a bit width; codebook takes --rotate hadamard");
  }
  if ((needs_hessians || fits) && o.calibration_positions < o.sequences) {
    throw UsageError(std::string(needs_hessians ? "gptq, dbf and onebit" : "--rotate butterfly") +
                     " needs --calibration-positions of at least --sequences");
  }

  Progress progress("eval");
  const golden::EvalSet set = golden::make_eval_set(reference, o.sequences, per_sequence, o.seed);
  // Calibration text from other seeds than the evaluation's.
  const uint64_t calibration_seed = o.seed + 1000003;
  auto calibrate = [&](const golden::Llama2Weights& w) {
    return needs_hessians
               ? golden::collect_hessians(w, o.sequences, o.calibration_positions / o.sequences, calibration_seed)
               : golden::Hessians{};
  };
  const golden::Hessians hessians = calibrate(reference);
  golden::RotationOptions rotation;
  rotation.calibration_sequences = o.sequences;
  rotation.calibration_positions = o.calibration_positions;
  rotation.calibration_seed = calibration_seed;
  rotation.fit.iterations = o.fit_iterations;
  // The Hadamard rotation does not depend on the method: rotated (and calibrated) once.
  std::optional<golden::RotatedModel> hadamard;
  golden::Hessians hadamard_hessians;

  std::vector<Row> rows;
  const size_t total = todo.size() * rotations.size() + 2;
  auto measure = [&](const golden::Llama2Weights& w, const std::string& label) {
    progress.update(rows.size(), total, label);
    return golden::measure_quality(w, set);
  };
  rows.push_back({.method = "fp32",
                  .bits = 32,
                  .bits_per_weight = 32,
                  .weight_sqnr_db = INFINITY,
                  .quality = measure(reference, "fp32")});
  Row bf16{.method = "bf16", .bits = 16, .bits_per_weight = 16};
  const golden::Llama2Weights rounded = bf16_weights(reference, o.all, bf16.weight_sqnr_db);
  bf16.quality = measure(rounded, "bf16");
  rows.push_back(bf16);
  for (const golden::QuantRequest& r : todo) {
    for (const golden::RotationKind kind : rotations) {
      Row row{
          .method = r.method, .bits = r.target_bits > 0 ? r.target_bits : r.bits, .floor = r.quality, .rotation = kind};
      const std::string label = row.label() + (r.quality.empty() ? " " + format_bits(row.bits) + " bits" : "");
      const auto began = std::chrono::steady_clock::now();
      golden::QuantizedModel q;
      try {
        if (kind == golden::RotationKind::None) {
          progress.update(rows.size(), total, label + " (quantising)");
          q = golden::quantize_model(reference, r, &hessians, o.all);
        } else if (kind == golden::RotationKind::Hadamard) {
          progress.update(rows.size(), total, label + " (rotating, quantising)");
          if (!hadamard) {
            rotation.kind = kind;
            hadamard = golden::rotate_model(reference, rotation, r, o.all);
            hadamard_hessians = calibrate(hadamard->weights);
          }
          q = golden::quantize_model(hadamard->weights, r, &hadamard_hessians, o.all);
        } else {
          progress.update(rows.size(), total, label + " (fitting the rotation, quantising)");
          rotation.kind = kind;
          const golden::RotatedModel rotated = golden::rotate_model(reference, rotation, r, o.all);
          row.rotation_fit = rotated.fit;
          const golden::Hessians rotated_hessians = calibrate(rotated.weights);
          q = golden::quantize_model(rotated.weights, r, &rotated_hessians, o.all);
        }
      } catch (const std::invalid_argument& e) {
        throw UsageError(label + ": " + e.what());
      }
      row.fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
      row.bits_per_weight = q.bits_per_weight;
      row.weight_sqnr_db = q.weight_sqnr_db;
      row.quality = measure(q.weights, label);
      rows.push_back(row);
    }
  }
  progress.done();

  if (!o.plot.empty()) {
    const std::string svg = plot_svg(rows, "KL to fp32 against bits per weight: " +
                                               std::filesystem::path(path).filename().string() + ", " +
                                               std::to_string(set.sequences * set.positions) + " positions");
    golden::AtomicFileWriter out(o.plot);
    out.write(svg.data(), svg.size());
    out.commit();
  }
  if (!o.markdown.empty()) {
    std::string table =
        "| method | bits | bits/weight | weight SQNR (dB) | mean KL | top-1 | perplexity | fitting (s) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    char line[256];
    for (const Row& r : rows) {
      std::snprintf(line, sizeof line, "| %s | %g | %.3f | %.2f | %.5f | %.4f | %.3f | %.2f |\n", r.label().c_str(),
                    r.bits, r.bits_per_weight, r.weight_sqnr_db, r.quality.mean_kl, r.quality.top1_agreement,
                    r.quality.perplexity, r.fit_seconds);
      table += line;
    }
    golden::AtomicFileWriter out(o.markdown);
    out.write(table.data(), table.size());
    out.commit();
  }
  nlohmann::json json_rows = nlohmann::json::array();
  for (const Row& r : rows) {
    json_rows.push_back(
        {{"method", r.method},
         {"rotation", golden::rotation_name(r.rotation)},
         {"quality", r.floor.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.floor)},
         {"rotation_fit", rotation_fit_json(r.rotation, r.rotation_fit)},
         {"fit_seconds", r.fit_seconds},
         {"bits", r.bits},
         {"bits_per_weight", r.bits_per_weight},
         {"weight_sqnr_db", std::isfinite(r.weight_sqnr_db) ? nlohmann::json(r.weight_sqnr_db) : nullptr},
         {"mean_kl", r.quality.mean_kl},
         {"top1_agreement", r.quality.top1_agreement},
         {"perplexity", r.quality.perplexity}});
  }
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{"model", std::filesystem::path(path).filename().string()},
                                       {"positions", set.sequences * set.positions},
                                       {"sequences", set.sequences},
                                       {"seed", o.seed},
                                       {"group", o.group},
                                       {"all", o.all},
                                       {"rows", json_rows}}
                            .dump(2)
                            .c_str());
    return kExitOk;
  }
  std::printf("%s: %d positions (%d sequences the fp32 model sampled at temperature 1, seed %llu)\n", path.c_str(),
              set.sequences * set.positions, set.sequences, static_cast<unsigned long long>(o.seed));
  std::printf("%-22s %5s %9s %9s %10s %7s %10s %8s\n", "method", "bits", "bits/w", "SQNR dB", "mean KL", "top-1",
              "perplexity", "fit s");
  for (const Row& r : rows) {
    std::printf("%-22s %5g %9.3f %9.2f %10.5f %7.4f %10.4f %8.2f\n", r.label().c_str(), r.bits, r.bits_per_weight,
                r.weight_sqnr_db, r.quality.mean_kl, r.quality.top1_agreement, r.quality.perplexity, r.fit_seconds);
  }
  return kExitOk;
}

}  // namespace

void add_eval_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Quantiser regression: every method and bit width against the fp32 model (KL, top-1, perplexity, SQNR)");
  cmd->add_option("model", o->model, "A llama2.c checkpoint or a .wsc container of one (default: the embedded stories260K)");
  cmd->add_option("--methods", o->methods, "Comma-separated methods, or all")->delimiter(',')->default_str("all");
  cmd->add_option("--bits", o->bits,
                  "Comma-separated code widths of the integer methods (whole, 2..8), bits per weight of dbf (up to 4) "
                  "and average code bits of sfmp (2..8), fractional for dbf and sfmp")
      ->delimiter(',')
      ->default_str("2,3,4,5,6,7,8");
  cmd->add_option("--group", o->group, "Weights per scale of the integer methods")->default_val(32);
  cmd->add_option("--rotate", o->rotations,
                  "Comma-separated rotations folded into the model before each method: none, hadamard (randomised "
                  "Walsh-Hadamard), butterfly (learned from the Hadamard point); docs/FORMAT.md 14.3")
      ->delimiter(',')
      ->default_str("none");
  cmd->add_option("--quality", o->qualities, "Comma-separated floors of codebook, every row (cos=0.999, sqnr=30dB)")
      ->delimiter(',')
      ->default_str("cos=0.99,cos=0.995,cos=0.999");
  cmd->add_option("--fit-iterations", o->fit_iterations, "Adam steps of the butterfly fit")
      ->default_val(o->fit_iterations);
  cmd->add_option("--positions", o->positions, "Positions evaluated, over all sequences")->default_val(2048);
  cmd->add_option("--sequences", o->sequences, "Sequences the positions are split over")->default_val(8);
  cmd->add_option("--calibration-positions", o->calibration_positions,
                  "Positions of calibration text for gptq and the butterfly fit")
      ->default_val(2048);
  cmd->add_option("--seed", o->seed, "Seed of the sampled evaluation text (calibration uses other seeds)")
      ->default_val(1);
  cmd->add_flag("--act-order", o->act_order, "gptq: columns in order of decreasing Hessian diagonal");
  cmd->add_flag("--all", o->all, "Quantise the embedding (and a separate classifier) too, not only the linear layers");
  cmd->add_option("--plot", o->plot, "Write an SVG plot of KL against bits per weight (gnuplot)");
  cmd->add_option("--markdown", o->markdown, "Write the table as Markdown");
  cmd->add_flag("-f,--force", o->force, "Replace the --plot and --markdown files if they exist");
  cmd->add_flag("--json", o->json, "Machine-readable report");
  cmd->callback([&action, o] { action = [o] { return run_eval(*o); }; });
}

}  // namespace ws::host
