// `weightstream encode`, `decode` and `inspect`: the lossless codec on model
// files and .wsc containers.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "golden/codec/fast_decoder.hpp"
#include "golden/codec/lossless_codec.hpp"
#include "golden/container/wsc_container.hpp"
#include "golden/io/file_io.hpp"
#include "golden/model/model_file.hpp"
#include "golden/model/safetensors.hpp"
#include "host/commands/commands.hpp"
#include "host/support/exit_codes.hpp"
#include "host/support/codec_report.hpp"
#include "host/support/progress.hpp"

namespace ws::host {
namespace {

struct CodecOptions {
  std::string input;
  std::string output;
  std::string as;  // "" or "bf16"
  int lanes = 8;
  int table_log = 0;
  int joint_bits = 3;
  bool no_repeat = false;
  bool no_table_reuse = false;
  bool json = false;
};

std::vector<golden::Tensor> load_tensors(const CodecOptions& o) {
  if (!o.as.empty() && o.as != "bf16") throw UsageError("--as takes bf16, not '" + o.as + "'");
  std::vector<golden::Tensor> tensors = golden::load_model(o.input).tensors;
  if (o.as == "bf16") {
    for (golden::Tensor& t : tensors) t = golden::to_bf16(t);
  }
  return tensors;
}

struct DecodedContainer {
  golden::WscContents contents;
  std::vector<golden::Tensor> tensors;
};

// Parses, checks every CRC and decodes every tensor with the fast decoder.
DecodedContainer decode_container(const std::string& path) {
  const std::vector<uint8_t> bytes = golden::read_file_bytes(path);
  DecodedContainer d{golden::parse_wsc(bytes, path), {}};
  const auto tables = golden::build_tables(d.contents.tensors, path);
  Progress progress("decode");
  std::vector<uint8_t> words;
  for (size_t i = 0; i < d.contents.tensors.size(); ++i) {
    const golden::EncodedTensor& e = d.contents.tensors[i];
    progress.update(i, d.contents.tensors.size(), e.name);
    const size_t width = static_cast<size_t>(golden::dtype_bits(e.dtype) / 8);
    words.resize(e.count * width);
    golden::fast_decode(e, golden::FastDecodeTable(*tables[i], e), words, path);
    golden::Tensor t{e.name, e.dtype, e.shape, std::vector<uint32_t>(e.count)};
    for (size_t j = 0; j < e.count; ++j) {
      for (size_t b = 0; b < width; ++b) t.bits[j] |= uint32_t{words[j * width + b]} << (8 * b);
    }
    d.tensors.push_back(std::move(t));
  }
  return d;
}

void emit(const nlohmann::json& report, const nlohmann::json& tensors, const nlohmann::json& total, bool json) {
  if (json) {
    std::printf("%s\n", report.dump(2).c_str());
  } else {
    print_report(tensors, total);
  }
}

int run_encode(const CodecOptions& o) {
  if (o.output.empty()) throw UsageError("encode: give the output file with -o OUT.wsc");
  if (o.lanes < 1 || o.lanes > 32) throw UsageError("--lanes must be 1..32");
  if (o.table_log != 0 && (o.table_log < 5 || o.table_log > 12)) throw UsageError("--table-log must be 5..12");
  if (o.joint_bits < 0 || o.joint_bits > 7) throw UsageError("--joint-bits must be 0..7");
  const std::vector<golden::Tensor> tensors = load_tensors(o);

  golden::LosslessOptions options;
  options.lanes = o.lanes;
  options.table_log = o.table_log;
  options.max_joint_bits = o.joint_bits;
  options.allow_repeat = !o.no_repeat;
  options.reuse_tables = !o.no_table_reuse;
  Progress progress("encode");
  const std::vector<golden::EncodedTensor> encoded = golden::encode_lossless(
      tensors, options, [&](size_t done) { progress.update(done, tensors.size(), "tensors"); });
  progress.done();
  const std::vector<uint8_t> file = golden::serialize_wsc(encoded);

  // Read the container back through the same path a user's decode takes and
  // check every weight before the file is published.
  const golden::WscContents check = golden::parse_wsc(file, o.output);
  const auto tables = golden::build_tables(check.tensors, o.output);
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (!(golden::decode_lossless(check.tensors[i], *tables[i], o.output) == tensors[i])) {
      throw std::runtime_error("tensor '" + tensors[i].name + "' did not decode back bit-exactly");
    }
  }
  golden::AtomicFileWriter out(o.output);
  out.write(file.data(), file.size());
  out.commit();

  CodingTotals totals;
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < tensors.size(); ++i) rows.push_back(tensor_report(tensors[i], encoded[i], totals));
  const nlohmann::json total = total_report(totals, file.size(), check.directory_bytes);
  emit({{"input", o.input}, {"output", o.output}, {"as", o.as.empty() ? nullptr : nlohmann::json(o.as)},
        {"lanes", o.lanes}, {"verified", true}, {"tensors", rows}, {"total", total}},
       rows, total, o.json);
  return kExitOk;
}

int run_decode(const CodecOptions& o) {
  if (o.output.empty()) throw UsageError("decode: give the output file with -o OUT.safetensors");
  const DecodedContainer d = decode_container(o.input);
  golden::write_safetensors(o.output, d.tensors);
  if (!o.json) {
    std::printf("%zu tensors decoded bit-exactly (CRC32 checked) from %s to %s\n", d.tensors.size(),
                o.input.c_str(), o.output.c_str());
  } else {
    std::printf("%s\n", nlohmann::json{{"input", o.input}, {"output", o.output}, {"tensors", d.tensors.size()}}
                            .dump(2)
                            .c_str());
  }
  return kExitOk;
}

nlohmann::json model_row(const golden::Tensor& t) {
  const golden::TensorBound bound = golden::tensor_bound(t);
  const double original = static_cast<double>(t.size()) * golden::dtype_bits(t.dtype) / 8;
  return {{"name", t.name},
          {"dtype", golden::dtype_name(t.dtype)},
          {"shape", t.shape},
          {"weights", t.size()},
          {"original_bytes", original},
          {"exponent_entropy_bits", bound.exponent_entropy_bits},
          {"bound_bits_per_weight", t.size() ? bound.bound_bits / static_cast<double>(t.size()) : 0.0},
          {"bound_bytes", bound.bound_bits / 8},
          {"bound_ratio", bound.bound_bits > 0 ? original * 8 / bound.bound_bits : 0.0}};
}

int run_inspect(const CodecOptions& o) {
  const std::vector<uint8_t> head = golden::read_file_bytes(o.input);
  if (golden::looks_like_wsc(head)) {
    const DecodedContainer d = decode_container(o.input);
    CodingTotals totals;
    nlohmann::json rows = nlohmann::json::array();
    for (size_t i = 0; i < d.tensors.size(); ++i) {
      rows.push_back(tensor_report(d.tensors[i], d.contents.tensors[i], totals));
    }
    const nlohmann::json total = total_report(totals, d.contents.file_bytes, d.contents.directory_bytes);
    emit({{"input", o.input}, {"kind", "wsc"}, {"version", golden::kWscVersion}, {"tensors", rows}, {"total", total}},
         rows, total, o.json);
    return kExitOk;
  }
  const golden::Model model = golden::load_model(o.input);
  std::vector<golden::Tensor> tensors = model.tensors;
  if (o.as == "bf16") {
    for (golden::Tensor& t : tensors) t = golden::to_bf16(t);
  } else if (!o.as.empty()) {
    throw UsageError("--as takes bf16, not '" + o.as + "'");
  }
  nlohmann::json rows = nlohmann::json::array();
  double original = 0, bound = 0;
  uint64_t weights = 0;
  for (const golden::Tensor& t : tensors) {
    rows.push_back(model_row(t));
    original += rows.back()["original_bytes"].get<double>();
    bound += rows.back()["bound_bytes"].get<double>();
    weights += t.size();
  }
  const nlohmann::json total = {{"weights", weights}, {"original_bytes", original}, {"bound_bytes", bound},
                                {"bound_ratio", bound > 0 ? original / bound : 0.0}};
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{"input", o.input}, {"kind", model.kind}, {"tensors", rows}, {"total", total}}
                            .dump(2)
                            .c_str());
    return kExitOk;
  }
  std::printf("%s: %s, %zu tensors\n", o.input.c_str(), model.kind.c_str(), tensors.size());
  std::printf("%-32s %-5s %-14s %9s %7s %9s %7s\n", "tensor", "dtype", "shape", "weights", "H(exp)", "bound b/w",
              "bound");
  for (const auto& r : rows) {
    std::string shape;
    for (const auto& d : r["shape"]) shape += (shape.empty() ? "" : "x") + std::to_string(d.get<int64_t>());
    std::printf("%-32s %-5s %-14s %9llu %7.3f %9.3f %6.4f:1\n", r["name"].get<std::string>().c_str(),
                r["dtype"].get<std::string>().c_str(), shape.c_str(), r["weights"].get<unsigned long long>(),
                r["exponent_entropy_bits"].get<double>(), r["bound_bits_per_weight"].get<double>(),
                r["bound_ratio"].get<double>());
  }
  std::printf("total: %llu weights, %.0f bytes, order-0 bound %.0f bytes (%.4f:1)\n",
              static_cast<unsigned long long>(weights), original, bound, total["bound_ratio"].get<double>());
  return kExitOk;
}

}  // namespace

void add_codec_commands(CLI::App& app, Action& action) {
  {
    auto o = std::make_shared<CodecOptions>();
    CLI::App* cmd = app.add_subcommand("encode", "Compress a model losslessly into a .wsc container");
    cmd->add_option("input", o->input, "Model file: .safetensors (F32, F16, BF16) or llama2.c .bin")->required();
    cmd->add_option("-o,--output", o->output, "Output .wsc file")->required();
    cmd->add_option("--as", o->as, "Convert fp32 weights first: bf16 (round to nearest even)");
    cmd->add_option("--lanes", o->lanes, "Interleaved decoder lanes K, 1..32")->default_val(8);
    cmd->add_option("--table-log", o->table_log, "tANS table log 5..12 (0: chosen per tensor)")->default_val(0);
    cmd->add_option("--joint-bits", o->joint_bits, "Most fraction bits coded jointly with the exponent")
        ->default_val(3);
    cmd->add_flag("--no-repeat", o->no_repeat, "Do not use the REPEAT symbol (weight equal to the one a row above)");
    cmd->add_flag("--no-table-reuse", o->no_table_reuse, "Give every tensor its own table");
    cmd->add_flag("--json", o->json, "Machine-readable report");
    cmd->callback([&action, o] { action = [o] { return run_encode(*o); }; });
  }
  {
    auto o = std::make_shared<CodecOptions>();
    CLI::App* cmd = app.add_subcommand("decode", "Restore the tensors of a .wsc container as safetensors");
    cmd->add_option("input", o->input, "Input .wsc file")->required();
    cmd->add_option("-o,--output", o->output, "Output .safetensors file")->required();
    cmd->add_flag("--json", o->json, "Machine-readable report");
    cmd->callback([&action, o] { action = [o] { return run_decode(*o); }; });
  }
  {
    auto o = std::make_shared<CodecOptions>();
    CLI::App* cmd = app.add_subcommand("inspect", "Per-tensor entropy, ratio and format statistics of a file");
    cmd->add_option("input", o->input, ".wsc, .safetensors or llama2.c .bin file")->required();
    cmd->add_option("--as", o->as, "For model files: statistics after converting fp32 to bf16");
    cmd->add_flag("--json", o->json, "Machine-readable report");
    cmd->callback([&action, o] { action = [o] { return run_inspect(*o); }; });
  }
}

}  // namespace ws::host
