// Reads a gzip-compressed text file line by line (zlib), for reference vectors.
#pragma once

#include <zlib.h>

#include <stdexcept>
#include <string>

namespace ws::test {

class GzLines {
 public:
  explicit GzLines(const std::string& path) : file_(gzopen(path.c_str(), "rb")) {
    if (file_ == nullptr) throw std::runtime_error("cannot open " + path);
  }
  ~GzLines() { gzclose(file_); }
  GzLines(const GzLines&) = delete;
  GzLines& operator=(const GzLines&) = delete;

  // Next line without its newline; false at the end of the file.
  bool next(std::string& line) {
    line.clear();
    char buffer[256];
    while (gzgets(file_, buffer, sizeof buffer) != nullptr) {
      line += buffer;
      if (!line.empty() && line.back() == '\n') {
        line.pop_back();
        return true;
      }
    }
    return !line.empty();
  }

 private:
  gzFile file_;
};

}  // namespace ws::test
