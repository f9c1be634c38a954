// gnuplot's svg terminal, run as a child process: the one way the command
// draws plots (eval --plot, sweep). The script gives the plot; the terminal
// and output lines are added here.
#pragma once

#include <string>

namespace ws::host {

// The SVG gnuplot draws from `script`, width x height pixels. Throws
// golden::OutputError naming `what` (the option or file the plot is for)
// when gnuplot is missing or fails.
std::string gnuplot_svg(const std::string& script, int width, int height, const std::string& what);

}  // namespace ws::host
