// The model path as bench results record it: relative to project_dir when the
// model lies under it (compared lexically, so a symlinked models/ still
// counts), else as given. Results then carry no build machine's paths.
#pragma once

#include <filesystem>
#include <string>

namespace ws::bench {

inline std::string recorded_path(const std::string& path, const std::string& project_dir) {
  namespace fs = std::filesystem;
  if (project_dir.empty()) return path;
  const fs::path relative =
      fs::absolute(path).lexically_normal().lexically_relative(fs::absolute(project_dir).lexically_normal());
  if (relative.empty() || *relative.begin() == ".." || relative == ".") return path;
  return relative.generic_string();
}

}  // namespace ws::bench
