// ws_rate_distortion: the rate-distortion picture of the variable-precision
// type (golden/vp/) on a model's linear-layer matrices, in one run:
//  - vp at SQNR floors (each tensor meets the floor on its own) against ideal
//    ECSQ at the same floors: bits per weight and the rate gap per tensor;
//  - baselines at their own rates (posits with a per-tensor power-of-two
//    scale, the MX floats with E8M0 scales per 32, int-N with fp16 scales per
//    128), each against vp at the same rate per tensor: the SQNR margin.
// Writes rate_distortion.json and .md, and a gnuplot data file that
// bench/vp/rate_distortion.gp turns into rate_distortion.svg. Bits count
// everything stored: vp's payload, tANS table and stored table; the
// baselines' codes and scales.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/common/recorded_path.hpp"
#include "golden/formats/posit.hpp"
#include "golden/model/model_file.hpp"
#include "golden/quant/model_encoder.hpp"
#include "golden/quant/model_quantizer.hpp"
#include "golden/vp/vp_search.hpp"

namespace {

namespace vp = ws::golden::vp;
using ws::golden::Tensor;

constexpr double kGoalMarginDb = 4.0;  // the target: vp this much better at equal bits
const std::vector<double> kFloorsDb = {10, 15, 20, 25, 30, 35, 40, 45};

struct Matrix {
  const Tensor* tensor;
  std::vector<double> x;
  double energy = 0;  // sum x^2
};

// One coding of one tensor: total stored bits and squared error.
struct Point {
  double bits = 0;
  double noise = 0;
  double sqnr_db = 0;
};

double sqnr_of(double energy, double noise) {
  return noise == 0 ? std::numeric_limits<double>::infinity() : 10 * std::log10(energy / noise);
}

// The golden search reports SQNR, not the error; the error follows from the tensor's energy.
Point point_from_sqnr(const Matrix& m, double bits_per_weight, double sqnr_db) {
  const double n = static_cast<double>(m.x.size());
  return {bits_per_weight * n, m.energy / std::pow(10.0, sqnr_db / 10), sqnr_db};
}

// Totals over the tensors: bits per weight as sum of bits / sum of weights,
// SQNR pooled (sum of energies over sum of errors), worst and mean per tensor.
struct Summary {
  double bits_per_weight = 0, pooled_sqnr_db = 0, worst_sqnr_db = 0, mean_sqnr_db = 0;
};

Summary summarise(const std::vector<Matrix>& ms, const std::vector<Point>& ps) {
  double bits = 0, weights = 0, energy = 0, noise = 0, sum = 0;
  double worst = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < ms.size(); ++i) {
    bits += ps[i].bits;
    weights += static_cast<double>(ms[i].x.size());
    energy += ms[i].energy;
    noise += ps[i].noise;
    worst = std::min(worst, ps[i].sqnr_db);
    sum += ps[i].sqnr_db;
  }
  return {bits / weights, sqnr_of(energy, noise), worst, sum / static_cast<double>(ms.size())};
}

nlohmann::ordered_json to_json(const Summary& s) {
  return {{"bits_per_weight", s.bits_per_weight},
          {"pooled_sqnr_db", s.pooled_sqnr_db},
          {"worst_sqnr_db", s.worst_sqnr_db},
          {"mean_sqnr_db", s.mean_sqnr_db}};
}

// posit<N,ES> of x / 2^k, times 2^k, at the k (one per tensor) with the best
// SQNR. The scale is stored as an 8-bit exponent per tensor (E8M0-like).
template <int N, int ES>
Point posit_best_scale(const Matrix& m, int& best_k) {
  double max_abs = 0;
  for (const double v : m.x) max_abs = std::max(max_abs, std::fabs(v));
  const int top = max_abs > 0 ? std::ilogb(max_abs) : 0;
  Point best{0, std::numeric_limits<double>::infinity(), 0};
  // The format's whole dynamic range either side of the largest weight: the
  // optimum (largest weights near the top, small ones not flushed) is inside.
  const int span = (N - 2) * (1 << ES) + 2;
  for (int k = top - span; k <= top + span; ++k) {
    double noise = 0;
    for (const double v : m.x) {
      const double y = std::ldexp(
          ws::golden::to_double(ws::golden::Posit<N, ES>::decode(ws::golden::Posit<N, ES>::encode(std::ldexp(v, -k)))),
          k);
      noise += (v - y) * (v - y);
    }
    if (noise < best.noise) best.noise = noise, best_k = k;
  }
  best.bits = N * static_cast<double>(m.x.size()) + 8;
  best.sqnr_db = sqnr_of(m.energy, best.noise);
  return best;
}

// A method of golden/quant/ on one matrix: its stored bits (codes, scales)
// and the error of its reconstruction (checked against dequantize()).
Point quant_method(const Matrix& m, const ws::golden::QuantRequest& request) {
  const Tensor& t = *m.tensor;
  const std::vector<float> values = t.to_floats();
  const ws::golden::QuantResult r =
      ws::golden::quantize_matrix(request, t.name, values, t.shape[0], t.shape[1], nullptr);
  double noise = 0;
  for (size_t i = 0; i < m.x.size(); ++i) {
    const double d = m.x[i] - double{r.dequantized[i]};
    noise += d * d;
  }
  return {r.stored.bits_per_weight() * static_cast<double>(m.x.size()), noise, sqnr_of(m.energy, noise)};
}

struct Baseline {
  std::string name;    // as the plot and tables show it
  std::string family;  // one plot series per family
  std::string scale;   // how it is scaled, and what the scale costs
  std::function<Point(const Matrix&)> code;
};

// Six decimals are far below anything measured here, and keep the committed report small.
void round_numbers(nlohmann::ordered_json& j) {
  if (j.is_number_float()) {
    const double v = j.get<double>();
    if (std::isfinite(v)) j = std::round(v * 1e6) / 1e6;
  } else if (j.is_structured()) {
    for (auto& e : j) round_numbers(e);
  }
}


std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Rate-distortion of the variable-precision type against ECSQ, posits, MX floats and int-N"};
  std::string model, out_dir, dat_path, project_dir;
  app.add_option("model", model, "llama2.c or safetensors model")->required()->check(CLI::ExistingFile);
  app.add_option("--out-dir", out_dir, "Where rate_distortion.json and rate_distortion.md go")->required();
  app.add_option("--dat", dat_path, "gnuplot data for bench/vp/rate_distortion.gp")->required();
  app.add_option("--project-dir", project_dir, "Project root: the model is recorded relative to it")
      ->check(CLI::ExistingDirectory);
  CLI11_PARSE(app, argc, argv);
  const auto start = std::chrono::steady_clock::now();

  const ws::golden::Model loaded = ws::golden::load_model(model);
  std::vector<Matrix> ms;
  size_t weights = 0;
  for (const Tensor& t : loaded.tensors) {
    if (!ws::golden::is_quantized_matrix(t, false)) continue;
    Matrix m{&t, {}, 0};
    for (const float v : t.to_floats()) m.x.push_back(v), m.energy += double{v} * v;
    weights += m.x.size();
    ms.push_back(std::move(m));
  }
  std::fprintf(stderr, "rate_distortion: %zu linear-layer matrices, %zu weights\n", ms.size(), weights);
  const vp::VpCodingOptions options;  // encode's defaults: 8 lanes, tANS table log chosen by size

  // 1. vp and ECSQ at each floor, per tensor.
  nlohmann::ordered_json floors_json = nlohmann::ordered_json::array();
  std::string md_floors =
      "| SQNR floor (dB) | vp bits/w | vp worst SQNR | vp mean SQNR | ECSQ bits/w | ECSQ worst SQNR | ECSQ mean SQNR "
      "| gap vp - ECSQ, mean (bits/w) | gap, max |\n|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  std::string dat_vp = "\"vp (floor per tensor)\"\n", dat_ecsq = "\"ECSQ (same floors)\"\n";
  for (const double floor_db : kFloorsDb) {
    const vp::QualityFloor floor{vp::QualityFloor::Kind::Sqnr, floor_db, false};
    std::vector<Point> vps, ecsqs;
    double gap_sum = 0, gap_max = -std::numeric_limits<double>::infinity();
    nlohmann::ordered_json per_tensor = nlohmann::ordered_json::array();
    for (const Matrix& m : ms) {
      const vp::VpChoice c = vp::choose_vp(*m.tensor, floor, options);
      const vp::EcsqPoint e = vp::ecsq_for_floor(*m.tensor, floor);
      vps.push_back(point_from_sqnr(m, c.bits_per_weight, c.quality.sqnr_db));
      ecsqs.push_back(point_from_sqnr(m, e.bits_per_weight, e.quality.sqnr_db));
      const double gap = c.bits_per_weight - e.bits_per_weight;
      gap_sum += gap, gap_max = std::max(gap_max, gap);
      per_tensor.push_back({{"tensor", m.tensor->name},
                            {"vp_bits_per_weight", c.bits_per_weight},
                            {"vp_sqnr_db", c.quality.sqnr_db},
                            {"vp_fold_bits", c.fold_bits},
                            {"ecsq_bits_per_weight", e.bits_per_weight},
                            {"ecsq_sqnr_db", e.quality.sqnr_db},
                            {"rate_gap", gap}});
    }
    const Summary sv = summarise(ms, vps), se = summarise(ms, ecsqs);
    const double gap_mean = gap_sum / static_cast<double>(ms.size());
    floors_json.push_back({{"floor_sqnr_db", floor_db},
                           {"vp", to_json(sv)},
                           {"ecsq", to_json(se)},
                           {"rate_gap_mean", gap_mean},
                           {"rate_gap_max", gap_max},
                           {"tensors", per_tensor}});
    md_floors += "| " + fmt("%.0f", floor_db) + " | " + fmt("%.3f", sv.bits_per_weight) + " | " +
                 fmt("%.2f", sv.worst_sqnr_db) + " | " + fmt("%.2f", sv.mean_sqnr_db) + " | " +
                 fmt("%.3f", se.bits_per_weight) + " | " + fmt("%.2f", se.worst_sqnr_db) + " | " +
                 fmt("%.2f", se.mean_sqnr_db) + " | " + fmt("%+.3f", gap_mean) + " | " + fmt("%+.3f", gap_max) + " |\n";
    dat_vp += fmt("%.6f", sv.bits_per_weight) + " " + fmt("%.4f", sv.pooled_sqnr_db) + "\n";
    dat_ecsq += fmt("%.6f", se.bits_per_weight) + " " + fmt("%.4f", se.pooled_sqnr_db) + "\n";
    std::fprintf(stderr, "  floor %2.0f dB: vp %.3f bits/w, ECSQ %.3f bits/w  (%.1f s)\n", floor_db, sv.bits_per_weight,
                 se.bits_per_weight, seconds_since(start));
  }

  // 2. Baselines at their own rates, and vp at each tensor's baseline rate.
  std::vector<Baseline> baselines;
  const std::string posit_scale = "best power-of-two scale per tensor (8 bits per tensor)";
  std::vector<int> posit_k;  // chosen exponents, for the JSON
  const auto posit = [&](std::string name, Point (*f)(const Matrix&, int&)) {
    baselines.push_back({std::move(name), "posit", posit_scale, [f, &posit_k](const Matrix& m) {
                           int k = 0;
                           const Point p = f(m, k);
                           posit_k.push_back(k);
                           return p;
                         }});
  };
  posit("posit<8,0>", posit_best_scale<8, 0>);
  posit("posit<8,1>", posit_best_scale<8, 1>);
  posit("posit<8,2>", posit_best_scale<8, 2>);
  posit("posit<16,1>", posit_best_scale<16, 1>);
  for (const char* mx : {"mxfp4", "mxfp6-e2m3", "mxfp6-e3m2", "mxfp8-e4m3", "mxfp8-e5m2"}) {
    baselines.push_back({mx, mx, "E8M0 power-of-two scale per block of 32 along a row", [mx](const Matrix& m) {
                           return quant_method(m, {mx, 8, 32, false});
                         }});
  }
  for (int bits = 3; bits <= 8; ++bits) {
    baselines.push_back({"int" + std::to_string(bits) + " (rtn-sym)", "int-N (rtn-sym, fp16 scale per 128)",
                         "fp16 scale per group of up to 128 weights along a row", [bits](const Matrix& m) {
                           return quant_method(m, {"rtn-sym", bits, 128, false});
                         }});
  }

  nlohmann::ordered_json baselines_json = nlohmann::ordered_json::array();
  std::string md_base =
      "| baseline | bits/w | SQNR pooled | SQNR worst tensor | vp bits/w at that rate | vp SQNR pooled | vp SQNR worst "
      "| vp unused bits/w, max | margin min (dB) | margin mean (dB) | >= 4 dB on every tensor |\n"
      "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n";
  std::string dat_at_rate = "\"vp at each baseline's rate\"\n";
  std::vector<std::pair<std::string, std::string>> dat_families;  // family, its points
  for (const Baseline& b : baselines) {
    std::vector<Point> base, at_rate;
    posit_k.clear();
    double margin_min = std::numeric_limits<double>::infinity(), margin_sum = 0;
    int over_rate = 0;
    double unused_sum = 0, unused_max = 0;  // rate choose_vp_at_rate leaves on the table
    nlohmann::ordered_json per_tensor = nlohmann::ordered_json::array();
    for (const Matrix& m : ms) {
      const Point p = b.code(m);
      const double target = p.bits / static_cast<double>(m.x.size());
      const vp::VpChoice c = vp::choose_vp_at_rate(*m.tensor, target, options);
      // choose_vp_at_rate falls back to its cheapest coding when nothing fits; count that, do not hide it.
      if (c.bits_per_weight > target) ++over_rate;
      unused_sum += target - c.bits_per_weight, unused_max = std::max(unused_max, target - c.bits_per_weight);
      const Point v = point_from_sqnr(m, c.bits_per_weight, c.quality.sqnr_db);
      base.push_back(p);
      at_rate.push_back(v);
      const double margin = v.sqnr_db - p.sqnr_db;
      margin_min = std::min(margin_min, margin), margin_sum += margin;
      nlohmann::ordered_json row = {{"tensor", m.tensor->name}, {"bits_per_weight", target},
                                    {"sqnr_db", p.sqnr_db},     {"vp_bits_per_weight", c.bits_per_weight},
                                    {"vp_sqnr_db", v.sqnr_db},  {"margin_db", margin}};
      if (!posit_k.empty()) row["scale_log2"] = posit_k.back();
      per_tensor.push_back(std::move(row));
    }
    const Summary sb = summarise(ms, base), sv = summarise(ms, at_rate);
    const double margin_mean = margin_sum / static_cast<double>(ms.size());
    const bool meets = margin_min >= kGoalMarginDb;
    baselines_json.push_back({{"name", b.name},
                              {"family", b.family},
                              {"scale", b.scale},
                              {"baseline", to_json(sb)},
                              {"vp_at_rate", to_json(sv)},
                              {"vp_over_rate_tensors", over_rate},
                              {"vp_unused_bits_per_weight_mean", unused_sum / static_cast<double>(ms.size())},
                              {"vp_unused_bits_per_weight_max", unused_max},
                              {"margin_min_db", margin_min},
                              {"margin_mean_db", margin_mean},
                              {"margin_pooled_db", sv.pooled_sqnr_db - sb.pooled_sqnr_db},
                              {"meets_goal", meets},
                              {"tensors", per_tensor}});
    md_base += "| " + b.name + " | " + fmt("%.3f", sb.bits_per_weight) + " | " + fmt("%.2f", sb.pooled_sqnr_db) +
               " | " + fmt("%.2f", sb.worst_sqnr_db) + " | " + fmt("%.3f", sv.bits_per_weight) + " | " +
               fmt("%.2f", sv.pooled_sqnr_db) + " | " + fmt("%.2f", sv.worst_sqnr_db) + " | " +
               fmt("%.3f", unused_max) + " | " + fmt("%+.2f", margin_min) + " | " + fmt("%+.2f", margin_mean) + " | " +
               (meets ? "yes" : "no") +
               (over_rate ? " (vp over rate on " + std::to_string(over_rate) + " tensors)" : "") + " |\n";
    const std::string pt = fmt("%.6f", sb.bits_per_weight) + " " + fmt("%.4f", sb.pooled_sqnr_db) + "\n";
    const auto family = std::ranges::find(dat_families, b.family == "posit" ? b.name : b.family,
                                          &std::pair<std::string, std::string>::first);
    if (family == dat_families.end()) {
      dat_families.emplace_back(b.family == "posit" ? b.name : b.family, pt);
    } else {
      family->second += pt;
    }
    dat_at_rate += fmt("%.6f", sv.bits_per_weight) + " " + fmt("%.4f", sv.pooled_sqnr_db) + "\n";
    std::fprintf(stderr, "  %-16s %.3f bits/w %6.2f dB; vp %6.2f dB, margin min %+.2f mean %+.2f  (%.1f s)\n",
                 b.name.c_str(), sb.bits_per_weight, sb.pooled_sqnr_db, sv.pooled_sqnr_db, margin_min, margin_mean,
                 seconds_since(start));
  }

  // The Gaussian line over the plotted range, from the golden definition.
  std::string dat_gauss = "\"Gaussian R(D), 6.02 dB/bit\"\n";
  for (int b = 0; b <= 17; ++b) dat_gauss += fmt("%.1f", b) + " " + fmt("%.4f", vp::gaussian_sqnr_db(b)) + "\n";

  const std::string recorded = ws::bench::recorded_path(model, project_dir);
  nlohmann::ordered_json report = {{"model", recorded},
                                   {"tensors", ms.size()},
                                   {"weights", weights},
                                   {"vp_options",
                                    {{"lanes", options.lanes},
                                     {"min_weights_per_lane", options.min_weights_per_lane},
                                     {"table_log", options.table_log}}},
                                   {"goal_margin_db", kGoalMarginDb},
                                   {"gaussian_db_per_bit", vp::gaussian_sqnr_db(1)},
                                   {"floors", floors_json},
                                   {"baselines", baselines_json}};
  round_numbers(report);
  std::filesystem::create_directories(out_dir);
  std::ofstream(out_dir + "/rate_distortion.json") << report.dump(2) << "\n";

  std::string md = "# Rate-distortion: variable-precision type against ECSQ and fixed formats\n\n";
  md += "`" + recorded + "`, its " + std::to_string(ms.size()) + " linear-layer matrices (fp32, " +
        std::to_string(weights) +
        " weights). Bits per weight are the sum of every stored bit over the sum of weights: vp's lane payload, tANS "
        "table and stored table (" +
        std::to_string(options.lanes) +
        " lanes); ECSQ's ideal order-0 entropy plus step, offset and count table; the baselines' codes and scales. "
        "SQNR is 10 log10(sum w^2 / sum (w - w')^2), per tensor; \"pooled\" sums both over all tensors.\n\n";
  md +=
      "## vp and ECSQ at a floor per tensor\n\nEvery tensor meets the floor on its own (`choose_vp`, "
      "`ecsq_for_floor`); the gap is vp's bits per weight minus ECSQ's, per tensor.\n\n" +
      md_floors;
  md +=
      "\n## Baselines at their own rates, vp at the same rate per tensor\n\n"
      "Scales: posits take the best power-of-two scale per tensor (searched, stored as 8 bits per tensor); the MX "
      "floats an E8M0 scale per block of 32 along a row; int-N (rtn-sym) an fp16 scale per group of up to 128 "
      "along a row. Rows are 64 long (one int-N group of 64, 0.25 scale bits per weight) except w2's 172 "
      "(groups of 128 and 44; MX blocks 5 x 32 and 12). vp is `choose_vp_at_rate` with each tensor's own baseline bits "
      "per weight; "
      "the margin is vp's SQNR minus the baseline's, per tensor. Goal: >= " +
      fmt("%.0f", kGoalMarginDb) +
      " dB on every tensor. \"Unused\" is a tensor's rate minus the bits vp's choice takes: "
      "`choose_vp_at_rate` bisects the highest SQNR floor whose quality-first coding fits (to 0.01 dB), and "
      "rates move in steps of a mantissa bit of one binade.\n\n" +
      md_base;
  std::ofstream(out_dir + "/rate_distortion.md") << md;

  // gnuplot data: blocks separated by two blank lines, each opening with its title.
  std::ofstream dat(dat_path);
  dat << dat_gauss << "\n\n" << dat_vp << "\n\n" << dat_ecsq << "\n\n" << dat_at_rate;
  for (const auto& [family, points] : dat_families) dat << "\n\n\"" << family << "\"\n" << points;
  std::fprintf(stderr, "rate_distortion: done in %.1f s\n", seconds_since(start));
  std::printf("%s", md.c_str());
  return 0;
}
