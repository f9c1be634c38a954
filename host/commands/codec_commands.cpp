// `weightstream encode`, `decode` and `inspect`: the lossless codec on model
// files and .wsc containers. Every argument and the output path are checked
// before any work; decode and inspect hold one tensor at a time (the
// container is mapped, not read), and decode rebuilds the source file byte
// for byte when the container holds its layout.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "golden/codec/fast_decoder.hpp"
#include "golden/codec/lossless_codec.hpp"
#include "golden/common/crc32.hpp"
#include "golden/container/wsc_container.hpp"
#include "golden/io/file_io.hpp"
#include "golden/model/llama2_weights.hpp"
#include "golden/model/llama2c_writer.hpp"
#include "golden/model/model_file.hpp"
#include "golden/model/safetensors.hpp"
#include "golden/quant/codebook_budget.hpp"
#include "golden/quant/model_encoder.hpp"
#include "golden/quant/model_rotation.hpp"
#include "golden/vp/vp_model.hpp"
#include "host/commands/commands.hpp"
#include "host/support/codec_report.hpp"
#include "host/support/exit_codes.hpp"
#include "host/support/progress.hpp"
#include "host/support/rotation_report.hpp"

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
  bool force = false;
  bool json = false;
  // Quantised encoding of the linear layers (docs/FORMAT.md 9.3, 14).
  std::string method = "lossless";
  double bits = 4;  // a code width, or dbf's bits per weight
  int group = 32;
  bool act_order = false;
  bool all = false;
  int calibration_positions = 2048;
  std::string rotate = "none";  // folded into the model before coding (docs/FORMAT.md 14.3)
  int fit_iterations = golden::RotationFit{}.iterations;
  uint64_t fit_bytes = 0;    // codebook: the budget of the quantised matrices' payloads (0: --quality)
  int fit_positions = 1024;  // of self-sampled text the budget search measures KL on
  // The variable-precision type (--method vp, docs/FORMAT.md 16).
  std::string quality;
  std::string quality_per = "tensor";
  std::vector<std::string> quality_for;
  std::vector<std::string> given;  // options the user gave, to refuse those that do nothing
};

bool given(const CodecOptions& o, const std::string& option) {
  return std::ranges::find(o.given, option) != o.given.end();
}

// The quantisation request of encode --method, checked before any work (nullopt: lossless).
std::optional<golden::QuantRequest> quant_request(const CodecOptions& o) {
  if (o.method != "vp") {
    if (given(o, "--quality-per")) throw UsageError("--quality-per applies to --method vp only (codebook: every row)");
    if (o.method != "codebook") {
      for (const char* option : {"--quality", "--quality-for"}) {
        if (given(o, option)) throw UsageError(std::string(option) + " applies to --method vp and codebook only");
      }
    }
  }
  if (o.method != "codebook") {
    for (const char* option : {"--fit-bytes", "--fit-positions"}) {
      if (given(o, option)) throw UsageError(std::string(option) + " applies to --method codebook only");
    }
  }
  if (o.method == "codebook") {
    for (const char* option : {"--bits", "--group", "--act-order"}) {
      if (given(o, option)) throw UsageError(std::string(option) + " does not apply to codebook (it takes --quality)");
    }
    if (given(o, "--fit-bytes") == !o.quality.empty() || (given(o, "--fit-bytes") && !o.quality_for.empty())) {
      throw UsageError("--method codebook takes --quality (e.g. cos=0.999, with --quality-for) or --fit-bytes N");
    }
    if (given(o, "--fit-bytes") && (o.fit_bytes < 1 || o.fit_positions < 8)) {
      throw UsageError("--fit-bytes must be positive and --fit-positions at least 8");
    }
    if (given(o, "--fit-bytes")) return golden::QuantRequest{"codebook", 0, 0};  // the search sets the floors
    if (o.calibration_positions < 8) throw UsageError("--calibration-positions must be 8 or more");
    golden::QuantRequest r{"codebook", 0, 0};
    r.quality = o.quality;
    r.quality_for = o.quality_for;
    try {  // the floors are checked before any work
      golden::vp::parse_quality(r.quality);
      for (const std::string& text : r.quality_for) golden::vp::parse_quality_for(text);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--quality: ") + e.what());
    }
    return r;
  }
  if (o.method == "vp") {
    for (const char* option : {"--bits", "--group", "--act-order", "--calibration-positions"}) {
      if (given(o, option)) throw UsageError(std::string(option) + " does not apply to --method vp (it takes --quality)");
    }
    return std::nullopt;
  }
  if (o.method == "lossless") {
    for (const char* option : {"--bits", "--group", "--act-order", "--all", "--calibration-positions"}) {
      if (given(o, option)) throw UsageError(std::string(option) + " applies to a quantising --method only");
    }
    return std::nullopt;
  }
  const golden::MethodInfo* method = golden::find_quant_method(o.method);
  if (method == nullptr) {
    throw UsageError("--method: unknown method '" + o.method + "' (known: lossless, " +
                     golden::known_quant_method_names() + ")");
  }
  if (method->fixed_bits != 0 && (given(o, "--bits") || given(o, "--group"))) {
    throw UsageError(o.method + " has " + std::to_string(method->fixed_bits) + "-bit codes" +
                     (method->default_group > 0 ? " in blocks of " + std::to_string(method->default_group) : "") +
                     "; --bits and --group do not apply");
  }
  if (o.method == "dbf" && given(o, "--group")) throw UsageError("--group does not apply to dbf");
  if (method->fixed_bits == 0 && !golden::accepts_bits(*method, o.bits)) {
    char bits[32];
    std::snprintf(bits, sizeof bits, "%g", o.bits);
    throw UsageError(std::string("--bits ") + bits + " does not apply to " + o.method +
                     " (integer methods: whole numbers 2..8; dbf: bits per weight up to 4; sfmp: average code bits "
                     "2..8)");
  }
  if (o.group < 1) throw UsageError("--group must be at least 1");
  if (o.act_order && o.method != "gptq") throw UsageError("--act-order applies to gptq only");
  const bool calibrates = method->needs_hessian || o.rotate == "butterfly";
  if (given(o, "--calibration-positions") && !calibrates) {
    throw UsageError("--calibration-positions applies to gptq, dbf, onebit and --rotate butterfly only");
  }
  if (calibrates && o.calibration_positions < 8) throw UsageError("--calibration-positions must be 8 or more");
  if (!o.as.empty()) throw UsageError("--as bf16 applies to lossless encoding only");
  if (method->fractional_bits) return golden::QuantRequest{o.method, 0, o.group, false, o.bits};
  return golden::QuantRequest{o.method, static_cast<int>(o.bits), o.group, o.act_order};
}

// The request of encode --method vp, checked before any work.
golden::vp::VpRequest vp_request(const CodecOptions& o) {
  if (o.quality.empty()) throw UsageError("--method vp needs --quality, e.g. --quality sqnr=30dB or --quality cos=0.999");
  if (o.quality_per != "tensor" && o.quality_per != "row") {
    throw UsageError("--quality-per takes tensor or row, not '" + o.quality_per + "'");
  }
  golden::vp::VpRequest r;
  try {
    r.floor = golden::vp::parse_quality(o.quality);
    r.floor.per_row = o.quality_per == "row";
    for (const std::string& text : o.quality_for) r.overrides.push_back(golden::vp::parse_quality_for(text));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  r.all = o.all;
  return r;
}

// Reports go to standard output, unless the data does.
std::FILE* report_stream(const CodecOptions& o) { return o.output == "-" ? stderr : stdout; }

bool is_container(const std::string& path) {
  return golden::looks_like_wsc(golden::read_file_head(path, golden::kWscHeaderBytes).bytes);
}

void check_as(const CodecOptions& o) {
  if (!o.as.empty() && o.as != "bf16") throw UsageError("--as takes bf16, not '" + o.as + "'");
}

// A tensor of a mapped container, decoded (after checking that its lanes hold
// what the directory declares) into its data bytes. Its lanes stay loaded
// until the caller releases them.
std::vector<uint8_t> decode_tensor_bytes(const golden::MappedFile& file, golden::WscContents& contents,
                                         const std::vector<std::shared_ptr<const golden::TansTable>>& tables,
                                         size_t i, const std::string& source) {
  golden::load_lanes(file.bytes(), contents, i, source);
  golden::EncodedTensor& e = contents.tensors[i];
  if (e.quantized) return golden::tensor_bytes(golden::dequantized_tensor(e));
  if (e.vp) {
    file.release(contents.payloads[i].offset, e.payload_bytes());
    return golden::tensor_bytes(golden::decode_lossless(e, *tables[i], source));
  }
  file.release(contents.payloads[i].offset, e.payload_bytes());  // copied: the mapped pages may go
  golden::check_lane_backing(e, *tables[i], source);
  std::vector<uint8_t> bytes(golden::tensor_data_bytes(e.dtype, e.count));
  golden::fast_decode(e, golden::FastDecodeTable(*tables[i], e), bytes, source);
  return bytes;
}

golden::Tensor tensor_of(const golden::EncodedTensor& e, std::span<const uint8_t> bytes) {
  const size_t width = static_cast<size_t>(golden::dtype_bits(e.dtype) / 8);
  golden::Tensor t{e.name, e.dtype, e.shape, std::vector<uint32_t>(e.count)};
  for (size_t j = 0; j < e.count; ++j) {
    for (size_t b = 0; b < width; ++b) t.bits[j] |= uint32_t{bytes[j * width + b]} << (8 * b);
  }
  return t;
}

// What encode --json says of a vp tensor's quality (docs/FORMAT.md 16.5).
nlohmann::json vp_quality_report(const golden::vp::VpTensorOutcome& v) {
  const golden::vp::QualityMeasure& q = v.choice.quality;
  return {{"floor", v.floor.text()},
          {"sqnr_db", q.sqnr_db},
          {"cosine", q.cosine},
          {"worst_row_sqnr_db", q.worst_row_sqnr_db},
          {"worst_row_cosine", q.worst_row_cosine},
          {"bits_per_weight", v.choice.bits_per_weight},
          {"fold_bits", v.choice.fold_bits},
          {"ecsq_bits_per_weight", v.ecsq.bits_per_weight},
          {"rate_gap_to_ecsq", v.choice.bits_per_weight - v.ecsq.bits_per_weight},
          {"gaussian_gap_db", golden::vp::gaussian_sqnr_db(v.choice.bits_per_weight) - q.sqnr_db}};
}

void emit(const CodecOptions& o, const nlohmann::json& report, const nlohmann::json& tensors,
          const nlohmann::json& total) {
  if (o.json) {
    std::fprintf(report_stream(o), "%s\n", report.dump(2).c_str());
  } else {
    print_report(tensors, total, report_stream(o));
  }
}

nlohmann::json budget_report(const golden::BudgetSearch& search, uint64_t budget) {
  nlohmann::json walk = nlohmann::json::array();
  for (const golden::BudgetPoint& p : search.walk) {
    walk.push_back({{"strict", p.strict},
                    {"lazy", p.lazy},
                    {"bytes", p.bytes},
                    {"fits", p.fits},
                    {"mean_kl", p.mean_kl ? nlohmann::json(*p.mean_kl) : nullptr}});
  }
  return {{"budget_bytes", budget},
          {"walk", walk},
          {"chosen", search.chosen ? walk[*search.chosen] : nlohmann::json(nullptr)}};
}

// The frontier the search walked, before the coding report.
void print_budget(const golden::BudgetSearch& search) {
  std::printf("%-8s %-8s %10s %10s\n", "strict", "lazy", "bytes", "mean KL");
  for (size_t i = 0; i < search.walk.size(); ++i) {
    const golden::BudgetPoint& p = search.walk[i];
    char kl[32] = "too big";
    if (p.mean_kl) std::snprintf(kl, sizeof kl, "%.5f", *p.mean_kl);
    std::printf("%-8g %-8g %10llu %10s%s\n", p.strict, p.lazy, static_cast<unsigned long long>(p.bytes), kl,
                search.chosen == i ? "  <- chosen" : "");
  }
}

int run_encode(const CodecOptions& o) {
  if (o.lanes < 1 || o.lanes > 32) throw UsageError("--lanes must be 1..32");
  if (o.table_log != 0 && (o.table_log < 5 || o.table_log > 12)) throw UsageError("--table-log must be 5..12 (0: chosen)");
  if (o.joint_bits < 0 || o.joint_bits > 3) throw UsageError("--joint-bits must be 0..3 (docs/FORMAT.md 8.1)");
  check_as(o);
  const std::optional<golden::RotationKind> rotation = golden::parse_rotation(o.rotate);
  if (!rotation) throw UsageError("--rotate: unknown rotation '" + o.rotate + "' (known: none, hadamard, butterfly)");
  if (*rotation != golden::RotationKind::None && o.method == "lossless") {
    throw UsageError("--rotate applies to a quantising --method (a lossless code keeps the weights as they are)");
  }
  if (given(o, "--fit-iterations") && *rotation != golden::RotationKind::Butterfly) {
    throw UsageError("--fit-iterations applies to --rotate butterfly only");
  }
  if (o.fit_iterations < 0) throw UsageError("--fit-iterations must be 0 or more");
  if (*rotation == golden::RotationKind::Butterfly && (o.method == "vp" || o.method == "codebook")) {
    throw UsageError("--rotate butterfly is fitted against a bit width; " + o.method + " takes --rotate hadamard");
  }
  std::optional<golden::QuantRequest> request = quant_request(o);
  const bool vp = o.method == "vp";
  const golden::vp::VpRequest vp_req = vp ? vp_request(o) : golden::vp::VpRequest{};
  if (is_container(o.input)) throw UsageError(o.input + ": is already a .wsc container (decode it first)");
  golden::check_output(o.output, {o.force, {o.input}});
  golden::AtomicFileWriter out(o.output);  // a temporary file until the container is verified
  golden::Model model = golden::load_model(o.input);
  // The source file is kept for a byte-exact decode unless --as changes its tensors.
  bool converted = false;
  if (o.as == "bf16") {
    for (golden::Tensor& t : model.tensors) {
      converted = converted || t.dtype == golden::DType::F32;
      t = golden::to_bf16(t);
    }
  }
  Progress progress("encode");
  // Calibration for gptq and the rotation's fit: the model runs on text it
  // samples itself (seeds apart from eval's).
  constexpr int kCalibrationSequences = 8;
  constexpr uint64_t kCalibrationSeed = 1000004;
  std::optional<golden::Llama2Weights> model_weights;
  auto llama2 = [&](const char* why) -> const golden::Llama2Weights& {
    if (!model_weights) {
      try {
        model_weights = golden::load_llama2(o.input);
      } catch (const golden::InputError& e) {
        throw golden::InputError(std::string(e.what()) + " (" + why + ": it needs a llama2.c checkpoint)");
      }
    }
    return *model_weights;
  };
  golden::RotationFitReport rotation_fit;
  if (*rotation != golden::RotationKind::None) {
    // The rotated model replaces the file: decode writes a llama2.c checkpoint
    // of the rotated weights, which computes what the original computes.
    progress.update(0, model.tensors.size(), "rotating");
    golden::RotationOptions rotate;
    rotate.kind = *rotation;
    rotate.calibration_sequences = kCalibrationSequences;
    rotate.calibration_positions = o.calibration_positions;
    rotate.calibration_seed = kCalibrationSeed;
    rotate.fit.iterations = o.fit_iterations;
    golden::RotatedModel rotated = golden::rotate_model(llama2("--rotate folds into a llama2 model's weights"), rotate,
                                                        request.value_or(golden::QuantRequest{}), o.all);
    rotation_fit = rotated.fit;
    golden::Llama2Model file = golden::llama2c_model(rotated.weights, model.layout);
    model.tensors = std::move(file.tensors);
    model.layout = std::move(file.layout);
    model_weights = std::move(rotated.weights);
  }
  const std::vector<golden::Tensor>& tensors = model.tensors;

  golden::LosslessOptions options;
  options.lanes = o.lanes;
  options.table_log = o.table_log;
  options.max_joint_bits = o.joint_bits;
  options.allow_repeat = !o.no_repeat;
  options.reuse_tables = !o.no_table_reuse;
  const auto on_progress = [&](size_t done) { progress.update(done, tensors.size(), "tensors"); };
  golden::Hessians hessians;
  if (request && golden::find_quant_method(request->method)->needs_hessian) {
    hessians = golden::collect_hessians(llama2((o.method + " calibrates on text the model samples itself").c_str()),
                                        kCalibrationSequences, o.calibration_positions / kCalibrationSequences,
                                        kCalibrationSeed);
  }
  nlohmann::json fit_search = nullptr;
  if (request && request->method == "codebook" && o.fit_bytes > 0) {
    // The strict/lazy floor pair that fits the budget with the lowest KL, on text the model samples itself.
    progress.update(0, tensors.size(), "searching the floors that fit " + std::to_string(o.fit_bytes) + " bytes");
    const golden::Llama2Weights& weights = llama2("--fit-bytes measures the model's KL");
    constexpr int kEvalSequences = 8;
    const golden::BudgetSearch search = golden::search_codebook_budget(
        weights, hessians, o.fit_bytes,
        golden::make_eval_set(weights, kEvalSequences, o.fit_positions / kEvalSequences, 1), o.all);
    fit_search = budget_report(search, o.fit_bytes);
    if (!search.chosen) {
      throw golden::InputError(o.input + ": no pair of codebook floors fits " + std::to_string(o.fit_bytes) +
                               " bytes (the loosest needs " + std::to_string(search.walk.front().bytes) + ")");
    }
    request = search.request;
    if (!o.json) print_budget(search);
  }
  std::vector<golden::EncodedTensor> encoded;
  std::vector<golden::vp::VpTensorOutcome> vp_outcomes;
  try {
    if (vp) {
      golden::vp::VpModelEncoding coded = golden::vp::encode_vp_model(tensors, vp_req, options, on_progress);
      encoded = std::move(coded.tensors);
      vp_outcomes = std::move(coded.outcomes);
    } else {
      encoded = request ? golden::encode_with_method(tensors, *request, &hessians, o.all, options, on_progress)
                        : golden::encode_lossless(tensors, options, on_progress);
    }
  } catch (const golden::InputError& e) {
    throw golden::InputError(o.input + ": " + e.what());
  } catch (const std::invalid_argument& e) {
    throw UsageError(o.input + ": --method " + o.method + ": " + e.what());
  }
  progress.done();
  const std::vector<uint8_t> file = golden::serialize_wsc(encoded, converted ? nullptr : &model.layout);

  // Read the container back through the same path a user's decode takes and
  // check every weight before the file is published.
  const golden::WscContents check = golden::parse_wsc(file, o.output);
  const auto tables = golden::build_tables(check.tensors, o.output);
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (check.tensors[i].quantized) {
      if (!(golden::dequantized_tensor(check.tensors[i]) == golden::dequantized_tensor(encoded[i]))) {
        throw golden::Error(golden::ErrorCode::Internal,
                            "quantised tensor '" + tensors[i].name + "' did not read back as it was written");
      }
      continue;
    }
    // A vp tensor must read back as the weights its search measured (its own
    // table: the check's table is the one written).
    const golden::Tensor decoded = golden::decode_lossless(check.tensors[i], *tables[i], o.output);
    const bool same = encoded[i].vp ? decoded == golden::decode_lossless(encoded[i], *tables[i], o.output)
                                    : decoded == tensors[i];
    if (!same) {
      throw golden::Error(golden::ErrorCode::Internal,
                          "tensor '" + tensors[i].name + "' did not decode back bit-exactly");
    }
  }
  out.write(file.data(), file.size());
  out.commit();

  CodingTotals totals;
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < tensors.size(); ++i) rows.push_back(tensor_report(tensors[i], encoded[i], totals));
  for (const golden::vp::VpTensorOutcome& v : vp_outcomes) rows[v.index]["quality"] = vp_quality_report(v);
  const nlohmann::json total = total_report(totals, file.size(), check.directory_bytes + check.layout_bytes);
  emit(o,
       {{"input", o.input},
        {"output", o.output},
        {"as", o.as.empty() ? nullptr : nlohmann::json(o.as)},
        {"method", o.method},
        {"rotation", o.rotate},
        {"rotation_fit", rotation_fit_json(*rotation, rotation_fit)},
        {"fit_search", fit_search},
        {"lanes", o.lanes},
        {"verified", true},
        {"source_layout", !converted},
        {"tensors", rows},
        {"total", total}},
       rows, total);
  return kExitOk;
}

int run_decode(const CodecOptions& o) {
  golden::check_output(o.output, {o.force, {o.input}});
  const golden::MappedFile file(o.input);
  golden::WscContents contents = golden::parse_wsc(file.bytes(), o.input, {true, false});
  const auto tables = golden::build_tables(contents.tensors, o.input);
  const size_t count = contents.tensors.size();
  const auto quantized = std::ranges::count_if(contents.tensors, [](const auto& t) { return t.quantized.has_value(); });
  const auto vp_tensors = std::ranges::count_if(contents.tensors, [](const auto& t) { return t.vp.has_value(); });
  const auto lossy = quantized + vp_tensors;
  Progress progress("decode");
  golden::AtomicFileWriter out(o.output);
  std::string restored;
  if (contents.layout) {
    // The source file, segment by segment, checked against its CRC32.
    const golden::SourceLayout& layout = *contents.layout;
    uint32_t crc = 0;
    uint64_t size = 0;
    for (const golden::SourceSegment& segment : layout.segments) {
      std::vector<uint8_t> bytes;
      if (segment.is_tensor) {
        progress.update(segment.tensor, count, contents.tensors[segment.tensor].name);
        bytes = decode_tensor_bytes(file, contents, tables, segment.tensor, o.input);
        contents.tensors[segment.tensor].lane_streams = {};
      }
      const std::span<const uint8_t> data = segment.is_tensor ? std::span<const uint8_t>(bytes) : segment.bytes;
      crc = golden::crc32_update(crc, data);
      size += data.size();
      out.write(data.data(), data.size());
    }
    if (lossy > 0) {
      restored = std::string(golden::source_kind_name(layout.kind)) + " file with the decoded values of " +
                 std::to_string(lossy) + " quantised or variable-precision tensors (the rest restored bit for bit)";
    } else if (crc != layout.file_crc || size != layout.file_size) {
      throw golden::InputError(o.input + ": the rebuilt " + std::string(golden::source_kind_name(layout.kind)) +
                               " file differs from the original (CRC32 or size); not written");
    } else {
      restored = std::string(golden::source_kind_name(layout.kind)) + " file restored byte for byte (CRC32 checked)";
    }
  } else {
    std::vector<golden::TensorInfo> infos;
    for (const golden::EncodedTensor& e : contents.tensors) infos.push_back({e.name, e.dtype, e.shape});
    golden::write_safetensors_to(out, infos, {}, [&](size_t i) {
      progress.update(i, count, contents.tensors[i].name);
      std::vector<uint8_t> bytes = decode_tensor_bytes(file, contents, tables, i, o.input);
      contents.tensors[i].lane_streams = {};
      return bytes;
    });
    restored = "tensors written as safetensors (the container keeps no layout of a source file)";
  }
  progress.done();
  out.commit();
  if (o.json) {
    std::fprintf(report_stream(o), "%s\n",
                 nlohmann::json{{"input", o.input},
                                {"output", o.output},
                                {"tensors", count},
                                {"byte_exact_source", contents.layout.has_value() && lossy == 0},
                                {"quantized_tensors", quantized},
                                {"vp_tensors", vp_tensors},
                                {"kind", contents.layout ? golden::source_kind_name(contents.layout->kind)
                                                         : std::string_view("safetensors")}}
                     .dump(2)
                     .c_str());
  } else {
    std::fprintf(report_stream(o), "%zu tensors decoded (%s) from %s to %s: %s\n", count,
                 lossy ? "lossless ones bit-exactly, quantised and variable-precision ones as coded"
                       : "bit-exactly, CRC32 checked",
                 o.input.c_str(), o.output.c_str(), restored.c_str());
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

int inspect_container(const CodecOptions& o) {
  if (!o.as.empty()) throw UsageError("--as applies to model files; " + o.input + " is a .wsc container");
  const golden::MappedFile mapped(o.input);
  golden::WscContents contents = golden::parse_wsc(mapped.bytes(), o.input, {true, false});
  const auto tables = golden::build_tables(contents.tensors, o.input);
  CodingTotals totals;
  nlohmann::json rows = nlohmann::json::array();
  Progress progress("inspect");
  for (size_t i = 0; i < contents.tensors.size(); ++i) {
    progress.update(i, contents.tensors.size(), contents.tensors[i].name);
    const std::vector<uint8_t> bytes = decode_tensor_bytes(mapped, contents, tables, i, o.input);
    rows.push_back(tensor_report(tensor_of(contents.tensors[i], bytes), contents.tensors[i], totals));
    contents.tensors[i].lane_streams = {};
  }
  progress.done();
  const nlohmann::json total =
      total_report(totals, contents.file_bytes, contents.directory_bytes + contents.layout_bytes);
  emit(o,
       {{"input", o.input},
        {"kind", "wsc"},
        {"version", golden::kWscVersion},
        {"source", contents.layout ? nlohmann::json(golden::source_kind_name(contents.layout->kind)) : nullptr},
        {"tensors", rows},
        {"total", total}},
       rows, total);
  return kExitOk;
}

int run_inspect(const CodecOptions& o) {
  check_as(o);
  if (is_container(o.input)) return inspect_container(o);
  const golden::Model model = golden::load_model(o.input);
  std::vector<golden::Tensor> tensors = model.tensors;
  if (o.as == "bf16") {
    for (golden::Tensor& t : tensors) t = golden::to_bf16(t);
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
  nlohmann::json verbatim = nlohmann::json::array();
  for (const golden::VerbatimTensor& v : model.verbatim) {
    verbatim.push_back({{"name", v.name}, {"type", v.type}, {"shape", v.shape}});
  }
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{"input", o.input},
                                       {"kind", model.kind},
                                       {"tensors", rows},
                                       {"verbatim_tensors", verbatim},
                                       {"total", total}}
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
  for (const golden::VerbatimTensor& v : model.verbatim) {
    std::string shape;
    for (const int64_t d : v.shape) shape += (shape.empty() ? "" : "x") + std::to_string(d);
    std::printf("%-32s %-5s %-14s  stored verbatim (not a float type the codec codes)\n", v.name.c_str(),
                v.type.c_str(), shape.c_str());
  }
  std::printf("total: %llu weights, %.0f bytes, order-0 bound %.0f bytes (%.4f:1)\n",
              static_cast<unsigned long long>(weights), original, bound, total["bound_ratio"].get<double>());
  return kExitOk;
}

}  // namespace

void add_codec_commands(CLI::App& app, Action& action) {
  const auto add_output = [](CLI::App* cmd, CodecOptions& o, const char* what) {
    cmd->add_option("-o,--output", o.output, std::string(what) + " ('-': standard output)")->required();
    cmd->add_flag("-f,--force", o.force, "Replace the output file if it exists");
  };
  {
    auto o = std::make_shared<CodecOptions>();
    CLI::App* cmd = app.add_subcommand(
        "encode", "Compress a model into a .wsc container: losslessly, or with the linear layers quantised (--method)");
    cmd->add_option("input", o->input,
                    "Model file: .safetensors (F32, F16, BF16), .gguf (F32, F16, BF16 coded, other types kept "
                    "verbatim) or llama2.c .bin")
        ->required();
    add_output(cmd, *o, "Output .wsc file");
    cmd->add_option("--as", o->as, "Convert fp32 weights first: bf16 (round to nearest even)");
    cmd->add_option("--lanes", o->lanes, "Interleaved decoder lanes K, 1..32")->default_val(8);
    cmd->add_option("--table-log", o->table_log, "tANS table log 5..12 (0: chosen per tensor)")->default_val(0);
    cmd->add_option("--joint-bits", o->joint_bits, "Most fraction bits coded jointly with the exponent, 0..3")
        ->default_val(3);
    cmd->add_flag("--no-repeat", o->no_repeat, "Do not use the REPEAT symbol (weight equal to the one a row above)");
    cmd->add_flag("--no-table-reuse", o->no_table_reuse, "Give every tensor its own table");
    cmd->add_option("--method", o->method,
                    "lossless; vp (the variable-precision type at a --quality floor); or a quantiser for the linear "
                    "layers: " + golden::known_quant_method_names())
        ->default_val("lossless");
    cmd->add_option("--quality", o->quality,
                    "vp: the floor every linear layer meets at the fewest bits: sqnr=<dB>[dB] or cos=<cosine>");
    cmd->add_option("--quality-per", o->quality_per, "vp: the floor holds per tensor, or per row (output channel)")
        ->default_val("tensor");
    cmd->add_option("--quality-for", o->quality_for,
                    "vp: PATTERN=FLOOR, a floor for the tensors whose names match the glob (first match wins; "
                    "repeatable), e.g. 'layers.*.wq=sqnr=40dB'");
    cmd->add_option(
           "--bits", o->bits,
           "Code bits of an integer --method, 2..8; dbf: bits per weight up to 4; sfmp: average code bits 2..8 "
           "(fractional for both)")
        ->default_val(4);
    cmd->add_option("--group", o->group, "Weights per scale along a row, integer methods")->default_val(32);
    cmd->add_flag("--act-order", o->act_order, "gptq: columns in order of decreasing Hessian diagonal");
    cmd->add_flag("--all", o->all, "Quantise the embedding and classifier too, not only the linear layers");
    cmd->add_option("--calibration-positions", o->calibration_positions,
                    "gptq and --rotate butterfly: positions of self-sampled text whose activations calibrate them")
        ->default_val(2048);
    cmd->add_option("--rotate", o->rotate,
                    "Fold a rotation into a llama2.c model before quantising: none, hadamard (randomised "
                    "Walsh-Hadamard), butterfly (learned against --method); decode then writes the rotated model")
        ->default_val("none");
    cmd->add_option("--fit-iterations", o->fit_iterations, "Adam steps of the butterfly fit")
        ->default_val(o->fit_iterations);
    cmd->add_option("--fit-bytes", o->fit_bytes,
                    "codebook: search the strict (attention) and lazy (the rest) floors whose quantised matrices fit "
                    "this many payload bytes with the lowest KL");
    cmd->add_option("--fit-positions", o->fit_positions, "codebook --fit-bytes: positions of self-sampled text for KL")
        ->default_val(o->fit_positions);
    cmd->add_flag("--json", o->json, "Machine-readable report");
    cmd->callback([&action, o, cmd] {
      for (const char* option :
           {"--bits", "--group", "--act-order", "--all", "--calibration-positions", "--quality", "--quality-per",
            "--quality-for", "--fit-iterations", "--fit-bytes", "--fit-positions"}) {
        if (cmd->count(option) > 0) o->given.emplace_back(option);
      }
      action = [o] { return run_encode(*o); };
    });
  }
  {
    auto o = std::make_shared<CodecOptions>();
    CLI::App* cmd = app.add_subcommand(
        "decode", "Restore a .wsc container: the source file byte for byte, or its tensors as safetensors");
    cmd->add_option("input", o->input, "Input .wsc file")->required();
    add_output(cmd, *o, "Output file");
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
