// The one kind of transaction the platform's initiators send: a blocking
// TLM-2.0 read or write of `bytes` bytes at `address`, no byte enables, no
// streaming, its response status reset to incomplete.
#pragma once

#include <cstdint>
#include <tlm>

namespace ws::sim {

inline void set_access(tlm::tlm_generic_payload& t, tlm::tlm_command command, uint64_t address, uint8_t* data,
                       uint64_t bytes) {
  t.set_command(command);
  t.set_address(address);
  t.set_data_ptr(data);
  t.set_data_length(static_cast<unsigned>(bytes));
  t.set_streaming_width(static_cast<unsigned>(bytes));
  t.set_byte_enable_ptr(nullptr);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
}

}  // namespace ws::sim
