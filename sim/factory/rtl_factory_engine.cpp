#include "sim/factory/rtl_factory_engine.hpp"

#include <algorithm>
#include <type_traits>

#include "Vtoken_factory.h"
#include "sim/common/port_fields.hpp"
#include "sim/common/verilated_dut.hpp"

namespace ws::sim {
namespace {

// The run registers' port widths (rtl/factory/token_factory.sv).
constexpr int kRowBits = FactoryBuild::Slots::kRowBits;
constexpr int kColBits = FactoryBuild::Slots::kColBits;
constexpr int bits_for(uint32_t n) {  // $clog2(n)
  int b = 0;
  while ((uint64_t{1} << b) < n) ++b;
  return b;
}
constexpr int kPeriodBits = bits_for(FactoryEngineBase::kBankDepth + 1);
constexpr int kLaneCntBits = bits_for(FactoryEngineBase::kLanes + 2);
constexpr int kSlotCntBits = bits_for(FactoryEngineBase::kSlots + 2);
constexpr int kAddrBits = bits_for(FactoryEngineBase::kBankDepth);
constexpr uint32_t kSourceMax = 3;  // source_i: 2 bits

// A run register's value, or 0 (always a bad configuration) when it does not fit its port.
uint32_t fit(uint32_t value, int bits) { return value < (uint64_t{1} << bits) ? value : 0; }

}  // namespace

RtlFactoryEngine::RtlFactoryEngine(const std::string& trace_path)
    : dut_(std::make_unique<VerilatedDut<Vtoken_factory>>(trace_path)) {
  auto& m = dut_->io();
  m.in_valid_i = 0;
  m.in_last_i = 0;
  idle_inputs();
  dut_->reset();
}

RtlFactoryEngine::~RtlFactoryEngine() = default;

uint64_t RtlFactoryEngine::simulated_cycles() const { return dut_->cycles(); }

// The inputs of a clock outside cycle(): no result taken, no write, no
// start. The lane inputs stay as the last cycle() left them: a word offered
// and not taken stays offered until a start abandons it (the stream rules the
// decoder checks); the writes and starts are for the clocks between runs.
void RtlFactoryEngine::idle_inputs() {
  auto& m = dut_->io();
  m.result_ready_i = 0;
  m.table_we_i = 0;
  m.act_we_i = 0;
  m.start_i = 0;
}

// The write ports' inputs for one clock.
void RtlFactoryEngine::set_writes(const FactoryWrites& w) {
  auto& m = dut_->io();
  m.table_we_i = w.table;
  m.table_addr_i = static_cast<std::remove_reference_t<decltype(m.table_addr_i)>>(w.table_address);
  m.table_data_i = static_cast<std::remove_reference_t<decltype(m.table_data_i)>>(w.table_word);
  m.act_we_i = w.activation && w.lane >= 0 && w.lane < kLanes && w.act_address < static_cast<uint32_t>(kBankDepth);
  m.act_lane_i = static_cast<std::remove_reference_t<decltype(m.act_lane_i)>>(w.lane < 0 ? 0 : w.lane);
  m.act_addr_i = static_cast<std::remove_reference_t<decltype(m.act_addr_i)>>(w.act_address & ((1u << kAddrBits) - 1));
  for (int b = 0; b < kSlots; ++b) set_field(m.act_data_i, 16 * b, 16, w.act_word[static_cast<size_t>(b)]);
}

void RtlFactoryEngine::write(const FactoryWrites& writes) {
  idle_inputs();
  set_writes(writes);
  dut_->tick();
  idle_inputs();
}

void RtlFactoryEngine::start(const contract::AnsCfg& cfg, std::span<const uint64_t> counts, const FactoryJob& job) {
  auto& m = dut_->io();
  idle_inputs();
  m.cfg_i = static_cast<std::remove_reference_t<decltype(m.cfg_i)>>(cfg.pack());
  for (int k = 0; k < kLanes; ++k) {
    const uint64_t count = static_cast<size_t>(k) < counts.size() ? counts[static_cast<size_t>(k)] : 0;
    set_field(m.cfg_count_i, contract::kLaneCountWidth * k, contract::kLaneCountWidth, count);
  }
  m.rows_i = fit(job.rows, kRowBits);
  m.cols_i = static_cast<std::remove_reference_t<decltype(m.cols_i)>>(fit(job.cols, kColBits));
  m.period_i = static_cast<std::remove_reference_t<decltype(m.period_i)>>(fit(job.period, kPeriodBits));
  m.lanes_i = static_cast<std::remove_reference_t<decltype(m.lanes_i)>>(fit(job.lanes, kLaneCntBits));
  m.slots_i = static_cast<std::remove_reference_t<decltype(m.slots_i)>>(fit(job.slots, kSlotCntBits));
  // source: 2 and up all read as a bad source (3 for any value the port cannot hold)
  m.source_i = static_cast<std::remove_reference_t<decltype(m.source_i)>>(std::min(job.source, kSourceMax));
  m.block_i = static_cast<std::remove_reference_t<decltype(m.block_i)>>(fit(job.block, kColBits));
  m.act_half_i = job.act_half == 1;
  if (job.act_half > 1) m.period_i = 0;  // a one-bit port: a larger act_half is driven as a bad period
  m.in_valid_i = 0;  // the start abandons a word offered
  m.in_last_i = 0;
  m.start_i = 1;
  dut_->tick();
  m.start_i = 0;
  dut_->eval();
}

FactoryStatus RtlFactoryEngine::status() const {
  dut_->eval();
  const auto& m = dut_->io();
  FactoryStatus s;
  s.busy = m.busy_o;
  s.done = m.done_o;
  s.error = static_cast<contract::FactoryError>(m.error_o);
  s.counters.busy_cycles = m.busy_cycles_o;
  s.counters.stall_input = m.stall_input_count_o;
  s.counters.stall_output = m.stall_output_count_o;
  s.counters.weights = m.weights_o;
  s.counters.macs = m.macs_o;
  return s;
}

FactoryResultBeat RtlFactoryEngine::result() const {
  dut_->eval();
  const auto& m = dut_->io();
  FactoryResultBeat beat;
  beat.valid = m.result_valid_o;
  for (int b = 0; b < kSlots; ++b) {
    beat.words[static_cast<size_t>(b)] = static_cast<uint32_t>(get_field(m.result_data_o, 32 * b, 32));
  }
  return beat;
}

void RtlFactoryEngine::cycle(std::span<const contract::LaneInputs> in, bool result_ready,
                             std::span<contract::LaneOutputs> out, const FactoryWrites& writes) {
  auto& m = dut_->io();
  set_lane_inputs(m, in, kLanes);
  set_writes(writes);
  m.result_ready_i = result_ready;
  dut_->eval();
  for (int k = 0; k < kLanes; ++k) {
    contract::LaneOutputs& o = out[static_cast<size_t>(k)];
    o = contract::LaneOutputs{};
    o.in_ready = (m.in_ready_o >> k) & 1;
    o.stall_input = (m.stall_input_o >> k) & 1;
    o.stall_refill = (m.stall_refill_o >> k) & 1;
    o.stall_output = (m.stall_output_o >> k) & 1;
    o.decoded = (m.decoded_o >> k) & 1;
  }
  dut_->tick();
  m.table_we_i = 0;
  m.act_we_i = 0;
}

contract::LaneError RtlFactoryEngine::lane_error(int lane) const {
  const auto bits = get_field(dut_->io().lane_error_o, contract::kLaneErrorWidth * lane, contract::kLaneErrorWidth);
  return static_cast<contract::LaneError>(bits);
}

}  // namespace ws::sim
