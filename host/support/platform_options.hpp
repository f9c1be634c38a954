// The SystemC platform's command-line options, the same in `sim`,
// `generate` and `sweep`: --platform and the DRAM, DMA and clock settings,
// which are refused without it. `sweep` has its own DRAM rates
// (--bandwidth) and clock, so it takes the latency and the DMA's only.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "host/support/exit_codes.hpp"
#include "sim/platform/ans_platform.hpp"

namespace ws::host {

struct PlatformCliOptions {
  bool on = false;  // --platform
  double dram_bytes_per_clock = 16;
  uint32_t dram_latency = 40;
  uint32_t burst = 64;
  uint32_t fifo_words = 64;
  double clock_mhz = 300;
  std::vector<std::string> given;  // the settings given on the command line

  sim::PlatformSettings settings() const { return {{dram_bytes_per_clock, dram_latency}, {fifo_words, burst}}; }

  // Throws UsageError for a setting without --platform or one the platform refuses.
  void check() const {
    if (!on && !given.empty()) throw UsageError(given.front() + " needs --platform");
    if (!on) return;
    if (!(clock_mhz >= 1 && clock_mhz <= 10000)) throw UsageError("--clock-mhz must be 1 .. 10000");
    try {
      sim::check_settings(settings());
    } catch (const golden::Error& e) {
      throw UsageError(std::string("--platform: ") + e.what());
    }
  }

  // `what`: the help of --platform in this command; rate_and_clock: with
  // --dram-bytes-per-clock and --clock-mhz. The object must outlive the command's parse.
  void add_to(CLI::App* cmd, const std::string& what, bool rate_and_clock = true) {
    cmd->add_flag("--platform", on, what);
    const auto setting = [&](const std::string& name, auto& value, const std::string& help) {
      cmd->add_option(name, value, help + " (--platform)")->default_val(value)->each([this, name](const std::string&) {
        given.push_back(name);
      });
    };
    if (rate_and_clock) {
      setting("--dram-bytes-per-clock", dram_bytes_per_clock, "DRAM data bus bytes per clock (0: unlimited)");
    }
    setting("--dram-latency", dram_latency, "Clocks from a burst's last beat to its data at the DMA");
    setting("--burst", burst, "Bytes of one DMA read request, a multiple of 4");
    setting("--fifo-words", fifo_words, "Each lane's input FIFO, in 32-bit words");
    if (rate_and_clock) {
      setting("--clock-mhz", clock_mhz, "The platform's clock: simulated time and weights per second");
    }
  }
};

}  // namespace ws::host
