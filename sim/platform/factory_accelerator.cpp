#include "sim/platform/factory_accelerator.hpp"

#include <cstring>
#include <vector>

#include "golden/common/error.hpp"

namespace ws::sim {

namespace r = factory_reg;

namespace {

// The DMA's FIFO heads as run_factory_on's lane memory.
class DmaLaneMemory {
 public:
  DmaLaneMemory(LaneDma& dma, size_t lanes) : dma_(dma), offered_(lanes) {}
  std::vector<contract::LaneInputs> offers() {
    dma_.advance();
    for (size_t k = 0; k < offered_.size(); ++k) offered_[k] = dma_.offer(static_cast<int>(k));
    return offered_;
  }
  void taken(size_t k, bool in_ready) {
    if (offered_[k].in_valid && in_ready) dma_.take(static_cast<int>(k));
  }

 private:
  LaneDma& dma_;
  std::vector<contract::LaneInputs> offered_;
};

}  // namespace

FactoryAccelerator::FactoryAccelerator(sc_core::sc_module_name name, const FactoryCardOptions& options)
    : sc_module(name), FactoryCard(options), clk("clk"), socket("socket"), dma("dma") {
  socket.register_b_transport(this, &FactoryAccelerator::transport);
  SC_THREAD(jobs);
}

void FactoryAccelerator::transport(tlm::tlm_generic_payload& t, sc_core::sc_time& /*delay*/) {
  if (t.get_data_length() != 8 || t.get_byte_enable_ptr() != nullptr) {
    t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const auto address = static_cast<uint32_t>(t.get_address());
  try {
    uint64_t value = 0;
    if (t.is_read()) {
      value = read_register(address);
      std::memcpy(t.get_data_ptr(), &value, 8);
    } else {
      std::memcpy(&value, t.get_data_ptr(), 8);
      write_register(address, value);
    }
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  } catch (const golden::Error&) {
    t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);  // the card refused the register or the load
  }
}

void FactoryAccelerator::start_job() {
  FactoryStatus busy;
  busy.busy = true;  // until the thread's job ends
  reg(r::kStatus) = r::status_word(busy);
  start_.notify(sc_core::SC_ZERO_TIME);
}

void FactoryAccelerator::jobs() {
  for (;;) {
    sc_core::wait(start_);
    try {
      run_job();
    } catch (const golden::Error&) {
      FactoryStatus refused;  // the job could not run
      refused.done = true;
      refused.error = contract::FactoryError::Config;
      reg(r::kStatus) = r::status_word(refused);
    }
  }
}

FactoryRunResult FactoryAccelerator::run_engine(FactoryEngineBase& engine, const golden::TensorSetup& setup,
                                                const golden::factory::FactoryJob& job, const FactoryLoads& before,
                                                const FactoryLoads& during, const FactoryRunOptions& o) {
  std::vector<LaneStream> streams;
  for (uint32_t k = 0; k < setup.lanes.size(); ++k) {
    const uint32_t base = r::kLaneBase + k * r::kLaneStride;
    streams.push_back({reg(base), reg(base + 8)});
  }
  dma.start(streams, 0);
  DmaLaneMemory memory(dma, streams.size());
  return run_factory_on(engine, memory, setup, job, before, during, o, [this] { sc_core::wait(clk.posedge_event()); });
}

}  // namespace ws::sim
