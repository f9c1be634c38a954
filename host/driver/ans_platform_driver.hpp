// The host driver of the ANS decoder platform (sim/platform/ans_platform.hpp):
// it decodes one tensor on the card through registers and device memory
// only (sim::DeviceTransport), as a driver talks to a card over PCIe. It
// places the table, the lane streams and the result region in device
// memory, loads the table (unless the card holds it), writes the job's registers, starts, lets the
// card run while it polls STATUS, and reads the results and counters back.
// Every decoded weight and any lane error is checked against golden.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "sim/ans/ans_harness.hpp"
#include "sim/ans/container_run.hpp"
#include "sim/common/device_transport.hpp"

namespace ws::host {

struct PlatformJob {
  sim::AnsRunStats run;  // status (as sim::run_tensor's), weights, job clocks, stall lane-clocks
  uint64_t table_load_cycles = 0;
  uint64_t bytes_read = 0;     // the lane streams, read by the DMA
  uint64_t bytes_written = 0;  // the decoded weights, 4 bytes each
};

// The roofline of one tensor on the platform, in weights per clock:
// min(lanes, W / the bytes the DMA read per weight); W = 0 is unlimited.
double platform_roofline(size_t lanes, uint64_t weights, uint64_t bytes_read, double dram_bytes_per_clock);

// The jobs of several tensors on the platform, summed, against their roofline:
// total weights over the clocks each tensor's own roofline allows it.
struct PlatformSummary {
  double dram_bytes_per_clock = 0;
  uint64_t weights = 0, cycles = 0, bytes_read = 0, bytes_written = 0, table_load_cycles = 0;
  uint64_t stall_memory = 0, lane_cycles = 0;
  double roofline_cycles = 0, memory_bound_cycles = 0;

  void add(const PlatformJob& job, size_t lanes);
  double weights_per_clock() const { return cycles ? double(weights) / double(cycles) : 0.0; }
  double roofline() const { return roofline_cycles > 0 ? double(weights) / roofline_cycles : 0.0; }
  // "memory" when memory-bound tensors hold most of the roofline's clocks.
  const char* bound() const { return 2 * memory_bound_cycles > roofline_cycles ? "memory" : "decode"; }
  // docs/FORMAT.md 19.4's platform fields but the settings, at this clock.
  nlohmann::json to_json(double clock_mhz) const;
};

class AnsCardDriver {
 public:
  // The card as configure() left it: no table loaded.
  explicit AnsCardDriver(sim::DeviceTransport& card) : card_(card) {}

  // Decodes `setup` on the card and checks it against `expected`: prepare(),
  // start(), finish().
  PlatformJob run(const std::string& name, const golden::TensorSetup& setup, const golden::SetupDecode& expected,
                  uint64_t hang_clocks = 10000);

  // One lossless tensor of a container (its lanes loaded), checked by golden
  // as sim::run_container_tensor_with does, run at the card's word width.
  // `job` gets the card's counters (all zero when golden refuses the lanes
  // and nothing runs).
  sim::TensorRun run_tensor(const golden::EncodedTensor& t, const golden::TansTable& table, const std::string& source,
                            PlatformJob& job);

  // The steps of run(), for tests that step in between. prepare() places the
  // table, streams and a poisoned result region in device memory, loads the
  // table unless the card holds it from the job before (tensors that share
  // a table) and writes the job's registers; it returns what stops the job
  // (Usage: the card cannot take it; BadInput: memory too small or the card
  // refused the table). finish() lets the card run until it is done or
  // reports an error, or until it neither reads a byte nor writes a weight
  // for hang_clocks clocks (then ABORT, a Hang), and checks the results.
  golden::Status prepare(const std::string& name, const golden::TensorSetup& setup);
  void start();
  PlatformJob finish(const golden::SetupDecode& expected, uint64_t hang_clocks = 10000);

  static constexpr uint32_t kPoison = 0xa5a5a5a5u;  // the result region before the card writes it
  uint64_t result_address() const { return result_at_; }
  uint64_t result_words() const { return result_words_; }

 private:
  sim::DeviceTransport& card_;
  std::vector<uint64_t> loaded_table_;  // at device address 0
  std::string name_;
  size_t lanes_ = 0;
  uint64_t result_at_ = 0, result_words_ = 0, table_load_cycles_ = 0;
};

}  // namespace ws::host
