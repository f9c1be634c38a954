// The token factory on the platform: the factory card's registers, load
// queues and job logic (sim/factory/factory_card.hpp) over the platform's
// DRAM, with its job run by a SystemC thread on the platform clock. START
// returns at once with STATUS busy; the thread writes the queued loads a
// clock each, then runs the engine (Verilated RTL or hls) one clock per
// rising edge, its lanes fed by its own DMA (sim/platform/lane_dma.hpp)
// through the DRAM model's bursts and latency, until done. The registers
// are a TLM-2.0 target; a refused access is an address error.
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <string>
#include <systemc>
#include <tlm>

#include "sim/factory/factory_card.hpp"
#include "sim/platform/lane_dma.hpp"

namespace ws::sim {

class FactoryAccelerator : public sc_core::sc_module, public FactoryCard {
 public:
  sc_core::sc_in<bool> clk;
  tlm_utils::simple_target_socket<FactoryAccelerator> socket;
  LaneDma dma;

  SC_HAS_PROCESS(FactoryAccelerator);
  FactoryAccelerator(sc_core::sc_module_name name, const FactoryCardOptions& options);

 protected:
  void start_job() override;
  FactoryRunResult run_engine(FactoryEngineBase& engine, const golden::TensorSetup& setup,
                              const golden::factory::FactoryJob& job, const FactoryLoads& before,
                              const FactoryLoads& during, const FactoryRunOptions& o) override;

 private:
  void jobs();  // SC_THREAD: each START's job
  void transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);

  sc_core::sc_event start_;
};

}  // namespace ws::sim
