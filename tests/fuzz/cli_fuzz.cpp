// ws_cli_fuzz: the weightstream command under random arguments and mutated
// input files. Each run picks a subcommand, options drawn from values at and
// past their limits, and an input that is valid, mutated (bit flips, cut
// short, bytes inserted, little-endian sizes overwritten with huge ones) or
// not a file at all; the command runs under a 4 GB address-space limit and a
// time limit. A run fails the fuzzer when the exit code is not one a bad
// input or argument may give (0 success, 1 usage, 2 bad input, 5 output),
// when the process dies of a signal or the limits, or when a temporary file
// is left behind. The failing command and its input are kept for replay.
//
//   ws_cli_fuzz --weightstream BIN --model FILE --work DIR [--seconds N] [--seed S]
#include <sys/wait.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

class Fuzzer {
 public:
  Fuzzer(std::string binary, fs::path work, uint64_t seed) : binary_(std::move(binary)), work_(std::move(work)), rng_(seed) {}

  template <class T>
  const T& pick(const std::vector<T>& values) {
    return values[rng_() % values.size()];
  }
  bool chance(int percent) { return static_cast<int>(rng_() % 100) < percent; }

  // A copy of `base` damaged one of several ways.
  std::vector<uint8_t> mutate(std::vector<uint8_t> bytes) {
    if (bytes.empty()) bytes.push_back(0);
    switch (rng_() % 6) {
      case 0:  // bit flips
        for (int i = 0, n = 1 + static_cast<int>(rng_() % 8); i < n; ++i) {
          bytes[rng_() % bytes.size()] ^= static_cast<uint8_t>(1u << (rng_() % 8));
        }
        break;
      case 1:  // cut short
        bytes.resize(rng_() % bytes.size());
        break;
      case 2: {  // bytes inserted
        const size_t at = rng_() % bytes.size();
        for (int i = 0, n = 1 + static_cast<int>(rng_() % 16); i < n; ++i) {
          bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), static_cast<uint8_t>(rng_()));
        }
        break;
      }
      case 3: {  // a huge little-endian size near the front, where headers are
        const size_t at = rng_() % std::min<size_t>(bytes.size(), 256);
        const uint64_t value = pick(std::vector<uint64_t>{~uint64_t{0}, uint64_t{1} << 31, uint64_t{1} << 40,
                                                          0x7fffffff, 0x80000000, rng_()});
        for (size_t b = 0; b < 8 && at + b < bytes.size(); ++b) bytes[at + b] = static_cast<uint8_t>(value >> (8 * b));
        break;
      }
      default:  // garbage of the same size
        for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng_());
    }
    return bytes;
  }

  std::string input(const std::vector<fs::path>& valid) {
    const int kind = static_cast<int>(rng_() % 10);
    if (kind < 3) return pick(valid).string();
    if (kind < 9) {
      const fs::path mutated = work_ / ("input_" + std::to_string(rng_() % 4));
      write_bytes(mutated, mutate(read_bytes(pick(valid))));
      return mutated.string();
    }
    return pick(std::vector<std::string>{"/dev/null", "/dev/zero", work_.string(), (work_ / "missing").string()});
  }

  std::string number() {
    return pick(std::vector<std::string>{"-1", "0", "1", "2", "3", "7", "8", "12", "16", "17", "32", "33", "1000000",
                                         "1e300", "nan", "inf", "-inf", "abc", "''", "0.5", "0.01", "0.999"});
  }

  std::string output() {
    return pick(std::vector<std::string>{(work_ / "out").string(), (work_ / "out").string(), "-", "/dev/null",
                                         work_.string(), (work_ / "missing/out").string()});
  }

  std::string command(const std::vector<fs::path>& valid) {
    std::string c;
    switch (rng_() % 6) {
      case 0:
        c = "encode " + input(valid) + " -o " + output();
        if (chance(30)) c += " --lanes " + number();
        if (chance(30)) c += " --table-log " + number();
        if (chance(30)) c += " --joint-bits " + number();
        if (chance(20)) c += " --as " + pick(std::vector<std::string>{"bf16", "fp8", "''"});
        if (chance(20)) c += " --no-repeat";
        if (chance(20)) c += " --no-table-reuse";
        if (chance(25)) {
          c += " --method " + pick(std::vector<std::string>{"rtn-asym", "rtn-sym", "mxfp4", "nvfp4", "gptq", "x"});
          if (chance(50)) c += " --bits " + number();
          if (chance(30)) c += " --group " + number();
          if (chance(10)) c += " --all";
          if (chance(10)) c += " --calibration-positions " + pick(std::vector<std::string>{"8", "64", "-1", "x"});
        }
        break;
      case 1:
        c = "decode " + input(valid) + " -o " + output();
        break;
      case 2:
        c = "inspect " + input(valid);
        if (chance(20)) c += " --as bf16";
        break;
      case 3: {
        const std::string engine = pick(std::vector<std::string>{"hls", "golden", "hls", "rtl", "x"});
        c = "sim " + input(valid) + " --engine " + engine;
        if (chance(30)) c += " --lanes " + number();
        if (chance(30)) c += " --stall " + number();
        if (chance(30)) c += " --bandwidth " + number();
        // The RTL runs some 100,000 clocks a second: at a stall chance of 0.999 or
        // 0.01 bytes per clock a whole model takes minutes, so it gets one tensor.
        if (engine == "rtl" || chance(40)) {
          c += " --tensor " + pick(std::vector<std::string>{"rms_final_weight", "layers.0.wq", "none"});
        }
        if (chance(30)) c += " --no-crc";
        if (chance(10)) c += " --write-vectors " + output() + " --tensor rms_final_weight";
        break;
      }
      case 4:
        c = "generate " + input(valid) + " --steps " + pick(std::vector<std::string>{"1", "16", "0", "-1", "100000"});
        if (chance(30)) c += " --temperature " + number();
        if (chance(30)) c += " --seed " + number();
        if (chance(20)) c += " --batch " + pick(std::vector<std::string>{"1", "3", "0", "2000"});
        if (chance(30)) c += " --prompt-ids " + pick(std::vector<std::string>{"1,2,3", "511", "512", "-1", "x", ""});
        if (chance(10)) c += " --tokenizer " + input(valid);
        break;
      default:
        c = "format --format " + pick(std::vector<std::string>{"e4m3", "posit16es1", "fp32", "posit99", "''"});
        c += pick(std::vector<std::string>{" --table", " --encode " + number(), " --vectors " + output(), " --list",
                                           " --vectors " + output() + " --count " + number()});
    }
    if (chance(20)) c += " -f";
    if (chance(20)) c += " --json";
    return c;
  }

  // Runs one command; returns an empty string or what went wrong.
  std::string run(const std::string& command) {
    const std::string log = (work_ / "log").string();
    const std::string line = "ulimit -v 4194304; timeout 120 " + binary_ + " " + command + " >" + log + " 2>&1";
    const int status = std::system(line.c_str());
    if (!WIFEXITED(status)) return "killed by a signal";
    const int code = WEXITSTATUS(status);
    if (code == 124) return "timed out (120 s)";
    if (code != 0 && code != 1 && code != 2 && code != 5) return "exit code " + std::to_string(code);
    for (const auto& entry : fs::recursive_directory_iterator(work_)) {
      if (entry.path().filename().string().find(".tmp.") != std::string::npos) {
        return "left a temporary file " + entry.path().string();
      }
    }
    return "";
  }

 private:
  std::string binary_;
  fs::path work_;
  std::mt19937_64 rng_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ws_cli_fuzz: the weightstream command under random arguments and mutated inputs"};
  std::string binary, model, work;
  double seconds = 20;
  uint64_t seed = std::random_device{}();
  app.add_option("--weightstream", binary, "The weightstream command")->required();
  app.add_option("--model", model, "A model file to start from")->required();
  app.add_option("--work", work, "A scratch directory (emptied)")->required();
  app.add_option("--seconds", seconds, "How long to run");
  app.add_option("--seed", seed, "Seed of the random runs");
  CLI11_PARSE(app, argc, argv);

  const fs::path dir(work);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::printf("ws_cli_fuzz --seed %llu\n", static_cast<unsigned long long>(seed));
  // Valid inputs of every kind the command reads.
  const fs::path wsc = dir / "model.wsc", bf16 = dir / "bf16.wsc", st = dir / "model.safetensors";
  for (const std::string& c : {binary + " encode " + model + " -o " + wsc.string(),
                               binary + " encode " + model + " --as bf16 --lanes 4 -o " + bf16.string(),
                               binary + " decode " + bf16.string() + " -o " + st.string()}) {
    if (std::system((c + " >/dev/null").c_str()) != 0) {
      std::fprintf(stderr, "setup failed: %s\n", c.c_str());
      return 2;
    }
  }
  const std::vector<fs::path> valid = {fs::path(model), wsc, bf16, st};

  Fuzzer fuzzer(binary, dir, seed);
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int runs = 0;
  while (std::chrono::steady_clock::now() < end) {
    const std::string command = fuzzer.command(valid);
    const std::string failure = fuzzer.run(command);
    ++runs;
    if (!failure.empty()) {
      std::fprintf(stderr, "ws_cli_fuzz --seed %llu, run %d: %s\n  weightstream %s\n  (inputs kept in %s)\n",
                   static_cast<unsigned long long>(seed), runs, failure.c_str(), command.c_str(), work.c_str());
      std::ifstream log(dir / "log");
      std::fprintf(stderr, "%s\n", std::string(std::istreambuf_iterator<char>(log), {}).c_str());
      return 1;
    }
    fs::remove_all(dir / "out");
  }
  std::printf("%d runs, every exit code documented, no temporary file left\n", runs);
  return 0;
}
