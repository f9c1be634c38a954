#include "host/support/codec_report.hpp"

#include <algorithm>
#include <cstdio>

#include "golden/vp/vp_codec.hpp"

namespace ws::host {
namespace {

double ratio(double original, double compressed) { return compressed > 0 ? original / compressed : 0.0; }
double overhead_percent(double bytes, double bound_bytes) {
  return bound_bytes > 0 ? 100.0 * (bytes / bound_bytes - 1.0) : 0.0;
}

}  // namespace

nlohmann::json tensor_report(const golden::Tensor& tensor, const golden::EncodedTensor& encoded,
                             CodingTotals& totals) {
  const golden::TensorBound bound = golden::tensor_bound(tensor);
  const uint64_t original = tensor.size() * static_cast<uint64_t>(golden::dtype_bits(tensor.dtype) / 8);
  const uint64_t compressed = encoded.payload_bytes();
  totals.weights += tensor.size();
  totals.original_bytes += original;
  totals.payload_bytes += compressed;
  totals.bound_bits += bound.bound_bits;
  // A vp tensor's side information is its table in the directory.
  const uint64_t side = encoded.vp ? golden::vp::table_descriptor_bytes(*encoded.vp) : 0;
  nlohmann::json row = {
      {"name", tensor.name},
      {"dtype", golden::dtype_name(tensor.dtype)},
      {"shape", tensor.shape},
      {"weights", tensor.size()},
      {"original_bytes", original},
      {"compressed_bytes", compressed},
      {"ratio", ratio(static_cast<double>(original), static_cast<double>(compressed))},
      {"exponent_entropy_bits", bound.exponent_entropy_bits},
      {"bound_bits_per_weight", tensor.size() ? bound.bound_bits / static_cast<double>(tensor.size()) : 0.0},
      {"bound_bytes", bound.bound_bits / 8},
      {"overhead_percent", overhead_percent(static_cast<double>(compressed), bound.bound_bits / 8)},
      {"method", encoded.quantized ? encoded.quantized->method
                 : encoded.vp      ? "vp"
                                   : "lossless"},
      {"bits_per_weight",
       tensor.size() ? 8.0 * static_cast<double>(compressed + side) / static_cast<double>(tensor.size()) : 0.0},
      {"code_bits", encoded.quantized ? encoded.quantized->code_bits : 0},
      {"outliers", encoded.quantized ? encoded.quantized->outlier_index.size() : 0},
      {"codebooks", encoded.quantized ? encoded.quantized->codebooks : 0},
      {"average_code_bits", encoded.quantized ? static_cast<double>(encoded.quantized->code_bits_total()) /
                                                    static_cast<double>(encoded.quantized->size())
                                              : 0.0},
      {"group", encoded.quantized ? encoded.quantized->group : 0},
      {"lanes", encoded.lane_streams.size()},
      {"table_log", encoded.table_log},
      {"table_source", encoded.table_source},
      {"table_bytes", encoded.table_bytes.size()},
      {"joint_bits", encoded.joint_bits},
      {"repeat_distance", encoded.repeat_distance}};
  if (encoded.vp) {
    int fold = 0;
    for (const golden::vp::VpSymbol& sym : encoded.vp->symbols) fold = std::max(fold, sym.prefix_bits);
    nlohmann::json symbols = nlohmann::json::array();
    for (const golden::vp::VpSymbol& sym : encoded.vp->symbols) {
      symbols.push_back({{"class", sym.cls == golden::vp::SymbolClass::Zero     ? "zero"
                                   : sym.cls == golden::vp::SymbolClass::Finite ? "finite"
                                                                                : "special"},
                         {"exponent", sym.exponent},
                         {"prefix_bits", sym.prefix_bits},
                         {"prefix", sym.prefix},
                         {"mantissa_bits", sym.mantissa_bits},
                         {"sign", sym.has_sign}});
    }
    row["vp"] = {{"table", golden::vp::describe(*encoded.vp)},
                 {"fold_bits", fold},
                 {"table_descriptor_bytes", side},
                 {"symbols", symbols}};
  }
  return row;
}

nlohmann::json total_report(const CodingTotals& totals, uint64_t file_bytes, uint64_t directory_bytes) {
  const double bound_bytes = totals.bound_bits / 8;
  return {{"weights", totals.weights},
          {"original_bytes", totals.original_bytes},
          {"compressed_bytes", file_bytes},
          {"payload_bytes", totals.payload_bytes},
          {"header_and_directory_bytes", file_bytes - totals.payload_bytes},
          {"directory_bytes", directory_bytes},
          {"ratio", ratio(static_cast<double>(totals.original_bytes), static_cast<double>(file_bytes))},
          {"bound_bits_per_weight", totals.weights ? totals.bound_bits / static_cast<double>(totals.weights) : 0.0},
          {"bound_bytes", bound_bytes},
          {"bound_ratio", ratio(static_cast<double>(totals.original_bytes), bound_bytes)},
          {"overhead_percent", overhead_percent(static_cast<double>(file_bytes), bound_bytes)}};
}

void print_report(const nlohmann::json& tensors, const nlohmann::json& total, std::FILE* out) {
  std::fprintf(out, "%-32s %-5s %9s %10s %10s %7s %7s %9s  %s\n", "tensor", "dtype", "weights", "bytes", "coded", "ratio",
              "H(exp)", "vs bound", "coding");
  for (const auto& t : tensors) {
    char coding[96];
    if (t["method"] == "vp") {
      std::snprintf(coding, sizeof coding, "vp %zu symbols, %.3f b/w", t["vp"]["symbols"].size(),
                    t["bits_per_weight"].get<double>());
    } else if (t["method"] == "dbf") {  // sign factors: group holds the middle dimension k
      std::snprintf(coding, sizeof coding, "dbf k%d, %.3f b/w", t["group"].get<int>(),
                    t["bits_per_weight"].get<double>());
    } else if (t["method"] == "sfmp") {  // blocks of two widths
      std::snprintf(coding, sizeof coding, "sfmp %.2fb g%d, %.3f b/w", t["average_code_bits"].get<double>(),
                    t["group"].get<int>(), t["bits_per_weight"].get<double>());
    } else if (t["method"] == "codebook") {  // group holds the codebook's size
      std::snprintf(coding, sizeof coding, "codebook %dxK%d +%llu outliers, %.3f b/w", t["codebooks"].get<int>(),
                    t["group"].get<int>(), static_cast<unsigned long long>(t["outliers"].get<uint64_t>()),
                    t["bits_per_weight"].get<double>());
    } else if (t["method"] == "onebit") {
      std::snprintf(coding, sizeof coding, "onebit, %.3f b/w", t["bits_per_weight"].get<double>());
    } else if (t["method"] != "lossless") {
      std::snprintf(coding, sizeof coding, "%s %db g%d, %.3f b/w", t["method"].get<std::string>().c_str(),
                    t["code_bits"].get<int>(), t["group"].get<int>(), t["bits_per_weight"].get<double>());
    } else {
      std::snprintf(coding, sizeof coding, "L%d%s j%d%s x%zu", t["table_log"].get<int>(),
                    t["table_source"].get<int>() >= 0 ? " reuse" : "", t["joint_bits"].get<int>(),
                    t["repeat_distance"].get<uint64_t>() ? " rep" : "", t["lanes"].get<size_t>());
    }
    std::fprintf(out, "%-32s %-5s %9llu %10llu %10llu %7.4f %7.3f %+8.3f%%  %s\n", t["name"].get<std::string>().c_str(),
                t["dtype"].get<std::string>().c_str(), t["weights"].get<unsigned long long>(),
                t["original_bytes"].get<unsigned long long>(), t["compressed_bytes"].get<unsigned long long>(),
                t["ratio"].get<double>(), t["exponent_entropy_bits"].get<double>(),
                t["overhead_percent"].get<double>(), coding);
  }
  std::fprintf(out, "%-32s %-5s %9llu %10llu %10llu %7.4f %7s %+8.3f%%  bound %.4f:1, header+directory %llu bytes\n",
              "total", "", total["weights"].get<unsigned long long>(),
              total["original_bytes"].get<unsigned long long>(), total["compressed_bytes"].get<unsigned long long>(),
              total["ratio"].get<double>(), "", total["overhead_percent"].get<double>(),
              total["bound_ratio"].get<double>(), total["header_and_directory_bytes"].get<unsigned long long>());
}

}  // namespace ws::host
