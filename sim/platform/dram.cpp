#include "sim/platform/dram.hpp"

#include <algorithm>
#include <cstring>

namespace ws::sim {

using sc_core::sc_time;

Dram::Dram(sc_core::sc_module_name name, uint64_t bytes, sc_time clock_period)
    : sc_module(name), host_socket("host_socket"), dma_socket("dma_socket"), memory_(bytes), period_(clock_period) {
  host_socket.register_b_transport(this, &Dram::host_transport);
  dma_socket.register_b_transport(this, &Dram::dma_transport);
}

bool Dram::access(tlm::tlm_generic_payload& t) {
  const uint64_t address = t.get_address();
  const uint64_t length = t.get_data_length();
  if (t.get_byte_enable_ptr() != nullptr || t.get_streaming_width() < length) {
    t.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  if (address > memory_.size() || length > memory_.size() - address) {
    t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (t.is_read()) {
    std::memcpy(t.get_data_ptr(), memory_.data() + address, length);
  } else if (t.is_write()) {
    std::memcpy(memory_.data() + address, t.get_data_ptr(), length);
  } else {
    t.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return false;
  }
  t.set_response_status(tlm::TLM_OK_RESPONSE);
  return true;
}

void Dram::host_transport(tlm::tlm_generic_payload& t, sc_time& /*delay: the host's window is untimed*/) { access(t); }

void Dram::dma_transport(int /*initiator: one bus for all*/, tlm::tlm_generic_payload& t, sc_time& delay) {
  if (!access(t)) return;
  if (t.is_write()) {
    dma_written_ += t.get_data_length();
    return;
  }
  dma_read_ += t.get_data_length();
  const sc_time now = sc_core::sc_time_stamp();
  const sc_time start = std::max(now + delay, bus_free_);
  const sc_time beats =
      timing_.bytes_per_clock > 0 ? period_ * (double(t.get_data_length()) / timing_.bytes_per_clock) : sc_time();
  bus_free_ = start + beats;
  delay = bus_free_ + period_ * double(timing_.latency) - now;
}

}  // namespace ws::sim
