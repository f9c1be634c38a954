#include "host/support/gnuplot.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "golden/common/error.hpp"

namespace ws::host {

std::string gnuplot_svg(const std::string& script, int width, int height, const std::string& what) {
  char script_path[] = "/tmp/weightstream_plot_XXXXXX";
  const int fd = mkstemp(script_path);
  if (fd < 0) throw golden::OutputError(what + ": cannot create a temporary file for gnuplot");
  close(fd);
  const std::string svg_path = std::string(script_path) + ".svg";
  std::ostringstream full;
  full << "set terminal svg size " << width << "," << height
       << " dynamic enhanced font 'sans,12' background rgb 'white'\n"
       << "set output '" << svg_path << "'\n"
       << script;
  std::ofstream(script_path) << full.str();
  const std::string command = "gnuplot '" + std::string(script_path) + "' 2>&1";
  std::FILE* pipe = popen(command.c_str(), "r");
  std::string messages;
  if (pipe != nullptr) {
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) messages += buffer;
  }
  const int status = pipe != nullptr ? pclose(pipe) : -1;
  std::remove(script_path);
  std::ifstream in(svg_path, std::ios::binary);
  std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(svg_path.c_str());
  if (status != 0 || svg.empty()) {
    throw golden::OutputError(what + ": gnuplot failed (is gnuplot installed? scripts/setup installs it): " + messages);
  }
  return svg;
}

}  // namespace ws::host
