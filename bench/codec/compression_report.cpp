// ws_compression_report: compressed sizes of the lossless codec and of the
// baselines on the same tensors, in one run; writes compression.json and
// compression.md (docs/FORMAT.md, "bench/results/compression.json"). With
// --project-dir, a model under that directory is named relative to it, so the
// committed results do not depend on where the tree is checked out.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bench/common/recorded_path.hpp"
#include "bench/codec/baselines.hpp"
#include "golden/codec/lossless_codec.hpp"
#include "golden/container/wsc_container.hpp"
#include "golden/model/model_file.hpp"

namespace {

using ws::golden::Tensor;

struct Method {
  std::string name;
  uint64_t bytes;
};

uint64_t codec_bytes(std::span<const Tensor> tensors, const ws::golden::LosslessOptions& options) {
  return ws::golden::serialize_wsc(ws::golden::encode_lossless(tensors, options)).size();
}

std::vector<Method> measure(std::span<const Tensor> tensors) {
  const std::vector<uint8_t> raw = ws::bench::raw_bytes(tensors);
  double bound_bits = 0;
  for (const Tensor& t : tensors) bound_bits += ws::golden::tensor_bound(t).bound_bits;
  ws::golden::LosslessOptions plain;
  plain.max_joint_bits = 0;
  plain.allow_repeat = false;
  ws::golden::LosslessOptions full;
  full.max_joint_bits = 3;
  std::vector<Method> methods = {
      {"zlib -9, raw bytes", ws::bench::zlib_bytes(raw, 9)},
      {"zstd -19, raw bytes", ws::bench::zstd_bytes(raw, 19)},
      {"zstd -19, byte planes per tensor (ZipNN)", ws::bench::zstd_byte_planes_bytes(tensors, 19)},
      {"Huffman exponent per tensor (DFloat11)", ws::bench::huffman_exponent_bytes(tensors)},
      {"order-0 exponent bound (not a coder)", static_cast<uint64_t>(bound_bits / 8 + 0.5)},
  };
  for (const int lanes : {1, 8}) {
    plain.lanes = full.lanes = lanes;
    methods.push_back({"weightstream, exponent only, " + std::to_string(lanes) + " lane(s)", codec_bytes(tensors, plain)});
    methods.push_back({"weightstream, default (joint bits, REPEAT), " + std::to_string(lanes) + " lane(s)",
                       codec_bytes(tensors, full)});
  }
  return methods;
}


}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Compressed sizes of the lossless codec and of zlib, zstd, byte-planed zstd and Huffman baselines"};
  std::vector<std::string> models;
  std::string out_dir;
  std::string project_dir;
  app.add_option("models", models, "Model files (.safetensors or llama2.c .bin)")->required();
  app.add_option("--out-dir", out_dir, "Where compression.json and compression.md go")->required();
  app.add_option("--project-dir", project_dir,
                 "Project root: models under it are recorded relative to it (default: recorded as given)")
      ->check(CLI::ExistingDirectory);
  CLI11_PARSE(app, argc, argv);

  nlohmann::json runs = nlohmann::json::array();
  std::string md = "| model | as | method | bytes | ratio |\n|---|---|---|--:|--:|\n";
  for (const std::string& path : models) {
    const std::vector<Tensor> original = ws::golden::load_model(path).tensors;
    for (const bool as_bf16 : {true, false}) {
      std::vector<Tensor> tensors = original;
      if (as_bf16) {
        for (Tensor& t : tensors) t = ws::golden::to_bf16(t);
      }
      const uint64_t original_bytes = ws::bench::raw_bytes(tensors).size();
      const std::string as = as_bf16 ? "bf16" : "stored dtype";
      nlohmann::json methods = nlohmann::json::array();
      for (const Method& m : measure(tensors)) {
        const double ratio = static_cast<double>(original_bytes) / static_cast<double>(m.bytes);
        methods.push_back({{"method", m.name}, {"bytes", m.bytes}, {"ratio", ratio}});
        char row[512];
        std::snprintf(row, sizeof row, "| %s | %s | %s | %llu | %.4f |\n",
                      std::filesystem::path(path).filename().c_str(), as.c_str(), m.name.c_str(),
                      static_cast<unsigned long long>(m.bytes), ratio);
        md += row;
      }
      runs.push_back({{"model", ws::bench::recorded_path(path, project_dir)},
                      {"as", as},
                      {"original_bytes", original_bytes},
                      {"methods", methods}});
    }
  }
  std::filesystem::create_directories(out_dir);
  std::ofstream(out_dir + "/compression.json") << nlohmann::json{{"runs", runs}}.dump(2) << "\n";
  std::ofstream(out_dir + "/compression.md") << md;
  std::printf("%s", md.c_str());
  return 0;
}
