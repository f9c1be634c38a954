// Where the weightstream command finds the files that travel with it, located
// from the executable itself so that no path of the build machine is compiled
// in: the build tree and an installation share the layout
//   <prefix>/bin/weightstream
//   <prefix>/share/weightstream/models/stories260K.bin (and its licence)
// The environment variable WS_MODELS_DIR, when set, names the models folder
// instead.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace ws::host {

inline std::filesystem::path executable_dir() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::current_path() : self.parent_path();
}

inline std::filesystem::path models_dir() {
  if (const char* dir = std::getenv("WS_MODELS_DIR"); dir != nullptr && *dir != '\0') return dir;
  return executable_dir().parent_path() / "share" / "weightstream" / "models";
}

// The embedded default model (stories260K, MIT; models/README.md).
inline std::string embedded_model_path() { return (models_dir() / "stories260K.bin").string(); }

}  // namespace ws::host
