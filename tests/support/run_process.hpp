// Runs a command line through the shell and captures its exit code, standard
// output and standard error (for tests of the weightstream command).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ws::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline ProcessResult run_process(const std::string& command) {
  static int counter = 0;
  const auto dir = std::filesystem::temp_directory_path();
  const std::string stem = "ws_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  const auto out_path = dir / (stem + ".out"), err_path = dir / (stem + ".err");
  const int status = std::system((command + " >" + out_path.string() + " 2>" + err_path.string()).c_str());
  ProcessResult r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(out_path), read_text(err_path)};
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return r;
}

}  // namespace ws::test
