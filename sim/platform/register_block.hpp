// The card's register block (sim/platform/platform_registers.hpp): a TLM-2.0
// target of 64-bit register reads and writes. CONTROL starts a table load
// (the DMA reads the table from DRAM into the decoder's table RAM) or a job
// (checked first: a table loaded, a configuration the decoder can run,
// every stream and the result region inside device memory); STATUS and the
// counters report. A command or a write while busy is refused with status
// Busy and changes nothing; an access outside the map is an address error.
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "sim/platform/ans_accelerator.hpp"
#include "sim/platform/dram.hpp"
#include "sim/platform/lane_dma.hpp"
#include "sim/platform/platform_registers.hpp"

namespace ws::sim {

class RegisterBlock : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<RegisterBlock> socket;

  RegisterBlock(sc_core::sc_module_name name, sc_core::sc_time clock_period, Dram& dram, LaneDma& dma,
                AnsAccelerator& accelerator);

  // Back to power-on: no table, no error, counters cleared.
  void reset();

 private:
  void transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  uint64_t read(uint32_t address) const;
  bool write(uint32_t address, uint64_t value);  // false: not a writable register
  void command(uint64_t bits);
  void load_table();
  void start();
  bool busy() const;
  bool in_memory(uint64_t address, uint64_t bytes) const;
  void fail(platform_reg::PlatformError error) { error_ = error; }
  uint64_t& reg(uint32_t address) { return registers_[address / 8]; }
  uint64_t reg(uint32_t address) const { return registers_[address / 8]; }

  sc_core::sc_time period_;
  Dram& dram_;
  LaneDma& dma_;
  AnsAccelerator& accelerator_;
  std::vector<uint64_t> registers_;  // the writable ones
  std::vector<uint64_t> table_;      // the table RAM as LOAD_TABLE left it
  bool table_loaded_ = false;
  sc_core::sc_time table_ready_ = sc_core::SC_ZERO_TIME;
  uint64_t table_load_cycles_ = 0;
  uint64_t read_at_start_ = 0, written_at_start_ = 0;  // DRAM counters when the job started
  bool started_ = false;
  platform_reg::PlatformError error_ = platform_reg::PlatformError::None;
};

}  // namespace ws::sim
