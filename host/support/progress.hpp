// A one-line progress display on stderr, shown only when stderr is a terminal
// (so logs and --json output stay clean).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <string>

namespace ws::host {

class Progress {
 public:
  explicit Progress(std::string task) : task_(std::move(task)), enabled_(isatty(STDERR_FILENO) != 0) {}
  ~Progress() { done(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(size_t done, size_t total, const std::string& detail = "") {
    if (!enabled_) return;
    std::fprintf(stderr, "\r\033[K%s [%zu/%zu] %s", task_.c_str(), done, total, detail.c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  void done() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
    shown_ = false;
  }

 private:
  std::string task_;
  bool enabled_;
  bool shown_ = false;
};

}  // namespace ws::host
