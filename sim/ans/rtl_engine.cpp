#include "sim/ans/rtl_engine.hpp"

#include <verilated.h>
#include <verilated_fst_c.h>

#include <stdexcept>
#include <type_traits>

#include "Vans_decoder.h"
#include "Vans_decoder_w16.h"

namespace ws::sim {
namespace {

// Verilator keeps ports wider than 64 bits as arrays of 32-bit words.
template <class Wide>
void set_field(Wide& port, int offset, int width, uint64_t value) {
  for (int b = 0; b < width; ++b) {
    const int bit = offset + b;
    const uint32_t mask = 1u << (bit % 32);
    if ((value >> b) & 1) {
      port[bit / 32] |= mask;
    } else {
      port[bit / 32] &= ~mask;
    }
  }
}

template <class Wide>
uint64_t get_field(const Wide& port, int offset, int width) {
  uint64_t value = 0;
  for (int b = 0; b < width; ++b) value |= uint64_t{(port[(offset + b) / 32] >> ((offset + b) % 32)) & 1u} << b;
  return value;
}

}  // namespace

template <class Model, int Lanes, int Width>
RtlAnsEngineT<Model, Lanes, Width>::RtlAnsEngineT(const std::string& trace_path)
    : context_(std::make_unique<VerilatedContext>()), model_(std::make_unique<Model>(context_.get())) {
  if (!trace_path.empty()) {
    if constexpr (!requires(Model& m, VerilatedFstC* t) { m.trace(t, 99); }) {
      throw std::invalid_argument("this RTL build has no tracing");
    } else {
    context_->traceEverOn(true);
    trace_ = std::make_unique<VerilatedFstC>();
    model_->trace(trace_.get(), 99);
    trace_->open(trace_path.c_str());
    }
  }
  model_->clk_i = 0;
  model_->rst_ni = 0;
  model_->eval();
  tick();
  tick();
  model_->rst_ni = 1;
  model_->eval();
}

template <class Model, int Lanes, int Width>
RtlAnsEngineT<Model, Lanes, Width>::~RtlAnsEngineT() {
  model_->final();
  if (trace_) trace_->close();
}

template <class Model, int Lanes, int Width>
void RtlAnsEngineT<Model, Lanes, Width>::tick() {
  model_->clk_i = 1;
  model_->eval();
  if (trace_) trace_->dump(static_cast<uint64_t>(2 * cycles_ + 1));
  model_->clk_i = 0;
  model_->eval();
  ++cycles_;
  if (trace_) trace_->dump(static_cast<uint64_t>(2 * cycles_));
}

template <class Model, int Lanes, int Width>
void RtlAnsEngineT<Model, Lanes, Width>::load(const golden::TensorSetup& s) {
  auto& m = *model_;
  m.in_valid_i = 0;
  m.out_ready_i = 0;
  m.start_i = 0;
  for (size_t u = 0; u < s.table.size(); ++u) {
    m.table_we_i = 1;
    m.table_addr_i = static_cast<uint16_t>(u);
    m.table_data_i = static_cast<std::remove_reference_t<decltype(m.table_data_i)>>(s.table[u]);
    tick();
  }
  m.table_we_i = 0;
  m.cfg_pattern_bits_i = static_cast<uint8_t>(s.pattern_bits);
  m.cfg_table_log_i = static_cast<uint8_t>(s.table_log);
  m.cfg_raw_bits_i = static_cast<uint8_t>(s.raw_bits);
  m.cfg_low_bits_i = static_cast<uint8_t>(s.low_bits);
  m.cfg_repeat_i = s.repeat;
  m.cfg_repeat_raw_bits_i = static_cast<uint8_t>(s.repeat_raw_bits);
  m.cfg_repeat_distance_i = static_cast<uint8_t>(s.repeat_lane_distance);
  for (int k = 0; k < kLanes; ++k) {
    const uint64_t count = static_cast<size_t>(k) < s.lanes.size() ? s.lanes[static_cast<size_t>(k)].count : 0;
    set_field(m.cfg_count_i, 32 * k, 32, count);
  }
  m.start_i = 1;
  tick();
  m.start_i = 0;
  m.eval();
}

template <class Model, int Lanes, int Width>
typename RtlAnsEngineT<Model, Lanes, Width>::Row RtlAnsEngineT<Model, Lanes, Width>::cycle(
    std::span<const hls::LaneInputs> in, bool out_ready, std::span<hls::LaneOutputs> out) {
  auto& m = *model_;
  uint32_t valid = 0, last = 0;
  for (int k = 0; k < kLanes; ++k) {
    const hls::LaneInputs& lane = in[static_cast<size_t>(k)];
    valid |= uint32_t{lane.in_valid} << k;
    last |= uint32_t{lane.in_last} << k;
    set_field(m.in_word_i, 32 * k, 32, lane.in_word);
  }
  m.in_valid_i = static_cast<std::remove_reference_t<decltype(m.in_valid_i)>>(valid);
  m.in_last_i = static_cast<std::remove_reference_t<decltype(m.in_last_i)>>(last);
  m.out_ready_i = out_ready;
  m.eval();

  Row row;
  row.valid = m.out_valid_o;
  row.mask = m.out_mask_o;
  for (int k = 0; k < kLanes; ++k) {
    row.words[static_cast<size_t>(k)] = static_cast<uint32_t>(get_field(m.out_words_o, kWidth * k, kWidth));
    hls::LaneOutputs& o = out[static_cast<size_t>(k)];
    o.in_ready = (m.in_ready_o >> k) & 1;
    o.stall_input = (m.stall_input_o >> k) & 1;
    o.stall_refill = (m.stall_refill_o >> k) & 1;
    o.stall_output = (m.stall_output_o >> k) & 1;
    o.decoded = (m.decoded_o >> k) & 1;
  }
  tick();
  return row;
}

template <class Model, int Lanes, int Width>
int RtlAnsEngineT<Model, Lanes, Width>::lane_error(int k) const {
  return static_cast<int>((model_->lane_error_o >> (2 * k)) & 3u);
}

template class RtlAnsEngineT<Vans_decoder, 16, 32>;
template class RtlAnsEngineT<Vans_decoder_w16, 8, 16>;

}  // namespace ws::sim
