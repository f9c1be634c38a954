// Fields of a Verilated model's ports: Verilator keeps ports of up to 64
// bits as integers and wider ones as arrays of 32-bit words.
#pragma once

#include <cstdint>
#include <span>
#include <type_traits>

#include "golden/contract/ans_ports.hpp"

namespace ws::sim {

template <class Port>
inline void set_field(Port& port, int offset, int width, uint64_t value) {
  if constexpr (std::is_integral_v<Port>) {
    const uint64_t mask = (width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1) << offset;
    port = static_cast<Port>((static_cast<uint64_t>(port) & ~mask) | ((value << offset) & mask));
  } else {
    for (int b = 0; b < width; ++b) {
      const int bit = offset + b;
      const uint32_t mask = 1u << (bit % 32);
      port[bit / 32] = ((value >> b) & 1) ? port[bit / 32] | mask : port[bit / 32] & ~mask;
    }
  }
}

template <class Port>
inline uint64_t get_field(const Port& port, int offset, int width) {
  if constexpr (std::is_integral_v<Port>) {
    return (static_cast<uint64_t>(port) >> offset) & (width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1);
  } else {
    uint64_t value = 0;
    for (int b = 0; b < width; ++b) value |= uint64_t{(port[(offset + b) / 32] >> ((offset + b) % 32)) & 1u} << b;
    return value;
  }
}

// Drives a model's lane input ports (in_valid_i, in_last_i, in_word_i, lane
// k at bit k and word k) from the first `lanes` offers.
template <class Model>
inline void set_lane_inputs(Model& m, std::span<const contract::LaneInputs> in, int lanes) {
  uint32_t valid = 0, last = 0;
  for (int k = 0; k < lanes; ++k) {
    const contract::LaneInputs& lane = in[static_cast<size_t>(k)];
    valid |= uint32_t{lane.in_valid} << k;
    last |= uint32_t{lane.in_last} << k;
    set_field(m.in_word_i, contract::kStreamWordBits * k, contract::kStreamWordBits, lane.in_word);
  }
  m.in_valid_i = static_cast<std::remove_reference_t<decltype(m.in_valid_i)>>(valid);
  m.in_last_i = static_cast<std::remove_reference_t<decltype(m.in_last_i)>>(last);
}

}  // namespace ws::sim
