// weightstream: compressed LLM weights, from the golden model to RTL.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "golden/common/error.hpp"
#include "golden/io/interrupt.hpp"
#include "host/commands/commands.hpp"
#include "host/support/exit_codes.hpp"

int main(int argc, char** argv) {
  using namespace ws::host;
  ws::golden::install_interrupt_cleanup();
  CLI::App app{"weightstream: compressed LLM weights, from the golden model down to RTL, checked bit for bit.\n"
               "Exit codes: 0 success, 1 usage error, 2 bad input, 3 a hardware model disagreed with golden,\n"
               "4 a hardware model hung, 5 an output cannot be written, 70 internal error, 130/143 interrupted."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "weightstream 0.1.0");
  Action action;
  add_run_command(app, action);
  add_codec_commands(app, action);
  add_sim_command(app, action);
  add_generate_command(app, action);
  add_eval_command(app, action);
  add_sweep_command(app, action);
  add_format_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  try {
    return action();
  } catch (const ws::golden::Error& e) {
    std::fprintf(stderr, "weightstream: %s%s\n", e.code() == ws::golden::ErrorCode::Internal ? "internal error: " : "",
                 e.what());
    return exit_code_for(e.code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weightstream: internal error: %s\n", e.what());
    return kExitInternal;
  }
}
