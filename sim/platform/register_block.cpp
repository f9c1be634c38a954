#include "sim/platform/register_block.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ws::sim {

namespace r = platform_reg;
using r::PlatformError;

RegisterBlock::RegisterBlock(sc_core::sc_module_name name, sc_core::sc_time clock_period, Dram& dram, LaneDma& dma,
                             AnsAccelerator& accelerator)
    : sc_module(name),
      socket("socket"),
      period_(clock_period),
      dram_(dram),
      dma_(dma),
      accelerator_(accelerator),
      registers_(r::kEnd / 8, 0) {
  socket.register_b_transport(this, &RegisterBlock::transport);
}

void RegisterBlock::reset() {
  accelerator_.abort();
  std::ranges::fill(registers_, 0);
  table_.clear();
  table_loaded_ = started_ = false;
  table_load_cycles_ = 0;
  error_ = PlatformError::None;
}

bool RegisterBlock::busy() const { return accelerator_.running() || sc_core::sc_time_stamp() < table_ready_; }

bool RegisterBlock::in_memory(uint64_t address, uint64_t bytes) const {
  return address <= dram_.bytes() && bytes <= dram_.bytes() - address;
}

void RegisterBlock::transport(tlm::tlm_generic_payload& t, sc_core::sc_time& /*delay*/) {
  const uint64_t address = t.get_address();
  if (t.get_data_length() != 8 || address % 8 != 0 || address >= r::kEnd || t.get_byte_enable_ptr() != nullptr) {
    fail(PlatformError::BadAddress);
    t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const auto a = static_cast<uint32_t>(address);
  uint64_t value = 0;
  if (t.is_read()) {
    value = read(a);
    std::memcpy(t.get_data_ptr(), &value, 8);
  } else {
    std::memcpy(&value, t.get_data_ptr(), 8);
    if (!write(a, value)) {
      fail(PlatformError::BadAddress);
      t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
  }
  t.set_response_status(tlm::TLM_OK_RESPONSE);
}

uint64_t RegisterBlock::read(uint32_t a) const {
  const AcceleratorCounters& c = accelerator_.counters();
  const AnsEngineBase* engine = accelerator_.engine();
  switch (a) {
    case r::kStatus: {
      PlatformError e = error_;
      if (e == PlatformError::None && started_ && accelerator_.error_lane() >= 0) e = PlatformError::LaneError;
      if (e == PlatformError::None && started_ && dma_.failed()) e = PlatformError::DmaRange;
      return r::status_bits(busy(), started_ && !accelerator_.running(), e, std::max(accelerator_.error_lane(), 0),
                            static_cast<int>(accelerator_.lane_error()));
    }
    case r::kCycles:
      return c.cycles;
    case r::kTableLoadCycles:
      return table_load_cycles_;
    case r::kStallMemory:
      return c.stall_memory;
    case r::kStallRefill:
      return c.stall_refill;
    case r::kStallOutput:
      return c.stall_output;
    case r::kBytesRead:
      return started_ ? dram_.dma_bytes_read() - read_at_start_ : 0;
    case r::kBytesWritten:
      return started_ ? dram_.dma_bytes_written() - written_at_start_ : 0;
    case r::kWeights:
      return c.weights;
    case r::kBuiltLanes:
      return engine ? static_cast<uint64_t>(engine->lanes()) : 0;
    case r::kPatternWidth:
      return engine ? static_cast<uint64_t>(engine->width()) : 0;
    case r::kHistoryDepth:
      return engine ? static_cast<uint64_t>(engine->history_depth()) : 0;
    case r::kMemoryBytes:
      return dram_.bytes();
    default:
      return reg(a);
  }
}

bool RegisterBlock::write(uint32_t a, uint64_t value) {
  const bool lane_register = a >= r::kLaneBase && a < r::kLaneBase + contract::kMaxLanes * r::kLaneStride &&
                             (a - r::kLaneBase) % r::kLaneStride <= r::kLaneSymbols;
  const bool writable = a == r::kControl || a == r::kTableAddr || a == r::kTableWords || a == r::kAnsCfg ||
                        a == r::kResultAddr || a == r::kLanes || lane_register;
  if (!writable) return false;
  if (a == r::kControl) {
    command(value);
  } else if (busy()) {
    fail(PlatformError::Busy);  // a running job's registers stay as they were
  } else {
    reg(a) = value;
  }
  return true;
}

void RegisterBlock::command(uint64_t bits) {
  if (bits & r::kAbort) {
    accelerator_.abort();
    started_ = false;
  }
  if (bits & r::kClear) error_ = PlatformError::None;
  if (!(bits & (r::kLoadTable | r::kStart))) return;
  if (busy()) {
    fail(PlatformError::Busy);
    return;
  }
  if (bits & r::kLoadTable) load_table();
  if ((bits & r::kStart) && !(bits & r::kLoadTable)) start();  // START after a LOAD_TABLE waits for it: a second write
}

void RegisterBlock::load_table() {
  const uint64_t words = reg(r::kTableWords);
  if (words == 0 || words > (uint64_t{1} << contract::kTableLogMax)) {
    fail(PlatformError::Config);
    return;
  }
  if (!in_memory(reg(r::kTableAddr), 8 * words)) {
    fail(PlatformError::DmaRange);
    return;
  }
  std::vector<uint64_t> table(words);
  const sc_core::sc_time arrival = dma_.read(reg(r::kTableAddr), {reinterpret_cast<uint8_t*>(table.data()), 8 * words});
  // The table RAM takes one word a clock as the words arrive: the load ends
  // when the last word is in, and no sooner than a clock a word.
  const auto clocks = static_cast<uint64_t>(std::max(double(words), std::ceil(arrival / period_)));
  table_ready_ = sc_core::sc_time_stamp() + period_ * double(clocks);
  table_load_cycles_ = clocks;
  table_ = std::move(table);
  table_loaded_ = !dma_.failed();
  started_ = false;
}

void RegisterBlock::start() {
  const AnsEngineBase* engine = accelerator_.engine();
  golden::TensorSetup setup;
  setup.cfg = contract::AnsCfg::unpack(reg(r::kAnsCfg));
  const uint64_t lanes = reg(r::kLanes);
  const bool config_ok =
      table_loaded_ && engine != nullptr && lanes >= 1 && lanes <= static_cast<uint64_t>(engine->lanes()) &&
      setup.cfg.table_slot == 0 && setup.cfg.table_log >= contract::kTableLogMin &&
      setup.cfg.table_log <= contract::kTableLogMax && table_.size() == (uint64_t{1} << setup.cfg.table_log) &&
      setup.cfg.pattern_bits >= 1 && setup.cfg.pattern_bits <= static_cast<uint64_t>(engine->width()) &&
      (!setup.cfg.repeat_enable || setup.cfg.repeat_distance <= static_cast<uint64_t>(engine->history_depth()));
  if (!config_ok) {
    fail(PlatformError::Config);
    return;
  }
  std::vector<LaneStream> streams(lanes);
  uint64_t rows = 0;
  bool in_range = true;
  for (uint64_t k = 0; k < lanes; ++k) {
    const uint32_t base = r::kLaneBase + static_cast<uint32_t>(k) * r::kLaneStride;
    streams[k] = {reg(base + r::kLaneAddr), reg(base + r::kLaneWords)};
    in_range = in_range && streams[k].words <= dram_.bytes() / 4 && in_memory(streams[k].address, 4 * streams[k].words);
    golden::LaneSetup lane;
    lane.count = reg(base + r::kLaneSymbols);
    rows = std::max(rows, lane.count);
    setup.lanes.push_back(std::move(lane));
  }
  in_range = in_range && rows <= dram_.bytes() / 4 / lanes && in_memory(reg(r::kResultAddr), 4 * rows * lanes);
  if (!in_range) {
    fail(PlatformError::DmaRange);
    return;
  }
  setup.hardware_width = engine->width();
  setup.table = table_;
  error_ = PlatformError::None;
  dma_.start(streams, reg(r::kResultAddr));
  read_at_start_ = dram_.dma_bytes_read();
  written_at_start_ = dram_.dma_bytes_written();
  started_ = true;
  accelerator_.start(setup);
}

}  // namespace ws::sim
