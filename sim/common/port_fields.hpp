// Fields of a Verilated model's ports: Verilator keeps ports of up to 64
// bits as integers and wider ones as arrays of 32-bit words.
#pragma once

#include <cstdint>
#include <type_traits>

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

}  // namespace ws::sim
