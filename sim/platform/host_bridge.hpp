// The interconnect between the host and the card (the PCIe endpoint and its
// AXI crossbar): one TLM-2.0 target socket for the host, three windows
// decoded by address, each forwarded to its own initiator socket.
//   [0, kFactoryWindow)              the ANS decoder's register block
//   [kFactoryWindow, kMemoryWindow)  the token factory's registers, at address - kFactoryWindow
//   [kMemoryWindow, ..)              device DRAM, at address - kMemoryWindow
#pragma once

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <systemc>
#include <tlm>

namespace ws::sim {

class HostBridge : public sc_core::sc_module {
 public:
  static constexpr uint64_t kFactoryWindow = uint64_t{1} << 16;
  static constexpr uint64_t kMemoryWindow = uint64_t{1} << 40;

  tlm_utils::multi_passthrough_target_socket<HostBridge> host_socket;  // the host's drivers (one per card)
  tlm_utils::simple_initiator_socket<HostBridge> registers_socket;
  tlm_utils::simple_initiator_socket<HostBridge> factory_socket;
  tlm_utils::simple_initiator_socket<HostBridge> memory_socket;

  explicit HostBridge(sc_core::sc_module_name name)
      : sc_module(name),
        host_socket("host_socket"),
        registers_socket("registers_socket"),
        factory_socket("factory_socket"),
        memory_socket("memory_socket") {
    host_socket.register_b_transport(this, &HostBridge::transport);
  }

 private:
  void transport(int /*initiator*/, tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    const uint64_t address = t.get_address();
    if (address < kFactoryWindow) {
      registers_socket->b_transport(t, delay);
      return;
    }
    const bool memory = address >= kMemoryWindow;
    t.set_address(address - (memory ? kMemoryWindow : kFactoryWindow));
    (memory ? memory_socket : factory_socket)->b_transport(t, delay);
    t.set_address(address);
  }
};

}  // namespace ws::sim
