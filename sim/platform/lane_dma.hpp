// The card's DMA engine: it reads each lane's compressed stream from DRAM in
// bursts into the lane's input FIFO, as far ahead as the FIFO has room for
// (words queued plus words in flight), lanes taking turns a burst at a time;
// it writes the decoder's output rows back to device memory in tensor order;
// and it reads a decode table for LOAD_TABLE. Every DRAM access is a TLM-2.0
// blocking transaction on its initiator socket; a read's annotated delay
// says when its data arrives.
//
//   LaneSource  what the accelerator reads: this clock's stream words
//   ResultSink  where it writes its rows
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <deque>
#include <span>
#include <systemc>
#include <tlm>
#include <vector>

#include "golden/contract/ans_ports.hpp"

namespace ws::sim {

class LaneSource : public virtual sc_core::sc_interface {
 public:
  virtual void advance() = 0;                              // this clock's arrivals and requests
  virtual contract::LaneInputs offer(int lane) const = 0;  // the lane's FIFO head, if any
  virtual void take(int lane) = 0;                         // the lane took its offered word
};

class ResultSink : public virtual sc_core::sc_interface {
 public:
  // Row `row` of a decoder with `lanes` lanes: word k (mask bit k) is weight row * lanes + k.
  virtual void write_row(uint64_t row, const contract::AnsRow& words, int lanes) = 0;
};

struct LaneStream {
  uint64_t address = 0;  // in device memory
  uint64_t words = 0;    // 32-bit little-endian words
};

struct DmaBuffers {
  uint32_t fifo_words = 64;   // each lane's input FIFO
  uint32_t burst_bytes = 64;  // a DRAM read request, a multiple of 4
};

class LaneDma : public sc_core::sc_module, public LaneSource, public ResultSink {
 public:
  tlm_utils::simple_initiator_socket<LaneDma> socket;

  explicit LaneDma(sc_core::sc_module_name name);

  void set_buffers(const DmaBuffers& buffers) { buffers_ = buffers; }
  const DmaBuffers& buffers() const { return buffers_; }
  // A job: its lanes' streams and where its results go. Drops what a previous job left.
  void start(const std::vector<LaneStream>& lanes, uint64_t result_address);
  // Reads `bytes` from `address` in bursts; returns when the last burst's data is there.
  sc_core::sc_time read(uint64_t address, std::span<uint8_t> bytes);
  bool failed() const { return failed_; }  // a transaction came back with an error

  void advance() override;
  contract::LaneInputs offer(int lane) const override;
  void take(int lane) override;
  void write_row(uint64_t row, const contract::AnsRow& words, int lanes) override;

 private:
  struct Arrival {
    sc_core::sc_time ready;
    std::vector<uint32_t> words;
  };
  struct Lane {
    LaneStream stream;
    uint64_t requested = 0;  // words asked of DRAM
    uint64_t taken = 0;      // words the decoder took
    uint64_t in_flight = 0;  // words asked for, not arrived
    std::deque<uint32_t> fifo;
    std::deque<Arrival> arriving;  // in order of arrival (one bus)
  };
  bool request_burst(Lane& lane);  // false: no room or nothing left
  bool transport(tlm::tlm_command command, uint64_t address, uint8_t* data, uint64_t bytes, sc_core::sc_time& delay);

  DmaBuffers buffers_;
  std::vector<Lane> lanes_;
  uint64_t result_address_ = 0;
  size_t first_lane_ = 0;  // round-robin
  bool failed_ = false;
};

}  // namespace ws::sim
