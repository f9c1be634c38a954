// What a host driver sees of a card: 64-bit registers, device memory, and
// time. The factory card (sim/factory/factory_card.hpp) runs a job inside
// the register write that starts it; the SystemC platform
// (sim/platform/ans_platform.hpp) runs only while the host lets time pass,
// as a real card runs while its driver polls.
#pragma once

#include <cstdint>
#include <span>

namespace ws::sim {

class DeviceTransport {
 public:
  virtual ~DeviceTransport() = default;
  virtual void write_register(uint32_t address, uint64_t value) = 0;
  virtual uint64_t read_register(uint32_t address) = 0;
  virtual void write_memory(uint64_t address, std::span<const uint8_t> bytes) = 0;
  virtual void read_memory(uint64_t address, std::span<uint8_t> bytes) = 0;
  virtual uint64_t memory_bytes() const = 0;
  // Lets `clocks` device clocks pass (a card that finishes a job inside
  // START has nothing to do).
  virtual void wait_clocks(uint64_t clocks) { (void)clocks; }
};

}  // namespace ws::sim
