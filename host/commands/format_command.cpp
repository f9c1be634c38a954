// `weightstream format`: look at one numeric format.
//   --table          every pattern with its value (formats of at most 16 bits)
//   --encode X       the pattern a decimal value rounds to
//   --vectors FILE   decoder test vectors for hardware simulators
//   --list           the known format names with their hardware widths
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "golden/formats/format_registry.hpp"
#include "golden/io/file_io.hpp"
#include "host/commands/commands.hpp"
#include "host/support/exit_codes.hpp"
#include "sim/common/expected_unpacked.hpp"
#include "sim/formats/decoder_check.hpp"

namespace ws::host {
namespace {

struct FormatOptions {
  std::string format;
  bool table = false;
  bool list = false;
  std::string encode;
  std::string vectors;
  uint64_t count = 1'000'000;
  bool force = false;
  bool count_given = false;
  bool seed_given = false;
  uint64_t seed = 1;
};

const golden::FormatInfo& require_format(const std::string& name) {
  const golden::FormatInfo* f = golden::find_format(name);
  if (f == nullptr) throw UsageError("unknown format '" + name + "'; known formats: " + golden::known_format_names());
  return *f;
}

int hex_digits(int bits) { return (bits + 3) / 4; }

std::string value_text(const golden::Unpacked& u) {
  if (u.cls == golden::NumClass::NaN) return "nan";
  char text[20];
  std::snprintf(text, sizeof text, "%016llx",
                static_cast<unsigned long long>(std::bit_cast<uint64_t>(golden::to_double(u))));
  return text;
}

int print_table(const golden::FormatInfo& f) {
  if (f.bits > 16) throw UsageError("--table lists formats of at most 16 bits; " + f.name + " has " +
                                    std::to_string(f.bits));
  for (uint32_t p = 0; p < (1u << f.bits); ++p) {
    std::printf("%0*x\t%s\n", hex_digits(f.bits), p, value_text(f.decode(p)).c_str());
  }
  return kExitOk;
}

int print_encoding(const golden::FormatInfo& f, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE) {
    throw UsageError("--encode: '" + text + "' is not a decimal number within the fp64 range");
  }
  std::printf("%0*x\n", hex_digits(f.bits), f.encode(golden::unpack_double(value)));
  return kExitOk;
}

// One line per pattern: pattern, class, sign, exponent (16-bit two's
// complement) and significand, in hex; see docs/FORMAT.md.
int write_vectors(const golden::FormatInfo& f, const FormatOptions& o) {
  const sim::DecoderUnitSpec* unit = sim::decoder_unit_for(f);
  if (!unit) throw UsageError("format " + f.name + " has no hardware decoder, so no vectors");
  golden::check_output(o.vectors, {o.force, {}});
  golden::AtomicFileWriter out(o.vectors);
  std::mt19937_64 rng(o.seed);
  const bool exhaustive = f.bits <= 16;
  const uint64_t count = exhaustive ? uint64_t{1} << f.bits : o.count;
  for (uint64_t i = 0; i < count; ++i) {
    const auto pattern = static_cast<uint32_t>(exhaustive ? i : rng() & (f.bits == 32 ? ~0u : (1u << f.bits) - 1));
    const hls::HwUnpacked e = sim::expected_hw(f.decode(pattern), unit->sig_width);
    char line[64];
    std::snprintf(line, sizeof line, "%08x %x %x %04x %08llx\n", pattern, static_cast<unsigned>(e.cls), e.sign ? 1 : 0,
                  static_cast<unsigned>(e.exponent) & 0xffffu, static_cast<unsigned long long>(e.significand));
    out.write(line, std::strlen(line));
  }
  out.commit();
  std::fprintf(stderr, "%llu vectors for %s written to %s\n", static_cast<unsigned long long>(count), f.name.c_str(),
               o.vectors.c_str());
  return kExitOk;
}

int list_formats() {
  std::printf("%-12s %5s %7s %8s %9s\n", "name", "bits", "family", "exp_width", "sig_width");
  for (const golden::FormatInfo& f : golden::all_formats()) {
    const char* family = f.family == golden::FormatFamily::Posit ? "posit"
                         : f.family == golden::FormatFamily::Float ? "float"
                                                                   : "scale";
    std::printf("%-12s %5d %7s %8d %9d\n", f.name.c_str(), f.bits, family, f.exp_width, f.sig_width);
  }
  return kExitOk;
}

int run_format(const FormatOptions& o) {
  if (o.list) return list_formats();
  const int modes = int{o.table} + int{!o.encode.empty()} + int{!o.vectors.empty()};
  if (o.format.empty() || modes != 1) {
    throw UsageError("format: give --format NAME and exactly one of --table, --encode X, --vectors FILE (or --list)");
  }
  const golden::FormatInfo& f = require_format(o.format);
  if (o.vectors.empty() && (o.force || o.count_given || o.seed_given)) {
    throw UsageError("--force, --count and --seed apply to --vectors only");
  }
  if (o.count < 1 || o.count > (uint64_t{1} << 24)) throw UsageError("--count must be 1..16777216");
  if (o.table) return print_table(f);
  if (!o.encode.empty()) return print_encoding(f, o.encode);
  return write_vectors(f, o);
}

}  // namespace

void add_format_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<FormatOptions>();
  CLI::App* cmd = app.add_subcommand("format", "Inspect a numeric format: value table, encoding, decoder vectors");
  cmd->add_option("--format", options->format, "Format name (posit8es0, posit16es1, e4m3, bf16, ...; see --list)");
  cmd->add_flag("--table", options->table,
                "Print every pattern as pattern_hex<TAB>value, value = fp64 bits in hex or 'nan' (<= 16 bits)");
  cmd->add_option("--encode", options->encode, "Print the pattern a decimal value rounds to (nearest even)");
  cmd->add_option("--vectors", options->vectors,
                  "Write decoder test vectors (every pattern up to 16 bits, else --count random ones)");
  cmd->add_flag("-f,--force", options->force, "Replace the --vectors file if it exists");
  cmd->add_option("--count", options->count, "Random vectors for formats wider than 16 bits (default 1000000)")
      ->each([options](const std::string&) { options->count_given = true; });
  cmd->add_option("--seed", options->seed, "Seed of the random vectors (default 1)")
      ->each([options](const std::string&) { options->seed_given = true; });
  cmd->add_flag("--list", options->list, "List the known formats");
  cmd->callback([&action, options] { action = [options] { return run_format(*options); }; });
}

}  // namespace ws::host
