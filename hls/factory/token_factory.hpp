// The token factory: K ANS lanes (hls/ans/ans_decoder.hpp), or the MX source
// (mx_source.hpp) on the first two lane ports -> each beat of bf16 weights
// broadcast -> B token slots (token_slots.hpp) -> one fp32 result beat per
// matrix row, as the RTL builds it (rtl/factory/token_factory.sv), cycle for
// cycle. The run register `source` picks the weights; the other path sees no
// input and no ready. The slots' ready is the source's beat ready; a lane
// that stops with an error stops the run.
#pragma once

#include <array>
#include <cstdint>

#include "hls/ans/ans_decoder.hpp"
#include "hls/factory/mx_source.hpp"
#include "hls/factory/token_slots.hpp"

namespace ws::hls {

template <int LanesT, int SlotsT, int BankDepthT>
struct TokenFactoryConfig {
  using Lane = AnsLaneConfig<16>;  // bf16 weights
  using Slots = TokenSlotsConfig<LanesT, SlotsT, BankDepthT>;
  static constexpr int kLanes = LanesT;
  static constexpr int kSlots = SlotsT;
  static constexpr int kBankDepth = BankDepthT;
};

template <class Config>
class TokenFactory {
 public:
  static constexpr int K = Config::kLanes;
  static constexpr int B = Config::kSlots;
  using Decoder = AnsDecoder<typename Config::Lane, K>;
  using Slots = TokenSlots<typename Config::Slots>;
  using LaneArray = typename Decoder::LaneArray;
  using LaneOutputArray = typename Decoder::LaneOutputArray;
  using Result = typename Slots::Result;

  TokenFactory() : decoder_(K) {}

  void write_table(uint32_t address, uint64_t word) { decoder_.write_table(address, word); }
  void write_activation(int lane, uint32_t address, const typename Slots::ActivationWord& word) {
    slots_.write_activation(lane, address, word);
  }
  void start(const AnsCfg& cfg, const std::array<uint64_t, K>& counts, const FactoryJob& job) {
    mx_mode_ = job.source == 1;
    decoder_.configure(cfg, counts);
    decoder_.start();
    mx_.start(mx_mode_, job.rows, job.cols, job.block);
    // A table of log L above TableSlotLog starts at a multiple of its size.
    const uint32_t table_base = uint32_t{cfg.table_slot} << contract::kTableSlotLog;
    slots_.start(job, !mx_mode_ && (table_base & ((uint32_t{1} << cfg.table_log) - 1)) != 0);
  }

  bool busy() const { return slots_.busy(); }
  bool done() const { return slots_.done(); }
  FactoryError error() const { return slots_.error(); }
  const FactoryCounters& counters() const { return slots_.counters(); }
  const Decoder& decoder() const { return decoder_; }
  // The result beat offered this cycle (before the edge).
  const Result& result() const { return slots_.result(); }

  // One clock: the lanes' input offers in, their answers out; the result
  // beat offered this cycle is result() before the call.
  void cycle(const LaneArray& in, bool result_ready, LaneOutputArray& out) {
    bool lane_error = false;
    for (int k = 0; k < K; ++k) lane_error = lane_error || decoder_.lane(k).error() != LaneError::None;
    const bool ready = slots_.in_ready(result_ready);
    contract::AnsRow row;
    if (mx_mode_) {
      LaneOutputArray idle{};
      decoder_.cycle(LaneArray{}, false, idle);
      row = mx_.cycle(in, ready, out);
    } else {
      row = decoder_.cycle(in, ready, out);
    }
    slots_.cycle(row, result_ready, lane_error);
  }

 private:
  Decoder decoder_;
  MxSource<K> mx_;
  Slots slots_;
  bool mx_mode_ = false;
};

}  // namespace ws::hls
