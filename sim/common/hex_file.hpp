// Vector files for the Icarus testbenches: one lowercase hex value per line,
// as $readmemh reads them.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "golden/common/error.hpp"

namespace ws::sim {

// Throws golden::OutputError when the file cannot be written.
template <class Values>
inline void write_hex(const std::filesystem::path& path, const Values& values) {
  std::ofstream out(path);
  for (const auto v : values) {
    char text[24];
    std::snprintf(text, sizeof text, "%llx\n", static_cast<unsigned long long>(v));
    out << text;
  }
  out.flush();
  if (!out) throw golden::OutputError(path.string() + ": cannot write");
}

}  // namespace ws::sim
