// Device DRAM with two TLM-2.0 target sockets:
//   host_socket  the host's window (PCIe BAR): untimed, used while the card
//                is idle to place streams and tables and read results back
//   dma_socket   the DMA engines': a read is a burst on one shared data bus of
//                `bytes_per_clock` (0: unlimited); it starts when the bus is
//                free, holds it bytes / bytes_per_clock clocks, and its data
//                is ready `latency` clocks after its last beat. The returned
//                delay says when. Writes (the decoded weights) go through a
//                write channel that is not charged: on a real card they feed
//                the compute that consumes them, not DRAM.
// No page or bank effect is modelled: the DMA reads each lane's stream
// sequentially in bursts, so row hits dominate and a fixed latency stands
// for them.
#pragma once

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <span>
#include <systemc>
#include <tlm>
#include <vector>

namespace ws::sim {

struct DramTiming {
  double bytes_per_clock = 0;  // 0: unlimited
  uint32_t latency = 0;        // clocks from a burst's last beat to its data at the DMA
};

class Dram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Dram> host_socket;
  tlm_utils::multi_passthrough_target_socket<Dram> dma_socket;  // every DMA engine's

  Dram(sc_core::sc_module_name name, uint64_t bytes, sc_core::sc_time clock_period);

  void set_timing(const DramTiming& timing) { timing_ = timing; }
  const DramTiming& timing() const { return timing_; }
  uint64_t bytes() const { return memory_.size(); }
  std::span<uint8_t> storage() { return memory_; }  // for a model that reads memory directly (the factory card)
  uint64_t dma_bytes_read() const { return dma_read_; }
  uint64_t dma_bytes_written() const { return dma_written_; }

 private:
  void host_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  void dma_transport(int initiator, tlm::tlm_generic_payload& t, sc_core::sc_time& delay);
  bool access(tlm::tlm_generic_payload& t);  // copies; false (and an address error) outside memory

  std::vector<uint8_t> memory_;
  sc_core::sc_time period_;
  DramTiming timing_;
  sc_core::sc_time bus_free_ = sc_core::SC_ZERO_TIME;
  uint64_t dma_read_ = 0, dma_written_ = 0;
};

}  // namespace ws::sim
