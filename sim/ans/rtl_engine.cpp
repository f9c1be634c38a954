#include "sim/ans/rtl_engine.hpp"

#include <type_traits>

#include "Vans_decoder.h"
#include "Vans_decoder_w16.h"
#include "sim/common/port_fields.hpp"
#include "sim/common/verilated_dut.hpp"

namespace ws::sim {

template <class Model, int Lanes, int Width>
RtlAnsEngineT<Model, Lanes, Width>::RtlAnsEngineT(const std::string& trace_path)
    : dut_(std::make_unique<VerilatedDut<Model>>(trace_path)) {
  dut_->reset();
}

template <class Model, int Lanes, int Width>
RtlAnsEngineT<Model, Lanes, Width>::~RtlAnsEngineT() = default;

template <class Model, int Lanes, int Width>
RtlAnsEngineT<Model, Lanes, Width>::RtlAnsEngineT(RtlAnsEngineT&&) noexcept = default;

template <class Model, int Lanes, int Width>
uint64_t RtlAnsEngineT<Model, Lanes, Width>::simulated_cycles() const {
  return dut_->cycles();
}

template <class Model, int Lanes, int Width>
void RtlAnsEngineT<Model, Lanes, Width>::load(const golden::TensorSetup& s) {
  auto& m = dut_->io();
  // A restart with nothing to decode first: it abandons whatever the decoder
  // was doing (a tensor the harness gave up on), so that the streams may be
  // withdrawn, and leaves every lane idle while the table is written.
  m.in_valid_i = 0;
  m.out_ready_i = 0;
  for (int k = 0; k < kLanes; ++k) set_field(m.cfg_count_i, contract::kLaneCountWidth * k, contract::kLaneCountWidth, 0);
  m.start_i = 1;
  dut_->tick();
  m.start_i = 0;
  for (size_t u = 0; u < s.table.size(); ++u) {
    m.table_we_i = 1;
    m.table_addr_i = static_cast<uint16_t>(u);
    m.table_data_i = static_cast<std::remove_reference_t<decltype(m.table_data_i)>>(s.table[u]);
    dut_->tick();
  }
  m.table_we_i = 0;
  m.cfg_i = static_cast<std::remove_reference_t<decltype(m.cfg_i)>>(s.cfg.pack());
  for (int k = 0; k < kLanes; ++k) {
    const uint64_t count = static_cast<size_t>(k) < s.lanes.size() ? s.lanes[static_cast<size_t>(k)].count : 0;
    set_field(m.cfg_count_i, contract::kLaneCountWidth * k, contract::kLaneCountWidth, count);
  }
  m.start_i = 1;
  dut_->tick();
  m.start_i = 0;
  dut_->eval();
}

template <class Model, int Lanes, int Width>
contract::AnsRow RtlAnsEngineT<Model, Lanes, Width>::cycle(std::span<const contract::LaneInputs> in, bool out_ready,
                                                           std::span<contract::LaneOutputs> out) {
  auto& m = dut_->io();
  set_lane_inputs(m, in, kLanes);
  m.out_ready_i = out_ready;
  dut_->eval();

  contract::AnsRow row;
  row.valid = m.out_valid_o;
  row.mask = m.out_mask_o;
  for (int k = 0; k < kLanes; ++k) {
    row.words[static_cast<size_t>(k)] = static_cast<uint32_t>(get_field(m.out_words_o, kWidth * k, kWidth));
    contract::LaneOutputs& o = out[static_cast<size_t>(k)];
    o.in_ready = (m.in_ready_o >> k) & 1;
    o.out_valid = (m.out_mask_o >> k) & 1;
    o.out_word = row.words[static_cast<size_t>(k)];
    o.stall_input = (m.stall_input_o >> k) & 1;
    o.stall_refill = (m.stall_refill_o >> k) & 1;
    o.stall_output = (m.stall_output_o >> k) & 1;
    o.decoded = (m.decoded_o >> k) & 1;
  }
  dut_->tick();
  return row;
}

template <class Model, int Lanes, int Width>
contract::LaneError RtlAnsEngineT<Model, Lanes, Width>::lane_error(int k) const {
  const auto bits = get_field(dut_->io().lane_error_o, contract::kLaneErrorWidth * k, contract::kLaneErrorWidth);
  return static_cast<contract::LaneError>(bits);
}

template class RtlAnsEngineT<Vans_decoder, 16, 32>;
template class RtlAnsEngineT<Vans_decoder_w16, 8, 16>;

}  // namespace ws::sim
