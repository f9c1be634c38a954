#include "sim/platform/lane_dma.hpp"

#include <algorithm>

#include "sim/platform/tlm_access.hpp"

namespace ws::sim {

using sc_core::sc_time;

LaneDma::LaneDma(sc_core::sc_module_name name) : sc_module(name), socket("socket") {}

bool LaneDma::transport(tlm::tlm_command command, uint64_t address, uint8_t* data, uint64_t bytes, sc_time& delay) {
  tlm::tlm_generic_payload t;
  set_access(t, command, address, data, bytes);
  socket->b_transport(t, delay);
  failed_ = failed_ || !t.is_response_ok();
  return t.is_response_ok();
}

void LaneDma::start(const std::vector<LaneStream>& lanes, uint64_t result_address) {
  lanes_.assign(lanes.size(), {});
  for (size_t k = 0; k < lanes.size(); ++k) lanes_[k].stream = lanes[k];
  result_address_ = result_address;
  first_lane_ = 0;
  failed_ = false;
}

sc_time LaneDma::read(uint64_t address, std::span<uint8_t> bytes) {
  sc_time last = sc_core::SC_ZERO_TIME;
  for (size_t at = 0; at < bytes.size(); at += buffers_.burst_bytes) {
    const size_t n = std::min<size_t>(buffers_.burst_bytes, bytes.size() - at);
    sc_time delay = sc_core::SC_ZERO_TIME;
    if (!transport(tlm::TLM_READ_COMMAND, address + at, bytes.data() + at, n, delay)) break;
    last = std::max(last, delay);
  }
  return last;
}

bool LaneDma::request_burst(Lane& lane) {
  const uint64_t left = lane.stream.words - lane.requested;
  const uint64_t n = std::min<uint64_t>(buffers_.burst_bytes / 4, left);
  if (n == 0 || lane.fifo.size() + lane.in_flight + n > buffers_.fifo_words) return false;
  Arrival a;
  a.words.resize(n);
  sc_time delay = sc_core::SC_ZERO_TIME;
  const uint64_t address = lane.stream.address + 4 * lane.requested;
  if (!transport(tlm::TLM_READ_COMMAND, address, reinterpret_cast<uint8_t*>(a.words.data()), 4 * n, delay))
    return false;
  a.ready = sc_core::sc_time_stamp() + delay;  // the words are little-endian, as is the host
  lane.arriving.push_back(std::move(a));
  lane.requested += n;
  lane.in_flight += n;
  return true;
}

void LaneDma::advance() {
  const sc_time now = sc_core::sc_time_stamp();
  for (Lane& lane : lanes_) {
    while (!lane.arriving.empty() && lane.arriving.front().ready <= now) {
      const Arrival& a = lane.arriving.front();
      lane.fifo.insert(lane.fifo.end(), a.words.begin(), a.words.end());
      lane.in_flight -= a.words.size();
      lane.arriving.pop_front();
    }
  }
  // A burst a lane at a time, round the lanes until none has room.
  for (bool any = !lanes_.empty() && !failed_; any && !failed_;) {
    any = false;
    for (size_t i = 0; i < lanes_.size(); ++i) any = request_burst(lanes_[(first_lane_ + i) % lanes_.size()]) || any;
  }
  if (!lanes_.empty()) first_lane_ = (first_lane_ + 1) % lanes_.size();
}

contract::LaneInputs LaneDma::offer(int k) const {
  const Lane& lane = lanes_[static_cast<size_t>(k)];
  contract::LaneInputs in;
  if (lane.fifo.empty()) return in;
  in.in_valid = true;
  in.in_word = lane.fifo.front();
  in.in_last = lane.taken + 1 == lane.stream.words;
  return in;
}

void LaneDma::take(int k) {
  Lane& lane = lanes_[static_cast<size_t>(k)];
  lane.fifo.pop_front();
  ++lane.taken;
}

void LaneDma::write_row(uint64_t row, const contract::AnsRow& r, int lanes) {
  // One write per run of consecutive lanes with a word.
  for (int k = 0; k < lanes;) {
    if (!((r.mask >> k) & 1)) {
      ++k;
      continue;
    }
    int end = k;
    while (end < lanes && ((r.mask >> end) & 1)) ++end;
    sc_time delay = sc_core::SC_ZERO_TIME;
    auto* words = const_cast<uint32_t*>(r.words.data() + k);  // a TLM write only reads them
    transport(tlm::TLM_WRITE_COMMAND, result_address_ + 4 * (row * uint64_t(lanes) + uint64_t(k)),
              reinterpret_cast<uint8_t*>(words), 4 * uint64_t(end - k), delay);
    k = end;
  }
}

}  // namespace ws::sim
