// ws_synth_report: synthesizes the hardware blocks with yosys
// `synth_xilinx -flatten` and reports LUTs, flip-flops, block RAMs, DSPs and
// carry/mux cells as bench/results/synth.{json,md}.
//
// The entries come from two tables, in this order:
//   --units   golden/contract/decoder_units.json, the numeric decoder units:
//             one entry per unit (block = its module, variant = its name,
//             sources = the block table's source set named after the module,
//             register stage = stream_register);
//   --blocks  bench/synth/blocks.json, the other blocks (the ANS decoder).
// Block-table entries name their sources by set ("source_set": a key of the
// table's "source_sets") or list them ("sources"). Paths are relative to
// --source-dir, and so are the table's "include_dirs" (yosys -I).
//
// Each entry runs in one yosys process: the full block, then (when the entry
// names its register-stage modules) the same top with those modules as black
// boxes, so `core_luts` counts the decode logic without the output register.
// A block-table entry may list "keep_modules" (module names as in the RTL):
// it is still synthesized with -flatten, but those modules stay modules, each
// distinct one (one per parameter set) synthesized once and its cells counted
// once per instance (token_factory at 16 slots keeping its 16 identical
// token_slots: 25 s so, over 40 minutes fully flattened), at the cost of no
// optimisation across their ports (+1.2% LUTs at 4 slots).
// Runs go in parallel (--jobs); results keep the tables' order.
//
// --budgets names ceilings for luts, ffs and brams per entry label ("block
// variant", e.g. "posit_decoder posit16es1" or "ans_lane"). After writing the
// results, every synthesized entry is checked against its ceilings; an entry
// over one, or without a budget, fails the run (exit 3).
//
// Exit codes: 0 success, 1 usage error, 2 bad table or a failed yosys run,
// 3 an entry over its budget or without one.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace ws::bench {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;  // keeps parameters in the table's order

constexpr const char* kFlow = "synth_xilinx -flatten";
constexpr int kLogTailLines = 30;
constexpr const char* kFullStatFile = "full_stat.json";
constexpr const char* kCoreStatFile = "core_stat.json";
// Every numeric decoder unit registers its output through this module
// (docs/FORMAT.md 3), so core_luts leaves it out.
constexpr const char* kUnitRegisterStage = "stream_register";
constexpr int kBudgetExceeded = 3;

// A failure the user can act on: printed as is, exit code 2.
struct ReportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "N=16 ES=1" from {"N": 16, "ES": 1}.
std::string parameter_text(const Json& parameters) {
  std::string text;
  for (const auto& [name, value] : parameters.items()) text += (text.empty() ? "" : " ") + name + "=" + value.dump();
  return text;
}

struct BlockEntry {
  std::string block;
  std::string variant;  // optional short name, e.g. "e4m3"
  std::string top;
  Json parameters = Json::object();  // name -> integer, in the table's order
  std::vector<std::string> sources;  // relative to the source dir
  std::vector<std::string> register_stage_modules;
  std::vector<std::string> keep_modules;  // not flattened into their parents (block table only)
  std::optional<long long> anchor_luts;
  std::string origin;  // where the entry comes from, e.g. "decoder_units.json: units[2]"

  // Names the entry in progress lines, errors and the budget table; unique.
  std::string label() const { return variant.empty() ? block : block + " " + variant; }
  // What --only matches against: the label and the parameters.
  std::string description() const { return parameters.empty() ? label() : label() + " " + parameter_text(parameters); }
};

struct BlockTable {
  std::string anchor_source;
  std::vector<std::string> include_dirs;  // relative to the source dir
  std::vector<BlockEntry> entries;        // the units, then the blocks
};

// Ceilings an entry must stay at or under; brams counts like CellCounts::brams.
struct Budget {
  long long luts = 0;
  long long ffs = 0;
  double brams = 0;
};
using Budgets = std::map<std::string, Budget>;  // entry label -> ceilings

struct CellCounts {
  long long luts = 0;  // LUT1..LUT6
  long long ffs = 0;   // FDRE, FDSE, FDCE, FDPE
  double brams = 0;    // RAMB36E1 = 1, RAMB18E1 = 0.5
  long long dsps = 0;
  long long carry4 = 0;
  long long muxf7 = 0;
  long long muxf8 = 0;
  long long inv = 0;  // yosys keeps inverters as INV cells, outside luts
  Json cells;         // every cell type, so blocks with LUT-RAM etc. lose nothing
};

struct SynthResult {
  CellCounts full;
  std::optional<CellCounts> core;
  double seconds = 0;
};

// ------------------------------------------------------------------- tables

template <typename T>
T required_field(const Json& object, const char* key, const std::string& where) {
  if (!object.contains(key)) throw ReportError(where + ": missing field '" + key + "'");
  try {
    return object.at(key).get<T>();
  } catch (const Json::exception& e) {
    throw ReportError(where + ": field '" + key + "': " + e.what());
  }
}

template <typename T>
T optional_field(const Json& object, const char* key, const std::string& where, T fallback) {
  return object.contains(key) ? required_field<T>(object, key, where) : fallback;
}

Json load_json(const fs::path& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw ReportError("cannot open " + what + " " + path.string());
  Json document;
  try {
    document = Json::parse(in);
  } catch (const Json::parse_error& e) {
    throw ReportError(path.string() + ": not valid JSON: " + e.what());
  }
  if (!document.is_object()) throw ReportError(path.string() + ": expected a JSON object at the top");
  return document;
}

using SourceSets = std::map<std::string, std::vector<std::string>>;

std::string set_names(const SourceSets& sets) {
  std::string names;
  for (const auto& [name, files] : sets) names += (names.empty() ? "" : ", ") + name;
  return names.empty() ? "none" : names;
}

// A list of source files, relative to the source dir: not empty, every file there.
std::vector<std::string> checked_sources(const Json& list, const std::string& where, const fs::path& source_dir) {
  std::vector<std::string> sources;
  try {
    sources = list.get<std::vector<std::string>>();
  } catch (const Json::exception& e) {
    throw ReportError(where + ": expected a list of file names: " + e.what());
  }
  if (sources.empty()) throw ReportError(where + ": empty list of sources");
  for (const std::string& source : sources) {
    if (!fs::is_regular_file(source_dir / source)) {
      throw ReportError(where + ": source '" + source + "' not found under " + source_dir.string());
    }
  }
  return sources;
}

// "include_dirs": [dirs...], where yosys looks for `include files.
std::vector<std::string> parse_include_dirs(const Json& document, const std::string& where,
                                            const fs::path& source_dir) {
  const auto dirs = optional_field<std::vector<std::string>>(document, "include_dirs", where, {});
  for (const std::string& dir : dirs) {
    const std::string path = (source_dir / dir).string();
    if (!fs::is_directory(path)) {
      throw ReportError(where + ": include_dirs: '" + dir + "' is not a directory under " + source_dir.string());
    }
    // yosys would split such a path or keep its quotes as part of the name (see yosys_script).
    if (path.find_first_of(" \t\n\"") != std::string::npos) {
      throw ReportError(where + ": include_dirs: '" + path +
                        "' contains a space or a quote, which yosys read_verilog -I cannot take; use a source dir "
                        "without them");
    }
  }
  return dirs;
}

// "source_sets": {"name": [files...], ...}, the lists entries refer to by name.
SourceSets parse_source_sets(const Json& document, const std::string& where, const fs::path& source_dir) {
  SourceSets sets;
  if (!document.contains("source_sets")) return sets;
  const Json& object = document.at("source_sets");
  if (!object.is_object()) throw ReportError(where + ": 'source_sets' must be an object (name -> list of files)");
  for (const auto& [name, list] : object.items()) {
    sets[name] = checked_sources(list, where + ": source_sets." + name, source_dir);
  }
  return sets;
}

// An entry names its sources either directly ("sources": [...]) or by set
// ("source_set": "name"), not both.
std::vector<std::string> entry_sources(const Json& object, const std::string& where, const SourceSets& sets,
                                       const fs::path& source_dir) {
  const bool has_list = object.contains("sources");
  const bool has_set = object.contains("source_set");
  if (has_list == has_set) {
    throw ReportError(where + (has_list ? ": give either 'sources' or 'source_set', not both"
                                        : ": missing 'source_set' (or a 'sources' list)"));
  }
  if (has_list) return checked_sources(object.at("sources"), where + ": field 'sources'", source_dir);
  const auto name = required_field<std::string>(object, "source_set", where);
  const auto found = sets.find(name);
  if (found == sets.end()) {
    throw ReportError(where + ": unknown source_set '" + name + "' (source_sets has: " + set_names(sets) + ")");
  }
  return found->second;
}

Json parse_parameters(const Json& object, const std::string& where) {
  Json parameters = optional_field<Json>(object, "parameters", where, Json::object());
  if (!parameters.is_object()) throw ReportError(where + ": 'parameters' must be an object");
  for (const auto& [name, value] : parameters.items()) {
    if (!value.is_number_integer()) throw ReportError(where + ": parameter '" + name + "' is not an integer");
  }
  return parameters;
}

// "keep_modules": module names as the RTL writes them. They go unquoted into
// yosys selections (see keep_commands), so only identifier characters.
std::vector<std::string> parse_keep_modules(const Json& object, const std::string& where, const std::string& top) {
  const auto modules = optional_field<std::vector<std::string>>(object, "keep_modules", where, {});
  for (std::size_t i = 0; i < modules.size(); ++i) {
    const std::string& module = modules[i];
    const bool identifier = !module.empty() && !std::isdigit(static_cast<unsigned char>(module[0])) &&
                            std::all_of(module.begin(), module.end(),
                                        [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
    if (!identifier) throw ReportError(where + ": keep_modules: '" + module + "' is not a module name");
    if (module == top) throw ReportError(where + ": keep_modules: '" + module + "' is the top module");
    if (std::find(modules.begin(), modules.begin() + static_cast<std::ptrdiff_t>(i), module) !=
        modules.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw ReportError(where + ": keep_modules: '" + module + "' listed twice");
    }
  }
  return modules;
}

// The fields a block-table entry may have; any other (a misspelt or retired
// option) is an error rather than silently ignored.
constexpr const char* kEntryFields[] = {
    "block",        "variant",    "top", "parameters", "source_set", "sources", "register_stage_modules",
    "keep_modules", "anchor_luts"};

BlockEntry parse_entry(const Json& object, const std::string& where, const SourceSets& sets,
                       const fs::path& source_dir) {
  if (!object.is_object()) throw ReportError(where + ": expected an object");
  for (const auto& [key, value] : object.items()) {
    if (std::find(std::begin(kEntryFields), std::end(kEntryFields), key) == std::end(kEntryFields)) {
      std::string known;
      for (const char* field : kEntryFields) known += (known.empty() ? "" : ", ") + std::string(field);
      throw ReportError(where + ": unknown field '" + key + "' (an entry has: " + known + ")");
    }
  }
  BlockEntry entry;
  entry.origin = where;
  entry.block = required_field<std::string>(object, "block", where);
  entry.variant = optional_field<std::string>(object, "variant", where, "");
  entry.top = required_field<std::string>(object, "top", where);
  entry.parameters = parse_parameters(object, where);
  entry.sources = entry_sources(object, where, sets, source_dir);
  entry.register_stage_modules = optional_field<std::vector<std::string>>(object, "register_stage_modules", where, {});
  entry.keep_modules = parse_keep_modules(object, where, entry.top);
  if (object.contains("anchor_luts")) entry.anchor_luts = required_field<long long>(object, "anchor_luts", where);
  return entry;
}

// A unit of the unit table: its module synthesized with the unit's
// parameters from the block table's source set of the same name. Fields the
// report does not use (icarus, run_formats) are left to their readers.
BlockEntry parse_unit(const Json& object, const std::string& where, const SourceSets& sets,
                      const fs::path& blocks_path) {
  if (!object.is_object()) throw ReportError(where + ": expected an object");
  BlockEntry entry;
  entry.origin = where;
  entry.variant = required_field<std::string>(object, "name", where);
  if (entry.variant.empty()) throw ReportError(where + ": empty 'name'");
  entry.block = entry.top = required_field<std::string>(object, "module", where);
  entry.parameters = parse_parameters(object, where);
  const auto found = sets.find(entry.block);
  if (found == sets.end()) {
    throw ReportError(where + ": module '" + entry.block + "' has no source set of that name in " +
                      blocks_path.string() + " (source_sets has: " + set_names(sets) + ")");
  }
  entry.sources = found->second;
  entry.register_stage_modules = {kUnitRegisterStage};
  if (object.contains("anchor_luts")) entry.anchor_luts = required_field<long long>(object, "anchor_luts", where);
  return entry;
}

// The units of units_path, then the blocks of blocks_path (which also holds
// the source sets both refer to).
BlockTable load_tables(const fs::path& blocks_path, const fs::path& units_path, const fs::path& source_dir) {
  const Json blocks_document = load_json(blocks_path, "block table");
  const std::string blocks_where = blocks_path.string();
  BlockTable table;
  table.anchor_source = optional_field<std::string>(blocks_document, "anchor_source", blocks_where, "");
  table.include_dirs = parse_include_dirs(blocks_document, blocks_where, source_dir);
  const SourceSets sets = parse_source_sets(blocks_document, blocks_where, source_dir);

  const Json units_document = load_json(units_path, "unit table");
  const Json units = required_field<Json>(units_document, "units", units_path.string());
  if (!units.is_array()) throw ReportError(units_path.string() + ": 'units' must be an array");
  for (std::size_t i = 0; i < units.size(); ++i) {
    table.entries.push_back(
        parse_unit(units[i], units_path.string() + ": units[" + std::to_string(i) + "]", sets, blocks_path));
  }

  const Json blocks = required_field<Json>(blocks_document, "blocks", blocks_where);
  if (!blocks.is_array()) throw ReportError(blocks_where + ": 'blocks' must be an array");
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    table.entries.push_back(
        parse_entry(blocks[i], blocks_where + ": blocks[" + std::to_string(i) + "]", sets, source_dir));
  }

  // The label keys the budget table, so two entries must not share one.
  std::map<std::string, const BlockEntry*> by_label;
  for (const BlockEntry& entry : table.entries) {
    const auto [it, inserted] = by_label.emplace(entry.label(), &entry);
    if (!inserted) {
      throw ReportError(entry.origin + ": label '" + entry.label() + "' already used by " + it->second->origin +
                        "; give one of them a different variant");
    }
  }
  return table;
}

// {"budgets": {"<label>": {"luts": n, "ffs": n, "brams": n}, ...}}: all three
// ceilings for every label, and every label an entry of the tables.
Budgets load_budgets(const fs::path& path, const BlockTable& table) {
  const Json document = load_json(path, "budget table");
  const std::string file = path.string();
  const Json object = required_field<Json>(document, "budgets", file);
  if (!object.is_object()) throw ReportError(file + ": 'budgets' must be an object (label -> ceilings)");
  Budgets budgets;
  for (const auto& [label, ceilings] : object.items()) {
    const std::string where = file + ": budgets[\"" + label + "\"]";
    if (!ceilings.is_object()) throw ReportError(where + ": expected an object {\"luts\", \"ffs\", \"brams\"}");
    for (const auto& [key, value] : ceilings.items()) {
      if (key != "luts" && key != "ffs" && key != "brams") {
        throw ReportError(where + ": unknown field '" + key + "' (a budget has luts, ffs and brams)");
      }
      // Cell counts are whole; only brams has halves (RAMB18E1).
      const bool whole = key != "brams";
      if (!(whole ? value.is_number_integer() : value.is_number()) || value.get<double>() < 0) {
        throw ReportError(where + ": '" + key + "' must be " + (whole ? "an integer" : "a number") + " >= 0");
      }
    }
    const bool known = std::any_of(table.entries.begin(), table.entries.end(),
                                   [&](const BlockEntry& entry) { return entry.label() == label; });
    if (!known) throw ReportError(where + ": no entry of the unit or block table has this label");
    budgets[label] = {required_field<long long>(ceilings, "luts", where),
                      required_field<long long>(ceilings, "ffs", where),
                      required_field<double>(ceilings, "brams", where)};
  }
  return budgets;
}

// ------------------------------------------------------------ running yosys

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string log_tail(const fs::path& log_path) {
  std::deque<std::string> lines;
  std::ifstream in(log_path);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > kLogTailLines) lines.pop_front();
  }
  std::string tail;
  for (const std::string& line : lines) tail += "    " + line + "\n";
  return tail;
}

// Runs a program in working_dir with stdout and stderr going to log_path;
// returns its exit status. posix_spawn rather than system(): no shell quoting.
int run_logged(const std::vector<std::string>& argv, const fs::path& working_dir, const fs::path& log_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, working_dir.c_str());
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawn_error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    throw ReportError("cannot run '" + argv[0] + "': " + std::strerror(spawn_error));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw ReportError("waitpid failed for '" + argv[0] + "': " + std::strerror(errno));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// "Yosys 0.23 (git sha1 7ce5011c24b)"; fails clearly when yosys is missing.
std::string yosys_version(const std::string& yosys, const fs::path& work_dir) {
  const fs::path log_path = work_dir / "yosys_version.log";
  const std::string missing = "yosys not usable as '" + yosys + "'; install it (scripts/setup) or pass --yosys PATH";
  int status = 0;
  try {
    status = run_logged({yosys, "-V"}, work_dir, log_path);
  } catch (const ReportError& e) {
    throw ReportError(missing + " (" + e.what() + ")");
  }
  std::string line;
  std::ifstream in(log_path);
  std::getline(in, line);
  if (status != 0 || line.rfind("Yosys ", 0) != 0) throw ReportError(missing + ":\n" + log_tail(log_path));
  return line;
}

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

// "synth_xilinx -flatten", or with the kept modules: "synth_xilinx -flatten, token_slot kept".
std::string entry_flow(const BlockEntry& entry) {
  std::string flow = kFlow;
  for (std::size_t i = 0; i < entry.keep_modules.size(); ++i) {
    flow += (i == 0 ? ", " : " and ") + entry.keep_modules[i];
  }
  return entry.keep_modules.empty() ? flow : flow + " kept";
}

// Marks the entry's keep_modules (* keep_hierarchy *) so that -flatten leaves
// them modules. They must be marked after elaboration: `hierarchy` derives a
// module per parameter set from the RTL, named "token_slot" (no parameter
// set), "$paramod\token_slot\Lanes=..." or "$paramod$<sha1>\token_slot" (a
// long parameter text), and the mark must be on those. A name that matches no
// module fails the run (select -assert-any) rather than flattening it unseen.
std::string keep_commands(const BlockEntry& entry) {
  std::string commands = "hierarchy -top " + entry.top + "\n";
  std::string all;
  for (const std::string& module : entry.keep_modules) {
    // In a yosys pattern a backslash before a letter matches itself.
    const std::string patterns = module + " $paramod\\" + module + "\\* $paramod$*\\" + module;
    commands += "select -assert-any " + patterns + "\n";
    all += " " + patterns;
  }
  return commands + "setattr -mod -set keep_hierarchy 1" + all + "\n";
}

// One synthesis pass of `entry.top`, its cell statistics written to stat_file
// (relative: yosys runs in the entry's work dir, and `tee -o` takes no quotes).
std::string synthesis_commands(const BlockEntry& entry, const std::string& stat_file) {
  std::string commands;
  if (!entry.parameters.empty()) {
    commands += "chparam";
    for (const auto& [name, value] : entry.parameters.items()) commands += " -set " + name + " " + value.dump();
    commands += " " + entry.top + "\n";
  }
  if (!entry.keep_modules.empty()) commands += keep_commands(entry);
  commands += "synth_xilinx -top " + entry.top + " -flatten\n";
  commands += "tee -o " + stat_file + " stat -json\n";
  return commands;
}

std::string yosys_script(const BlockEntry& entry, const std::vector<std::string>& include_dirs,
                         const fs::path& source_dir) {
  std::string script = "read_verilog -sv";
  // read_verilog takes -I verbatim (quotes included), so the path goes unquoted; parse_include_dirs() vets it.
  for (const std::string& dir : include_dirs) script += " -I" + (source_dir / dir).string();
  for (const std::string& source : entry.sources) script += " " + quoted((source_dir / source).string());
  script += "\n";
  if (entry.register_stage_modules.empty()) return script + synthesis_commands(entry, kFullStatFile);

  script += "design -save sources\n";
  script += synthesis_commands(entry, kFullStatFile);
  script += "design -load sources\n";
  for (const std::string& module : entry.register_stage_modules) script += "blackbox " + module + "\n";
  script += synthesis_commands(entry, kCoreStatFile);
  return script;
}

long long cell_count(const Json& cells, const char* type) { return cells.value(type, 0LL); }

// yosys 0.23's stat -json writes the hierarchy below its first level as text
// into the JSON, which then does not parse. After -flatten the hierarchy has
// one level (the modules marked (* keep_hierarchy *) in the RTL or by
// keep_modules, under the top) unless a kept module instantiates another
// kept module, as ans_lane would (it holds funnel_shift, step_counter and
// ring_pointer). Such an entry would need `setattr -mod -unset
// keep_hierarchy *` and `flatten` before stat, which keep the totals (nothing
// is optimised after them) and leave a single module; token_slot holds no
// kept module, so the report does not spend the time (4 s at 16 slots).
CellCounts count_cells(const fs::path& stat_path, const BlockEntry& entry) {
  const std::string& top = entry.top;
  Json stat;
  try {
    stat = Json::parse(read_text(stat_path));
  } catch (const Json::parse_error& e) {
    const std::string hint =
        entry.keep_modules.empty()
            ? ""
            : " (with keep_modules: does a kept module instantiate a module marked (* keep_hierarchy *)? yosys "
              "0.23's stat -json cannot write a hierarchy more than one level deep)";
    throw ReportError("cannot parse yosys stat output " + stat_path.string() + ": " + e.what() + hint);
  }
  // "design" holds the totals over the hierarchy: each module's cells times
  // its instances. Even after -flatten that is more than the top module, as
  // modules marked (* keep_hierarchy *) in the RTL (funnel_shift, ...) or
  // named by keep_modules stay modules.
  const Json* totals = stat.contains("design") ? &stat["design"] : nullptr;
  // Without "design", the top module stands for the design only when it is the only module.
  if (totals == nullptr && stat.contains("modules") && stat["modules"].size() == 1) {
    const std::string key = "\\" + top;
    if (stat["modules"].contains(key)) totals = &stat["modules"][key];
  }
  if (totals == nullptr || !totals->contains("num_cells_by_type")) {
    throw ReportError("yosys stat output " + stat_path.string() + " has no cell counts over the hierarchy of " + top);
  }
  const Json& cells = (*totals)["num_cells_by_type"];
  CellCounts counts;
  for (const char* lut : {"LUT1", "LUT2", "LUT3", "LUT4", "LUT5", "LUT6"}) counts.luts += cell_count(cells, lut);
  for (const char* ff : {"FDRE", "FDSE", "FDCE", "FDPE"}) counts.ffs += cell_count(cells, ff);
  counts.brams = static_cast<double>(cell_count(cells, "RAMB36E1")) + 0.5 * cell_count(cells, "RAMB18E1");
  counts.dsps = cell_count(cells, "DSP48E1");
  counts.carry4 = cell_count(cells, "CARRY4");
  counts.muxf7 = cell_count(cells, "MUXF7");
  counts.muxf8 = cell_count(cells, "MUXF8");
  counts.inv = cell_count(cells, "INV");
  counts.cells = cells;
  return counts;
}

// Work directory name: table index plus the label, reduced to safe characters.
std::string work_dir_name(std::size_t index, const BlockEntry& entry) {
  std::ostringstream name;
  name << std::setw(2) << std::setfill('0') << index << "_";
  for (char c : entry.label()) name << (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return name.str();
}

SynthResult synthesize(const BlockEntry& entry, const std::vector<std::string>& include_dirs, const fs::path& entry_dir,
                       const fs::path& source_dir, const std::string& yosys) {
  fs::create_directories(entry_dir);
  const fs::path script_path = entry_dir / "run.ys";
  const fs::path log_path = entry_dir / "run.log";
  fs::remove(entry_dir / kFullStatFile);  // a stale file must not pass for this run's result
  fs::remove(entry_dir / kCoreStatFile);
  std::ofstream(script_path) << yosys_script(entry, include_dirs, source_dir);

  const auto start = std::chrono::steady_clock::now();
  const int status = run_logged({yosys, "-s", script_path.filename().string()}, entry_dir, log_path);
  if (status != 0) {
    throw ReportError("yosys failed (exit " + std::to_string(status) + ") on " + entry.label() + "; log " +
                      log_path.string() + ", last lines:\n" + log_tail(log_path));
  }
  SynthResult result;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.full = count_cells(entry_dir / kFullStatFile, entry);
  if (!entry.register_stage_modules.empty()) result.core = count_cells(entry_dir / kCoreStatFile, entry);
  return result;
}

// -------------------------------------------------------------------- output

std::string number_text(double value) {
  std::ostringstream text;
  text << value;  // 0.5 stays 0.5, 3 stays 3
  return text.str();
}

// A metric of an entry over its ceiling.
struct Overrun {
  const char* metric;
  double measured;
  double budget;
};

std::vector<Overrun> overruns(const CellCounts& counts, const Budget& budget) {
  std::vector<Overrun> over;
  if (counts.luts > budget.luts)
    over.push_back({"luts", static_cast<double>(counts.luts), static_cast<double>(budget.luts)});
  if (counts.ffs > budget.ffs)
    over.push_back({"ffs", static_cast<double>(counts.ffs), static_cast<double>(budget.ffs)});
  if (counts.brams > budget.brams) over.push_back({"brams", counts.brams, budget.brams});
  return over;
}

// budgets == nullptr: the run checks no budgets, and the entry says so with nulls.
Json entry_json(const BlockEntry& entry, const SynthResult& result, const Budgets* budgets) {
  Json out;
  out["block"] = entry.block;
  if (!entry.variant.empty()) out["variant"] = entry.variant;
  out["top"] = entry.top;
  out["parameters"] = entry.parameters;
  if (!entry.keep_modules.empty()) out["flow"] = entry_flow(entry);  // not the report's flow
  out["luts"] = result.full.luts;
  out["core_luts"] = result.core ? Json(result.core->luts) : Json(nullptr);
  if (entry.anchor_luts) out["anchor_luts"] = *entry.anchor_luts;
  out["ffs"] = result.full.ffs;
  out["brams"] = result.full.brams;
  out["dsps"] = result.full.dsps;
  out["carry4"] = result.full.carry4;
  out["muxf7"] = result.full.muxf7;
  out["muxf8"] = result.full.muxf8;
  out["inv"] = result.full.inv;
  out["budget"] = nullptr;
  out["within_budget"] = nullptr;
  if (budgets != nullptr) {
    const auto found = budgets->find(entry.label());
    if (found != budgets->end()) {
      const Budget& budget = found->second;
      out["budget"] = {{"luts", budget.luts}, {"ffs", budget.ffs}, {"brams", budget.brams}};
      out["within_budget"] = overruns(result.full, budget).empty();
    } else {
      out["within_budget"] = false;  // an entry without a budget fails the check
    }
  }
  out["cells"] = result.full.cells;
  if (result.core) out["core_cells"] = result.core->cells;
  return out;
}

const char* const kNote =
    "luts: LUT1..LUT6 cells of the full block, the figure to quote; flip-flops are counted separately as ffs, "
    "and INV cells as inv (not in luts; whether Vivado would absorb them into LUTs is not measured here). "
    "core_luts: the same top synthesized again with its register stage (register_stage_modules) as a black box; "
    "it is not a lower bound on luts, as the two runs map differently (cells and core_cells in synth.json). "
    "brams: RAMB36E1 = 1, RAMB18E1 = 0.5. anchor_luts: quoted from the project brief (anchor_source), "
    "not measured by this run. budget: the entry's ceilings for luts, ffs and brams in budgets_file; "
    "within_budget: all three at or under them (false when the entry has no budget). "
    "flow, on an entry: synth_xilinx -flatten with the named modules kept (keep_modules in the block table): each "
    "kept module synthesized once and counted per instance, with no optimisation across its ports. "
    "Target: xc7 (the synth_xilinx default family).";

// The path as the results name it: relative to the project when it lies under
// it (compared lexically, like ws_compression_report), else as given.
std::string project_path(const fs::path& path, const fs::path& source_dir) {
  const fs::path relative =
      fs::absolute(path).lexically_normal().lexically_relative(fs::absolute(source_dir).lexically_normal());
  const bool under = !relative.empty() && *relative.begin() != ".." && relative != ".";
  return under ? relative.generic_string() : path.string();
}

Json report_json(const std::string& version_line, const BlockTable& table, const std::vector<std::size_t>& selected,
                 const std::vector<SynthResult>& results, const Budgets* budgets, const std::string& budgets_file) {
  std::istringstream words(version_line);
  std::string name, version;
  words >> name >> version;
  Json report;
  report["tool"] = "yosys " + version;
  report["tool_id"] = version_line;
  report["flow"] = kFlow;
  report["note"] = kNote;
  if (!table.anchor_source.empty()) report["anchor_source"] = table.anchor_source;
  report["budgets_file"] = budgets != nullptr ? Json(budgets_file) : Json(nullptr);
  report["entries"] = Json::array();
  for (std::size_t i = 0; i < selected.size(); ++i) {
    report["entries"].push_back(entry_json(table.entries[selected[i]], results[i], budgets));
  }
  return report;
}

// "26/14/0", or "-" when the run checked no budgets, "none" when the entry has none.
std::string budget_cell(const Json& entry) {
  if (entry["budget"].is_null()) return entry["within_budget"].is_null() ? "-" : "none";
  const Json& budget = entry["budget"];
  return number_text(budget["luts"].get<double>()) + "/" + number_text(budget["ffs"].get<double>()) + "/" +
         number_text(budget["brams"].get<double>());
}

// "yes", "no (luts, ffs)", "no (no budget)" or "-".
std::string within_budget_cell(const Json& entry) {
  if (entry["within_budget"].is_null()) return "-";
  if (entry["within_budget"].get<bool>()) return "yes";
  if (entry["budget"].is_null()) return "no (no budget)";
  std::string metrics;
  for (const char* key : {"luts", "ffs", "brams"}) {
    if (entry[key].get<double>() > entry["budget"][key].get<double>()) {
      metrics += (metrics.empty() ? "" : ", ") + std::string(key);
    }
  }
  return "no (" + metrics + ")";
}

std::string markdown_report(const Json& report) {
  const auto cell = [](const Json& entry, const char* key) {
    return entry.contains(key) && !entry[key].is_null() ? number_text(entry[key].get<double>()) : "-";
  };
  std::ostringstream md;
  md << "# Resources: " << report["tool"].get<std::string>() << ", " << report["flow"].get<std::string>() << "\n\n";
  md << "| block | variant | parameters | LUTs | core LUTs | anchor LUTs | FFs | BRAMs | DSPs | CARRY4 | MUXF7 | MUXF8 "
        "| INV | budget LUTs/FFs/BRAMs | within budget |\n";
  md << "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n";
  for (const Json& entry : report["entries"]) {
    md << "| " << entry["block"].get<std::string>() << " | " << entry.value("variant", std::string()) << " | "
       << parameter_text(entry["parameters"]);
    for (const char* key :
         {"luts", "core_luts", "anchor_luts", "ffs", "brams", "dsps", "carry4", "muxf7", "muxf8", "inv"}) {
      md << " | " << cell(entry, key);
    }
    md << " | " << budget_cell(entry) << " | " << within_budget_cell(entry) << " |\n";
  }
  md << "\n" << report["note"].get<std::string>() << "\n";
  std::string flows;
  for (const Json& entry : report["entries"]) {
    if (!entry.contains("flow")) continue;
    flows += (flows.empty() ? "" : "; ") + entry["block"].get<std::string>() +
             (entry.contains("variant") ? " " + entry["variant"].get<std::string>() : "") + ": " +
             entry["flow"].get<std::string>();
  }
  if (!flows.empty()) md << "\nflow per entry, where it differs: " << flows << ".\n";
  if (report.contains("anchor_source")) md << "\nanchor LUTs: " << report["anchor_source"].get<std::string>() << ".\n";
  if (!report["budgets_file"].is_null()) md << "\nbudgets: " << report["budgets_file"].get<std::string>() << ".\n";
  return md.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw ReportError("cannot write " + path.string());
}

// Prints every selected entry over a ceiling or without a budget; returns
// how many failed the check.
int check_budgets(const BlockTable& table, const std::vector<std::size_t>& selected,
                  const std::vector<SynthResult>& results, const Budgets& budgets, const fs::path& budgets_path) {
  int failed = 0;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const BlockEntry& entry = table.entries[selected[i]];
    const CellCounts& counts = results[i].full;
    const auto found = budgets.find(entry.label());
    if (found == budgets.end()) {
      ++failed;
      std::cerr << "ws_synth_report: no budget: '" << entry.label() << "' (" << entry.origin << ") has no entry in "
                << budgets_path.string() << "; measured luts " << counts.luts << ", ffs " << counts.ffs << ", brams "
                << number_text(counts.brams) << "\n";
      continue;
    }
    const std::vector<Overrun> over = overruns(counts, found->second);
    if (!over.empty()) ++failed;
    for (const Overrun& o : over) {
      std::cerr << "ws_synth_report: over budget: '" << entry.label() << "' " << o.metric << " "
                << number_text(o.measured) << " > budget " << number_text(o.budget) << " (" << budgets_path.string()
                << ")\n";
    }
  }
  return failed;
}

// ------------------------------------------------------------------ parallel

// Runs every selected entry on `jobs` threads; stops handing out new entries
// after the first failure and rethrows it (the first in table order).
std::vector<SynthResult> synthesize_all(const BlockTable& table, const std::vector<std::size_t>& selected,
                                        const fs::path& work_dir, const fs::path& source_dir, const std::string& yosys,
                                        int jobs) {
  std::vector<SynthResult> results(selected.size());
  std::vector<std::optional<std::string>> errors(selected.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex progress_mutex;
  std::size_t finished = 0;

  const auto worker = [&] {
    for (std::size_t i = next++; i < selected.size() && !failed; i = next++) {
      const BlockEntry& entry = table.entries[selected[i]];
      try {
        results[i] =
            synthesize(entry, table.include_dirs, work_dir / work_dir_name(selected[i], entry), source_dir, yosys);
        const std::lock_guard lock(progress_mutex);
        std::cerr << "[" << ++finished << "/" << selected.size() << "] " << entry.label() << ": "
                  << results[i].full.luts << " LUTs (" << std::fixed << std::setprecision(1) << results[i].seconds
                  << " s)\n"
                  << std::defaultfloat;
      } catch (const std::exception& e) {
        errors[i] = e.what();
        failed = true;
      }
    }
  };
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < std::max(1, jobs); ++t) threads.emplace_back(worker);
  }
  for (const auto& error : errors) {
    if (error) throw ReportError(*error);
  }
  return results;
}

struct Options {
  fs::path source_dir;  // required: the repository root
  fs::path blocks;      // default: <source-dir>/bench/synth/blocks.json
  fs::path units;       // default: <source-dir>/golden/contract/decoder_units.json
  fs::path budgets;     // empty: no budget check
  fs::path out_dir;     // default: <source-dir>/bench/results
  fs::path work_dir = fs::temp_directory_path() / "ws_synth_work";
  std::string yosys = "yosys";
  int jobs = 2;
  std::string only;
};

int run(Options options) {
  // yosys runs inside per-entry work dirs, so every path it sees must be absolute.
  options.source_dir = fs::absolute(options.source_dir);
  options.work_dir = fs::absolute(options.work_dir);
  if (options.yosys.find('/') != std::string::npos) options.yosys = fs::absolute(options.yosys).string();
  if (!fs::is_directory(options.source_dir)) {
    throw ReportError("--source-dir " + options.source_dir.string() + " is not a directory");
  }

  const fs::path blocks = options.blocks.empty() ? options.source_dir / "bench/synth/blocks.json" : options.blocks;
  const fs::path units =
      options.units.empty() ? options.source_dir / "golden/contract/decoder_units.json" : options.units;
  const fs::path out_dir = options.out_dir.empty() ? options.source_dir / "bench/results" : options.out_dir;
  const BlockTable table = load_tables(blocks, units, options.source_dir);
  // Read before synthesis, so that a bad budget table costs no yosys run.
  std::optional<Budgets> budgets;
  if (!options.budgets.empty()) budgets = load_budgets(options.budgets, table);

  std::vector<std::size_t> selected;
  for (std::size_t i = 0; i < table.entries.size(); ++i) {
    if (table.entries[i].description().find(options.only) != std::string::npos) selected.push_back(i);
  }
  if (selected.empty()) {
    throw ReportError("no entry of " + units.string() + " or " + blocks.string() + " matches --only '" + options.only +
                      "'");
  }

  fs::create_directories(options.work_dir);
  fs::create_directories(out_dir);
  const std::string version_line = yosys_version(options.yosys, options.work_dir);
  const std::vector<SynthResult> results =
      synthesize_all(table, selected, options.work_dir, options.source_dir, options.yosys, options.jobs);

  const Budgets* checked = budgets ? &*budgets : nullptr;
  const Json report = report_json(version_line, table, selected, results, checked,
                                  budgets ? project_path(options.budgets, options.source_dir) : std::string());
  const std::string markdown = markdown_report(report);
  write_file(out_dir / "synth.json", report.dump(2) + "\n");
  write_file(out_dir / "synth.md", markdown);
  std::cout << markdown;
  std::cerr << "wrote " << (out_dir / "synth.json").string() << " and " << (out_dir / "synth.md").string() << "\n";

  if (!budgets) return 0;
  const int failed = check_budgets(table, selected, results, *budgets, options.budgets);
  if (failed == 0) return 0;
  std::cerr << "ws_synth_report: " << failed << " of " << selected.size()
            << " entries over budget or without one; lower the design or, if the growth is intended, raise the "
               "budget in "
            << options.budgets.string() << "\n";
  return kBudgetExceeded;
}

}  // namespace
}  // namespace ws::bench

int main(int argc, char** argv) {
  ws::bench::Options options;
  CLI::App app{"Synthesize the hardware blocks with yosys synth_xilinx and report resources."};
  app.footer(
      "Exit codes: 0 success, 1 usage error, 2 bad table or failed yosys run, 3 an entry over its budget or "
      "without one.");
  app.add_option("--source-dir", options.source_dir, "Repository root; sources and include dirs are relative to it")
      ->required();
  app.add_option("--blocks", options.blocks, "Block table (default <source-dir>/bench/synth/blocks.json)");
  app.add_option("--units", options.units,
                 "Decoder unit table, one entry per unit (default <source-dir>/golden/contract/decoder_units.json)");
  app.add_option("--budgets", options.budgets,
                 "Budget table: luts, ffs and brams ceilings per entry label; checked after the results are written "
                 "(default: no check)");
  app.add_option("--out-dir", options.out_dir, "Where synth.json and synth.md go (default <source-dir>/bench/results)");
  app.add_option("--work-dir", options.work_dir, "Scratch directory for yosys scripts, logs and stat files")
      ->capture_default_str();
  app.add_option("--yosys", options.yosys, "yosys executable")->capture_default_str();
  app.add_option("--jobs", options.jobs, "Parallel yosys runs")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--only", options.only,
                 "Synthesize only entries whose label and parameters (block variant parameters) contain this; the "
                 "others are neither reported nor checked against their budgets");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;
  }
  try {
    return ws::bench::run(options);
  } catch (const std::exception& e) {
    std::cerr << "ws_synth_report: error: " << e.what() << "\n";
    return 2;
  }
}
