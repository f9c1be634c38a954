// The weightstream command as the command-line tests run it (the test target
// defines WS_WEIGHTSTREAM_BIN and WS_MODELS_DIR), and a scratch directory per
// test process.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/run_process.hpp"

namespace ws::test {

inline const std::string kWeightstream = WS_WEIGHTSTREAM_BIN;
inline const std::string kModel = WS_MODELS_DIR "/stories260K.bin";

inline ProcessResult weightstream(const std::string& args) { return run_process(kWeightstream + " " + args); }

// An empty directory named after `what` and this process, removed with everything in it.
struct ScratchDir {
  explicit ScratchDir(const std::string& what)
      : dir(std::filesystem::temp_directory_path() / ("ws_" + what + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~ScratchDir() { std::filesystem::remove_all(dir); }
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
  const std::filesystem::path dir;
};

}  // namespace ws::test
