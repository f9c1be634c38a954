#include "sim/platform/ans_platform.hpp"

#include <tlm_utils/simple_initiator_socket.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "golden/common/error.hpp"
#include "sim/platform/ans_accelerator.hpp"
#include "sim/platform/factory_accelerator.hpp"
#include "sim/platform/host_bridge.hpp"
#include "sim/platform/register_block.hpp"
#include "sim/platform/tlm_access.hpp"

// libsystemc calls sc_main when it owns main(); weightstream has its own, and
// starts the simulation from the host driver, so this is never called.
int sc_main(int /*argc*/, char* /*argv*/[]) { return 1; }

namespace ws::sim {
namespace {

using sc_core::sc_time;

// The host's side of the bridge: registers and memory as TLM transactions.
class PlatformHost final : public sc_core::sc_module, public DeviceTransport {
 public:
  tlm_utils::simple_initiator_socket<PlatformHost> socket;

  // register_base: where the card's registers start in the bridge's map.
  PlatformHost(sc_core::sc_module_name name, sc_time period, uint64_t memory_bytes, uint64_t register_base)
      : sc_module(name),
        socket("socket"),
        period_(period),
        memory_bytes_(memory_bytes),
        register_base_(register_base) {}

  void write_register(uint32_t address, uint64_t value) override {
    transport(tlm::TLM_WRITE_COMMAND, register_base_ + address, reinterpret_cast<uint8_t*>(&value), 8, "register");
  }
  uint64_t read_register(uint32_t address) override {
    uint64_t value = 0;
    transport(tlm::TLM_READ_COMMAND, register_base_ + address, reinterpret_cast<uint8_t*>(&value), 8, "register");
    return value;
  }
  void write_memory(uint64_t address, std::span<const uint8_t> bytes) override {
    transport(tlm::TLM_WRITE_COMMAND, HostBridge::kMemoryWindow + address, const_cast<uint8_t*>(bytes.data()),
              bytes.size(), "memory");
  }
  void read_memory(uint64_t address, std::span<uint8_t> bytes) override {
    transport(tlm::TLM_READ_COMMAND, HostBridge::kMemoryWindow + address, bytes.data(), bytes.size(), "memory");
  }
  uint64_t memory_bytes() const override { return memory_bytes_; }
  void wait_clocks(uint64_t clocks) override { sc_core::sc_start(period_ * double(clocks)); }

 private:
  // A transaction the card refuses throws: the driver reports it.
  void transport(tlm::tlm_command command, uint64_t address, uint8_t* data, size_t bytes, const char* what) {
    tlm::tlm_generic_payload t;
    set_access(t, command, address, data, bytes);
    sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(t, delay);
    if (!t.is_response_ok()) {
      const uint64_t offset =
          address >= HostBridge::kMemoryWindow ? address - HostBridge::kMemoryWindow : address - register_base_;
      throw golden::Error(golden::ErrorCode::BadInput,
                          std::string("the card refused a ") + (command == tlm::TLM_READ_COMMAND ? "read" : "write") +
                              " of " + std::to_string(bytes) + " bytes at " + what + " address 0x" + hex(offset) +
                              ": " + t.get_response_string());
    }
  }
  static std::string hex(uint64_t v) {
    char text[24];
    std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(v));
    return text;
  }

  sc_time period_;
  uint64_t memory_bytes_;
  uint64_t register_base_;
};

class Platform final : public AnsPlatform, public sc_core::sc_module {
 public:
  Platform(sc_core::sc_module_name name, const PlatformBuild& build)
      : sc_module(name),
        build_(build),
        clock_("clock", sc_time(1e3 / build.clock_mhz, sc_core::SC_NS)),
        dram_("dram", build.memory_bytes, clock_.period()),
        dma_("dma"),
        accelerator_("accelerator"),
        registers_("registers", clock_.period(), dram_, dma_, accelerator_),
        factory_("factory", factory_options(EngineKind::Hls, "")),
        bridge_("bridge"),
        host_("host", clock_.period(), build.memory_bytes, 0),
        factory_host_("factory_host", clock_.period(), build.memory_bytes, HostBridge::kFactoryWindow) {
    accelerator_.clk(clock_);
    factory_.clk(clock_);
    factory_.dma.socket.bind(dram_.dma_socket);
    factory_host_.socket.bind(bridge_.host_socket);
    bridge_.factory_socket.bind(factory_.socket);
    accelerator_.source(dma_);
    accelerator_.results(dma_);
    dma_.socket.bind(dram_.dma_socket);
    host_.socket.bind(bridge_.host_socket);
    bridge_.registers_socket.bind(registers_.socket);
    bridge_.memory_socket.bind(dram_.host_socket);
  }

  void configure(const PlatformSettings& settings, EngineKind kind, const AnsEngineOptions& engine) override {
    check_settings(settings);
    release_engine();
    dram_.set_timing(settings.dram);
    dma_.set_buffers(settings.dma);
    accelerator_.set_engine(make_ans_engine(kind, engine));
  }
  void release_engine() override {
    registers_.reset();
    accelerator_.set_engine(nullptr);
  }
  DeviceTransport& host() override { return host_; }
  void configure_factory(const PlatformSettings& settings, EngineKind kind, const std::string& trace_path) override {
    check_settings(settings);
    if (kind == EngineKind::Golden) {
      throw golden::Error(golden::ErrorCode::Usage, "the platform runs the token factory's hls model or its RTL");
    }
    dram_.set_timing(settings.dram);
    factory_.dma.set_buffers(settings.dma);
    factory_.reset(factory_options(kind, trace_path));
  }
  DeviceTransport& factory_host() override { return factory_host_; }
  uint64_t dram_bytes_read() const override { return dram_.dma_bytes_read(); }
  const PlatformBuild& build() const override { return build_; }

 private:
  FactoryCardOptions factory_options(EngineKind kind, const std::string& trace_path) {
    FactoryCardOptions o;
    o.engine = kind;
    o.memory = dram_.storage();
    o.trace_path = trace_path;
    return o;
  }

  PlatformBuild build_;
  sc_core::sc_clock clock_;
  Dram dram_;
  LaneDma dma_;
  AnsAccelerator accelerator_;
  RegisterBlock registers_;
  FactoryAccelerator factory_;
  HostBridge bridge_;
  PlatformHost host_;
  PlatformHost factory_host_;
};

}  // namespace

void check_settings(const PlatformSettings& settings) {
  const auto usage = [](const std::string& what) { return golden::Error(golden::ErrorCode::Usage, what); };
  if (!(settings.dram.bytes_per_clock >= 0 && std::isfinite(settings.dram.bytes_per_clock))) {
    throw usage("the DRAM's bytes per clock must be a finite number >= 0 (0: unlimited)");
  }
  if (settings.dma.burst_bytes == 0 || settings.dma.burst_bytes % 4 != 0) {
    throw usage("the DMA's burst must be a positive multiple of 4 bytes");
  }
  if (settings.dma.fifo_words < settings.dma.burst_bytes / 4) {
    throw usage("a lane's FIFO of " + std::to_string(settings.dma.fifo_words) + " words must hold a burst of " +
                std::to_string(settings.dma.burst_bytes) + " bytes");
  }
}

AnsPlatform& AnsPlatform::get(const PlatformBuild& build) {
  static Platform* platform = nullptr;  // lives as long as the SystemC kernel: never destroyed
  if (platform == nullptr) {
    if (!(build.clock_mhz >= 1 && build.clock_mhz <= 10000)) {
      throw golden::Error(golden::ErrorCode::Usage, "the platform's clock must be 1 to 10000 MHz");
    }
    if (build.memory_bytes < 4096) throw golden::Error(golden::ErrorCode::Usage, "device memory under 4 KiB");
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    // SystemC warns on stderr; the platform reports through its own status.
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    platform = new Platform("platform", build);
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // ends elaboration: the multi-sockets take calls from here on
  } else if (build.clock_mhz != platform->build().clock_mhz || build.memory_bytes != platform->build().memory_bytes) {
    throw golden::Error(golden::ErrorCode::Usage, "SystemC elaborates once: this process's platform runs at " +
                                                      std::to_string(platform->build().clock_mhz) + " MHz with " +
                                                      std::to_string(platform->build().memory_bytes) +
                                                      " bytes of memory");
  }
  return *platform;
}

}  // namespace ws::sim
