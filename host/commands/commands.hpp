// The subcommands of `weightstream`. Each registers its options on the app
// and, when chosen, sets `action` to the function that runs it and returns
// the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace ws::host {

using Action = std::function<int()>;

void add_format_command(CLI::App& app, Action& action);
void add_run_command(CLI::App& app, Action& action);
void add_codec_commands(CLI::App& app, Action& action);
void add_sim_command(CLI::App& app, Action& action);
void add_generate_command(CLI::App& app, Action& action);
void add_eval_command(CLI::App& app, Action& action);
void add_sweep_command(CLI::App& app, Action& action);

}  // namespace ws::host
