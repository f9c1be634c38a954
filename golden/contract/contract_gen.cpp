// ws_contract_gen: writes the tables of golden/contract/ as code, so that
// golden, hls, sim and rtl read one definition of everything they share.
//
//   ws_contract_gen --table hw_contract.json [--sv OUT.sv] [--cpp OUT.hpp] [--check-sv FILE.sv]
//   ws_contract_gen --units decoder_units.json --bank-sv OUT.sv --units-cpp OUT.hpp
//
// The contract (constants, codes, register layouts) becomes a SystemVerilog
// package and a C++ header; --check-sv compares a committed package with the
// one the table gives and exits 1 at the first differing line. The decoder
// units become the verification wrapper decoder_bank.sv and a C++ table of the
// units with their hls models. Exit codes: 0 done, 1 out of date, 2 bad table
// or unwritable output.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

struct TableError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Constant {
  std::string name;  // UpperCamelCase
  long long value;
  std::string doc;
};

struct EnumValue {
  std::string name;
  long long value;
  std::string text;
};

struct Enum {
  std::string name;      // snake_case: SV type <name>_e
  std::string cpp_name;  // UpperCamelCase
  std::string prefix;    // SV item prefix
  std::string doc;
  int width;
  std::vector<EnumValue> values;
};

struct Field {
  std::string name;
  int width;
  std::string doc;
  int lsb = 0;  // computed
};

struct Struct {
  std::string name;  // snake_case: SV type <name>_t
  std::string cpp_name;
  std::string doc;
  std::vector<Field> fields;  // most significant first
  int bits = 0;
};

struct Contract {
  std::string source;
  std::string package;
  std::vector<Constant> constants;
  std::vector<Enum> enums;
  std::vector<Struct> structs;

  long long constant(const std::string& name) const {
    for (const Constant& c : constants) {
      if (c.name == name) return c.value;
    }
    throw TableError("constant " + name + " is missing");
  }
};

template <class T>
T field_of(const json& object, const char* key, const std::string& where) {
  if (!object.contains(key)) throw TableError(where + ": missing \"" + key + "\"");
  try {
    return object.at(key).get<T>();
  } catch (const json::exception& e) {
    throw TableError(where + ": \"" + key + "\": " + e.what());
  }
}

std::string upper_camel(const std::string& snake) {
  std::string out;
  bool up = true;
  for (char c : snake) {
    if (c == '_') {
      up = true;
    } else {
      out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      up = false;
    }
  }
  return out;
}

json read_table(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw TableError(path + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw TableError(path + ": " + e.what());
  }
}

Contract load(const std::string& path) {
  const json table = read_table(path);
  Contract c;
  c.source = path;
  c.package = field_of<std::string>(table, "package", path);
  std::set<std::string> names;
  auto unique = [&](const std::string& name, const std::string& where) {
    if (!names.insert(name).second) throw TableError(where + ": name " + name + " is used twice");
  };
  for (const json& j : field_of<json>(table, "constants", path)) {
    Constant k{field_of<std::string>(j, "name", path), field_of<long long>(j, "value", path),
               field_of<std::string>(j, "doc", path)};
    unique(k.name, path);
    c.constants.push_back(k);
  }
  for (const json& j : field_of<json>(table, "enums", path)) {
    Enum e{field_of<std::string>(j, "name", path), field_of<std::string>(j, "cpp_name", path),
           field_of<std::string>(j, "prefix", path), field_of<std::string>(j, "doc", path),
           field_of<int>(j, "width", path), {}};
    const std::string where = path + ": enum " + e.name;
    unique(e.cpp_name + "Width", where);
    if (e.width < 1 || e.width > 8) throw TableError(where + ": width must be 1..8");
    std::set<long long> seen;
    for (const json& v : field_of<json>(j, "values", where)) {
      EnumValue value{field_of<std::string>(v, "name", where), field_of<long long>(v, "value", where),
                      field_of<std::string>(v, "text", where)};
      if (value.value < 0 || value.value >= (1ll << e.width)) throw TableError(where + ": " + value.name + " does not fit");
      if (!seen.insert(value.value).second) throw TableError(where + ": value " + std::to_string(value.value) + " twice");
      unique(e.prefix + value.name, where);
      e.values.push_back(value);
    }
    c.enums.push_back(e);
  }
  for (const json& j : field_of<json>(table, "structs", path)) {
    Struct s{field_of<std::string>(j, "name", path), field_of<std::string>(j, "cpp_name", path),
             field_of<std::string>(j, "doc", path), {}, 0};
    const std::string where = path + ": struct " + s.name;
    unique(upper_camel(s.name) + "Bits", where);
    for (const json& f : field_of<json>(j, "fields", where)) {
      Field field{field_of<std::string>(f, "name", where), field_of<int>(f, "width", where),
                  field_of<std::string>(f, "doc", where)};
      if (field.width < 1 || field.width > 32) throw TableError(where + ": field " + field.name + " width 1..32");
      s.fields.push_back(field);
      s.bits += field.width;
    }
    if (s.bits > 64) throw TableError(where + ": more than 64 bits");
    int lsb = s.bits;
    for (Field& f : s.fields) {
      lsb -= f.width;
      f.lsb = lsb;
    }
    c.structs.push_back(s);
  }
  // Relations the hardware depends on.
  const long long log_max = c.constant("TableLogMax");
  const long long num_bits_width = c.constant("NumBitsWidth");
  if ((1ll << num_bits_width) <= log_max) throw TableError(path + ": NumBitsWidth cannot hold TableLogMax");
  for (const Struct& s : c.structs) {
    for (const Field& f : s.fields) {
      if (s.name == "table_ctrl" && f.name == "next_base" && f.width != log_max) {
        throw TableError(path + ": table_ctrl.next_base must be TableLogMax bits");
      }
      if (s.name == "table_ctrl" && f.name == "num_bits" && f.width != num_bits_width) {
        throw TableError(path + ": table_ctrl.num_bits must be NumBitsWidth bits");
      }
    }
  }
  return c;
}

std::string header_comment(const Contract& c, const char* comment) {
  std::string out;
  out += std::string(comment) + " Generated by ws_contract_gen from " + c.source + ": do not edit.\n";
  out += std::string(comment) + " The hardware contract that golden, hls, sim and rtl share (docs/FORMAT.md 2, 12).\n";
  return out;
}

std::string sv_package(const Contract& c) {
  std::ostringstream o;
  o << header_comment(c, "//");
  o << "// Refer to its items by qualified name (" << c.package
    << "::TableLogMax): yosys 0.23 reads no import statements.\n";
  o << "package " << c.package << ";\n";
  for (const Constant& k : c.constants) {
    o << "\n  // " << k.doc << "\n  localparam int " << k.name << " = " << k.value << ";\n";
  }
  for (const Enum& e : c.enums) {
    o << "\n  // " << e.doc << "\n";
    o << "  localparam int " << e.cpp_name << "Width = " << e.width << ";\n";
    o << "  typedef enum logic [" << e.width - 1 << ":0] {\n";
    size_t name_width = 0;
    for (const EnumValue& v : e.values) name_width = std::max(name_width, e.prefix.size() + v.name.size());
    for (size_t i = 0; i < e.values.size(); ++i) {
      const EnumValue& v = e.values[i];
      const std::string item = e.prefix + v.name + " = " + std::to_string(e.width) + "'d" + std::to_string(v.value) +
                               (i + 1 < e.values.size() ? "," : "");
      o << "    " << item << std::string(name_width + 10 - item.size(), ' ') << "// " << v.text << "\n";
    }
    o << "  } " << e.name << "_e;\n";
  }
  for (const Struct& s : c.structs) {
    o << "\n  // " << s.doc << "\n";
    o << "  localparam int " << upper_camel(s.name) << "Bits = " << s.bits << ";\n";
    for (const Field& f : s.fields) {
      o << "  localparam int " << upper_camel(s.name) << upper_camel(f.name) << "Width = " << f.width << ";\n";
    }
    o << "  typedef struct packed {\n";
    size_t name_width = 0;
    for (const Field& f : s.fields) name_width = std::max(name_width, f.name.size());
    for (const Field& f : s.fields) {
      const std::string type = f.width == 1 ? "logic" : "logic [" + std::to_string(f.width - 1) + ":0]";
      o << "    " << type << std::string(14 - std::min<size_t>(type.size(), 13), ' ') << f.name << ";"
        << std::string(name_width - f.name.size() + 2, ' ') << "// [" << f.lsb + f.width - 1 << ":" << f.lsb << "] "
        << f.doc << "\n";
    }
    o << "  } " << s.name << "_t;\n";
  }
  o << "endpackage\n";
  return o.str();
}

std::string cpp_header(const Contract& c) {
  std::ostringstream o;
  o << header_comment(c, "//");
  o << "#pragma once\n\n#include <cstdint>\n\nnamespace ws::contract {\n";
  for (const Constant& k : c.constants) {
    o << "\n// " << k.doc << "\ninline constexpr int k" << k.name << " = " << k.value << ";\n";
  }
  for (const Enum& e : c.enums) {
    o << "\n// " << e.doc << "\n";
    o << "enum class " << e.cpp_name << " : uint8_t {";
    for (size_t i = 0; i < e.values.size(); ++i) {
      o << (i ? ", " : " ") << e.values[i].name << " = " << e.values[i].value;
    }
    o << " };\ninline constexpr int k" << e.cpp_name << "Width = " << e.width << ";\n";
    o << "constexpr const char* to_text(" << e.cpp_name << " value) {\n  switch (value) {\n";
    for (const EnumValue& v : e.values) {
      o << "    case " << e.cpp_name << "::" << v.name << ": return \"" << v.text << "\";\n";
    }
    o << "  }\n  return \"unknown " << e.name << " code\";\n}\n";
  }
  for (const Struct& s : c.structs) {
    o << "\n// " << s.doc << ".\n";
    o << "struct " << s.cpp_name << " {\n";
    size_t name_width = 0;
    for (const Field& f : s.fields) name_width = std::max(name_width, f.name.size());
    for (const Field& f : s.fields) {
      o << "  uint32_t " << f.name << " = 0;" << std::string(name_width - f.name.size() + 2, ' ') << "// " << f.doc << "\n";
    }
    o << "\n  static constexpr int kBits = " << s.bits << ";\n";
    for (const Field& f : s.fields) {
      o << "  static constexpr int k" << upper_camel(f.name) << "Lsb = " << f.lsb << ", k" << upper_camel(f.name)
        << "Width = " << f.width << ";\n";
    }
    o << "\n  // Every field holds its value in its width.\n  constexpr bool fits() const {\n    return";
    for (size_t i = 0; i < s.fields.size(); ++i) {
      const Field& f = s.fields[i];
      o << (i ? " &&\n           " : " ") << f.name << " < (uint64_t{1} << " << f.width << ")";
    }
    o << ";\n  }\n  // The bits as the SystemVerilog packed struct holds them.\n  constexpr uint64_t pack() const {\n    return";
    for (size_t i = 0; i < s.fields.size(); ++i) {
      const Field& f = s.fields[i];
      o << (i ? " |\n           " : " ") << "(uint64_t{" << f.name << "} & " << ((1ull << f.width) - 1) << "u) << "
        << f.lsb;
    }
    o << ";\n  }\n  static constexpr " << s.cpp_name << " unpack(uint64_t bits) {\n    " << s.cpp_name << " v;\n";
    for (const Field& f : s.fields) {
      o << "    v." << f.name << " = static_cast<uint32_t>((bits >> " << f.lsb << ") & " << ((1ull << f.width) - 1)
        << "u);\n";
    }
    o << "    return v;\n  }\n  friend constexpr bool operator==(const " << s.cpp_name << "&, const " << s.cpp_name
      << "&) = default;\n};\n";
  }
  o << "\n}  // namespace ws::contract\n";
  return o.str();
}


// ------------------------------------------------------------ decoder units

struct Unit {
  std::string name;
  std::string module;  // posit_decoder | posit_var_decoder | float_decoder
  std::vector<std::pair<std::string, int>> parameters;
  std::vector<std::string> run_formats;
  int anchor_luts = 0;
  bool icarus = false;

  int parameter(const std::string& key) const {
    for (const auto& [name, value] : parameters) {
      if (name == key) return value;
    }
    throw TableError("unit " + this->name + ": parameter " + key + " is missing");
  }
  int clog2(int v) const {
    int bits = 0;
    while ((1 << bits) < v) ++bits;
    return bits;
  }
  // Widths of the unit's unpacked outputs (docs/FORMAT.md 2) and of its input pattern.
  int exp_width() const {
    if (module == "posit_decoder") return clog2(parameter("N")) + parameter("ES") + 1;
    if (module == "posit_var_decoder") return clog2(parameter("NMax")) + parameter("ESMax") + 1;
    return parameter("E") + 2;
  }
  int sig_width() const {
    if (module == "posit_decoder") return std::max(1, parameter("N") - 2 - parameter("ES"));
    if (module == "posit_var_decoder") return parameter("NMax") - 2;
    return parameter("M") + 1;
  }
  int in_bits() const {
    if (module == "posit_decoder") return parameter("N");
    if (module == "posit_var_decoder") return parameter("NMax");
    return 1 + parameter("E") + parameter("M");
  }
};

std::vector<Unit> load_units(const std::string& path) {
  const json table = read_table(path);
  std::vector<Unit> units;
  std::set<std::string> names;
  for (const json& j : field_of<json>(table, "units", path)) {
    Unit u;
    u.name = field_of<std::string>(j, "name", path);
    const std::string where = path + ": unit " + u.name;
    if (!names.insert(u.name).second) throw TableError(where + ": name used twice");
    u.module = field_of<std::string>(j, "module", where);
    const std::vector<std::string> keys = u.module == "posit_decoder"       ? std::vector<std::string>{"N", "ES"}
                                          : u.module == "posit_var_decoder" ? std::vector<std::string>{"NMax", "ESMax"}
                                          : u.module == "float_decoder" ? std::vector<std::string>{"E", "M", "Flavor"}
                                                                        : std::vector<std::string>{};
    if (keys.empty()) throw TableError(where + ": unknown module " + u.module);
    const json parameters = field_of<json>(j, "parameters", where);
    if (parameters.size() != keys.size()) throw TableError(where + ": parameters must be exactly those of " + u.module);
    for (const std::string& key : keys) u.parameters.emplace_back(key, field_of<int>(parameters, key.c_str(), where));
    if (j.contains("run_formats")) u.run_formats = field_of<std::vector<std::string>>(j, "run_formats", where);
    if (u.module != "posit_var_decoder" && !u.run_formats.empty()) {
      throw TableError(where + ": a fixed unit decodes the format of its name; run_formats is for variable units");
    }
    if (j.contains("anchor_luts")) u.anchor_luts = field_of<int>(j, "anchor_luts", where);
    if (j.contains("icarus")) u.icarus = field_of<bool>(j, "icarus", where);
    if (u.in_bits() > 32 || u.exp_width() > 16 || u.sig_width() > 32) {
      throw TableError(where + ": wider than decoder_bank's 32-bit input, 16-bit exponent, 32-bit significand");
    }
    units.push_back(u);
  }
  if (units.empty() || units.size() > 16) throw TableError(path + ": 1..16 units (decoder_bank's 4-bit select)");
  return units;
}

std::string generated_by(const std::string& source, const char* comment) {
  return std::string(comment) + " Generated by ws_contract_gen from " + source + ": do not edit.\n";
}

std::string bank_sv(const std::vector<Unit>& units, const std::string& source) {
  std::ostringstream o;
  o << generated_by(source, "//");
  o << R"(// Verification wrapper: every numeric decoder unit of the table behind one
// valid/ready port and a select input (the unit's index in the table), so
// that a single Verilator model serves them all. Outputs are widened: the
// exponent sign-extended to 16 bits, the significand zero-extended to 32
// bits. Change select_i only while no beat is in flight.
module decoder_bank (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [3:0]  select_i,
  input  logic        in_valid_i,
  output logic        in_ready_o,
  input  logic [31:0] in_bits_i,
  input  logic [5:0]  in_n_i,     // variable-precision units only
  input  logic [1:0]  in_es_i,    // variable-precision units only
  output logic        out_valid_o,
  input  logic        out_ready_i,
  output logic [1:0]  out_class_o,
  output logic        out_sign_o,
  output logic [15:0] out_exp_o,
  output logic [31:0] out_sig_o
);
)";
  o << "  localparam int NumUnits = " << units.size() << ";\n\n";
  o << R"(  logic [NumUnits-1:0] unit_in_valid, unit_in_ready, unit_out_valid, unit_out_ready;
  logic [1:0]          unit_class [NumUnits];
  logic                unit_sign  [NumUnits];
  logic [15:0]         unit_exp   [NumUnits];
  logic [31:0]         unit_sig   [NumUnits];

  for (genvar u = 0; u < NumUnits; u++) begin : g_select
    assign unit_in_valid[u]  = in_valid_i && select_i == 4'(u);
    assign unit_out_ready[u] = out_ready_i && select_i == 4'(u);
  end
)";
  for (size_t i = 0; i < units.size(); ++i) {
    const Unit& u = units[i];
    std::string params;
    for (const auto& [key, value] : u.parameters) params += (params.empty() ? "" : ", ") + ("." + key) + "(" + std::to_string(value) + ")";
    o << "\n  // " << i << ": " << u.name << "\n";
    o << "  logic signed [" << u.exp_width() - 1 << ":0] " << u.name << "_exp;\n";
    o << "  logic [" << u.sig_width() - 1 << ":0] " << u.name << "_sig;\n";
    o << "  " << u.module << " #(" << params << ") u_" << u.name << " (\n";
    o << "    .clk_i, .rst_ni,\n";
    o << "    .in_valid_i  (unit_in_valid[" << i << "]), .in_ready_o (unit_in_ready[" << i << "]), .in_bits_i (in_bits_i["
      << u.in_bits() - 1 << ":0]),\n";
    if (u.module == "posit_var_decoder") {
      o << "    .in_n_i      (in_n_i[" << u.clog2(u.parameter("NMax") + 1) - 1 << ":0]), .in_es_i (in_es_i),\n";
    }
    o << "    .out_valid_o (unit_out_valid[" << i << "]), .out_ready_i (unit_out_ready[" << i << "]),\n";
    o << "    .out_class_o (unit_class[" << i << "]), .out_sign_o (unit_sign[" << i << "]), .out_exp_o (" << u.name
      << "_exp), .out_sig_o (" << u.name << "_sig)\n  );\n";
    o << "  assign unit_exp[" << i << "] = 16'(" << u.name << "_exp);\n";
    o << "  assign unit_sig[" << i << "] = 32'(" << u.name << "_sig);\n";
  }
  o << R"(
  always_comb begin
    in_ready_o  = 1'b0;
    out_valid_o = 1'b0;
    out_class_o = '0;
    out_sign_o  = 1'b0;
    out_exp_o   = '0;
    out_sig_o   = '0;
    if (32'(select_i) < NumUnits) begin
      in_ready_o  = unit_in_ready[select_i];
      out_valid_o = unit_out_valid[select_i];
      out_class_o = unit_class[select_i];
      out_sign_o  = unit_sign[select_i];
      out_exp_o   = unit_exp[select_i];
      out_sig_o   = unit_sig[select_i];
    end
  end
endmodule
)";
  return o.str();
}

std::string units_cpp(const std::vector<Unit>& units, const std::string& source) {
  std::ostringstream o;
  o << generated_by(source, "//");
  o << R"(// The numeric decoder units: what sim/formats/decoder_bank.sv holds, with the
// hls model of each.
#pragma once

#include <cstdint>
#include <span>

#include "hls/formats/float_decoder.hpp"
#include "hls/formats/posit_decoder.hpp"
#include "hls/formats/unpacked_hw.hpp"

namespace ws::sim {

enum class DecoderModule : uint8_t { Posit, PositVar, Float };

struct DecoderUnitSpec {
  const char* name;       // a fixed unit decodes the golden format of this name
  DecoderModule module;
  uint8_t select;         // decoder_bank's select_i
  int n, es;              // posit_decoder N, ES; posit_var_decoder NMax, ESMax
  int e, m, flavor;       // float_decoder E, M, Flavor
  int in_bits;            // input pattern width
  int exp_width;          // unpacked exponent width
  int sig_width;          // unpacked significand width
  int anchor_luts;        // a published LUT figure for this configuration; 0: none
  bool icarus;            // also checked under Icarus
  // The hls model: decodes `bits` (n and es per beat for the variable units).
  hls::HwUnpacked (*hls_decode)(uint32_t bits, int n, int es);
};

namespace unit_models {
template <int N, int ES>
hls::HwUnpacked posit(uint32_t bits, int, int) { return hls::decode_posit<N, ES>(bits); }
template <int NMax, int ESMax>
hls::HwUnpacked posit_var(uint32_t bits, int n, int es) { return hls::decode_posit_var<NMax, ESMax>(bits, n, es); }
template <int E, int M, int Flavor>
hls::HwUnpacked float_(uint32_t bits, int, int) { return hls::decode_float<E, M, Flavor>(bits); }
}  // namespace unit_models

inline constexpr DecoderUnitSpec kDecoderUnits[] = {
)";
  for (size_t i = 0; i < units.size(); ++i) {
    const Unit& u = units[i];
    const bool posit = u.module == "posit_decoder", var = u.module == "posit_var_decoder";
    const int n = posit ? u.parameter("N") : var ? u.parameter("NMax") : 0;
    const int es = posit ? u.parameter("ES") : var ? u.parameter("ESMax") : 0;
    const int e = posit || var ? 0 : u.parameter("E"), m = posit || var ? 0 : u.parameter("M");
    const int flavor = posit || var ? 0 : u.parameter("Flavor");
    std::string model = posit ? "unit_models::posit<" + std::to_string(n) + ", " + std::to_string(es) + ">"
                        : var ? "unit_models::posit_var<" + std::to_string(n) + ", " + std::to_string(es) + ">"
                              : "unit_models::float_<" + std::to_string(e) + ", " + std::to_string(m) + ", " +
                                    std::to_string(flavor) + ">";
    o << "    {\"" << u.name << "\", DecoderModule::" << (posit ? "Posit" : var ? "PositVar" : "Float") << ", " << i
      << ", " << n << ", " << es << ", " << e << ", " << m << ", " << flavor << ", " << u.in_bits() << ", "
      << u.exp_width() << ", " << u.sig_width() << ", " << u.anchor_luts << ", " << (u.icarus ? "true" : "false")
      << ", " << model << "},\n";
  }
  o << "};\n\n// The formats `weightstream run` checks by default: each fixed unit's, then\n"
       "// those the table sends through the variable-precision units.\ninline constexpr const char* kRunFormats[] = {";
  bool first = true;
  for (const Unit& u : units) {
    if (u.module != "posit_var_decoder") {
      o << (first ? "" : ", ") << "\"" << u.name << "\"";
      first = false;
    }
  }
  for (const Unit& u : units) {
    for (const std::string& f : u.run_formats) o << ", \"" << f << "\"";
  }
  o << "};\n\n}  // namespace ws::sim\n";
  return o.str();
}

void write_text(const std::string& path, const std::string& text) {
  // Written only when it changes, so that builds depending on it stay put.
  std::ifstream old(path);
  std::stringstream existing;
  existing << old.rdbuf();
  if (old && existing.str() == text) return;
  std::ofstream out(path);
  out << text;
  out.flush();
  if (!out) throw TableError(path + ": cannot write");
}

// 0 when `path` holds `text`; otherwise prints where they differ and returns 1.
int check_text(const std::string& path, const std::string& text, const std::string& regenerate) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "%s: missing; regenerate it with %s\n", path.c_str(), regenerate.c_str());
    return 1;
  }
  std::stringstream existing;
  existing << in.rdbuf();
  if (existing.str() == text) return 0;
  std::istringstream a(existing.str()), b(text);
  std::string line_a, line_b;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) break;
    if (line_a != line_b || more_a != more_b) {
      std::fprintf(stderr, "%s:%d: out of date with the contract table\n  file:  %s\n  table: %s\nregenerate it with %s\n",
                   path.c_str(), line, more_a ? line_a.c_str() : "(end of file)",
                   more_b ? line_b.c_str() : "(end of file)", regenerate.c_str());
      break;
    }
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ws_contract_gen: the hardware contract table as a SystemVerilog package and a C++ header"};
  std::string table, sv, cpp, check_sv, units, bank, units_header;
  app.add_option("--table", table, "Contract table (golden/contract/hw_contract.json)");
  app.add_option("--sv", sv, "Write the contract's SystemVerilog package here");
  app.add_option("--cpp", cpp, "Write the contract's C++ header here");
  app.add_option("--check-sv", check_sv, "Exit 1 when this package differs from the table's");
  app.add_option("--units", units, "Decoder unit table (golden/contract/decoder_units.json)");
  app.add_option("--bank-sv", bank, "Write the decoder_bank wrapper here");
  app.add_option("--units-cpp", units_header, "Write the C++ table of decoder units here");
  CLI11_PARSE(app, argc, argv);
  try {
    if (!table.empty()) {
      const Contract c = load(table);
      const std::string package = sv_package(c);
      if (!sv.empty()) write_text(sv, package);
      if (!cpp.empty()) write_text(cpp, cpp_header(c));
      if (!check_sv.empty()) return check_text(check_sv, package, "`make contract`");
    }
    if (!units.empty()) {
      const std::vector<Unit> u = load_units(units);
      if (!bank.empty()) write_text(bank, bank_sv(u, units));
      if (!units_header.empty()) write_text(units_header, units_cpp(u, units));
    }
  } catch (const TableError& e) {
    std::fprintf(stderr, "ws_contract_gen: %s\n", e.what());
    return 2;
  }
  return 0;
}
