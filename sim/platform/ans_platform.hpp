// The SystemC virtual platform of the ANS decoder and the token factory
// (docs/FORMAT.md 19): an
// sc_clock, device DRAM (sim/platform/dram.hpp), the DMA
// (lane_dma.hpp), the decoder clocked by the sc_clock (ans_accelerator.hpp),
// the register block (register_block.hpp) and the host bridge
// (host_bridge.hpp). The host reaches it only through TLM-2.0 transactions,
// by a DeviceTransport (sim/common/device_transport.hpp) whose wait_clocks()
// is the only thing that runs the simulation.
//
//        host (DeviceTransport) --TLM--> HostBridge --> RegisterBlock
//                                                  \--> FactoryAccelerator (registers)
//                                                  \--> Dram.host_socket
//        LaneDma, FactoryAccelerator.dma --TLM--> Dram.dma_socket
//        AnsAccelerator <-- clk (sc_clock); reads LaneDma, writes rows to it
//        FactoryAccelerator <-- clk; its job thread waits on the clock
//
// SystemC elaborates once per process: there is one platform, made on first
// use; its DRAM timing, DMA buffers and decoder build change between jobs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>

#include "sim/ans/ans_engine.hpp"
#include "sim/common/device_transport.hpp"
#include "sim/platform/dram.hpp"
#include "sim/platform/lane_dma.hpp"

namespace ws::sim {

struct PlatformBuild {
  double clock_mhz = 300;
  uint64_t memory_bytes = uint64_t{256} << 20;
};

struct PlatformSettings {
  DramTiming dram;
  DmaBuffers dma;
};

// Throws golden::Error (Usage) unless the DRAM's bytes per clock are finite
// and >= 0, the burst a positive multiple of 4 bytes and the FIFO holds one.
void check_settings(const PlatformSettings& settings);

class AnsPlatform {
 public:
  // The process's platform. Throws golden::Error (Usage) when it exists with
  // another clock or memory size, or the build is out of range.
  static AnsPlatform& get(const PlatformBuild& build);

  virtual ~AnsPlatform() = default;
  // Between jobs: the DRAM and DMA settings and the decoder; registers back
  // to power-on. The old decoder goes before the new one is made (two
  // instances of one Verilated model must not overlap). Throws golden::Error
  // (Usage) for settings or an engine make_ans_engine refuses.
  virtual void configure(const PlatformSettings& settings, EngineKind kind, const AnsEngineOptions& engine) = 0;
  // Drops the decoder, which closes its waveform trace (the platform itself lives as long as the process).
  virtual void release_engine() = 0;
  virtual DeviceTransport& host() = 0;
  // The token factory card (sim/platform/factory_accelerator.hpp) on the
  // same DRAM and clock: its settings and engine (hls or rtl), registers
  // back to power-on; its transport.
  virtual void configure_factory(const PlatformSettings& settings, EngineKind kind, const std::string& trace_path) = 0;
  virtual DeviceTransport& factory_host() = 0;
  virtual uint64_t dram_bytes_read() const = 0;  // by every DMA since the platform started
  virtual const PlatformBuild& build() const = 0;
};

}  // namespace ws::sim
