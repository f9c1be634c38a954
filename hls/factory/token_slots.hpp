// The token factory's slots: B token slots take each row of up to K decoded
// weights (the ANS decoder's row stream) and multiply-accumulate every weight
// with their own activation, exactly (mac_arith.hpp), as the RTL builds them
// (rtl/factory/token_slots.sv), cycle for cycle.
//
//   row in     weight r*L + k of the matrix is lane k's word of row beat r
//              (L = the tensor's lanes, mask a prefix of them); a beat is
//              taken when the result register is free or being read
//   columns    col = the column of lane 0's weight; lane k's weight is in
//              the current matrix row when col + k < cols, else it starts the
//              next (cols >= L, so a beat crosses at most one row end)
//   activations lane k's bank holds, at address a, the B activations of
//              column (a*L + k) mod cols: the beats of every row read address
//              r mod period (period = cols / gcd(cols, L)), so each lane reads
//              one word a clock and a row change costs nothing; with the run
//              register act_half the addresses start at BankDepth/2, so one
//              half of the banks can be written while the other is read
//              (period at most BankDepth/2). The read is
//              registered: the word for the next beat is read at the edge
//              that takes the current one (a block RAM's address register)
//   accumulate acc[b] += the products of the current row; at a row end the
//              result register gets round(acc[b] + those products), one fp32
//              per slot, and acc[b] = the products of the next row's first
//              columns
//   done       when `rows` results have left; a lane error or an operand
//              error stops the run with that error (done, not busy)
// Invariants: 0 <= col < cols; 0 <= address < period; a beat is taken only
// while busy; results leave in row order, one beat per matrix row.
#pragma once

#include <array>
#include <cstdint>

#include "golden/contract/hw_contract.hpp"
#include "golden/factory/factory_job.hpp"
#include "hls/factory/mac_arith.hpp"

namespace ws::hls {

using contract::FactoryError;

// Sizing (CONFIG_T style).
template <int LanesT, int SlotsT, int BankDepthT>
struct TokenSlotsConfig {
  static constexpr int kLanes = LanesT;          // K: weights a beat
  static constexpr int kSlots = SlotsT;          // B: token slots built
  static constexpr int kBankDepth = BankDepthT;  // activation words a lane bank holds (the largest period)
  static constexpr int kColBits = contract::kFactoryColBits;
  static constexpr int kRowBits = 24;            // rows a run may have
  static_assert(LanesT >= 1 && LanesT <= contract::kMaxLanes && SlotsT >= 1 && BankDepthT >= 1);
};

using golden::factory::FactoryCounters;
using golden::factory::FactoryJob;

template <int Slots>
struct FactoryResult {
  bool valid = false;
  std::array<uint32_t, Slots> words{};  // fp32 bits, slot b's in words[b]
};

template <class Config>
class TokenSlots {
 public:
  static constexpr int K = Config::kLanes;
  static constexpr int B = Config::kSlots;
  static constexpr uint32_t kHalfDepth = Config::kBankDepth / 2;
  using ActivationWord = std::array<uint16_t, B>;
  using Result = FactoryResult<B>;

  void write_activation(int lane, uint32_t address, const ActivationWord& word) {
    if (lane >= 0 && lane < K && address < static_cast<uint32_t>(Config::kBankDepth)) bank_[lane][address] = word;
  }

  // The start pulse: registers latched, run state cleared, the first activations read.
  // bad_source: the weight source's registers are a bad configuration.
  void start(const FactoryJob& job, bool bad_source = false) {
    job_ = job;
    const bool bad = job.rows == 0 || job.rows >= (1u << Config::kRowBits) || job.lanes == 0 ||
                     job.lanes > static_cast<uint32_t>(K) || job.cols < job.lanes ||
                     job.cols >= (1u << Config::kColBits) || job.period == 0 ||
                     job.period > static_cast<uint32_t>(Config::kBankDepth) || job.slots == 0 ||
                     job.slots > static_cast<uint32_t>(B) || job.source > 1 ||
                     (job.source == 1 && (job.block == 0 || job.block >= (1u << Config::kColBits))) ||
                     job.act_half > 1 || (job.act_half == 1 && job.period > kHalfDepth) || bad_source;
    error_ = bad ? FactoryError::Config : FactoryError::None;
    busy_ = !bad;
    done_ = bad;
    col_ = 0;
    address_ = 0;
    rows_out_ = 0;
    result_ = Result{};
    acc_ = {};
    counters_ = FactoryCounters{};
    read_bank(0);
  }

  bool busy() const { return busy_; }
  bool done() const { return done_; }
  FactoryError error() const { return error_; }
  const FactoryCounters& counters() const { return counters_; }
  const Result& result() const { return result_; }  // the result register (valid: offered)

  // Whether a row beat is taken this cycle when offered.
  bool in_ready(bool result_ready) const { return busy_ && (!result_.valid || result_ready); }

  // One clock. `row`: the beat offered; `lane_error`: an ANS lane has stopped
  // with an error (the decoder's registered state).
  void cycle(const contract::AnsRow& row, bool result_ready, bool lane_error) {
    const bool ready = in_ready(result_ready);
    const bool take = row.valid && ready;
    if (busy_) {
      ++counters_.busy_cycles;
      if (!row.valid) ++counters_.stall_input;
      if (row.valid && !ready) ++counters_.stall_output;
    }
    if (result_.valid && result_ready) result_.valid = false;

    if (take) {
      int weights = 0;
      for (int k = 0; k < K; ++k) weights += ((row.mask >> k) & 1u) != 0 ? 1 : 0;
      const bool row_ends = col_ + static_cast<uint32_t>(weights) >= job_.cols;
      bool operand_error = false;
      for (int b = 0; b < B; ++b) {
        FactoryAcc current = acc_[b], next;
        for (int k = 0; k < K; ++k) {
          if (((row.mask >> k) & 1u) == 0) continue;
          const FactoryOperand w = factory_operand(static_cast<uint16_t>(row.words[k]));
          const FactoryOperand a = factory_operand(activation_[k][b]);
          operand_error = operand_error || w.error || a.error;
          const FactoryAcc p = factory_product(w, a);
          if (col_ + static_cast<uint32_t>(k) < job_.cols) {
            current = current + p;
          } else {
            next = next + p;
          }
        }
        if (row_ends) {
          result_.words[b] = factory_round(current);
          acc_[b] = next;
        } else {
          acc_[b] = current;
        }
      }
      if (row_ends) {
        result_.valid = true;
        ++rows_out_;
        col_ = col_ + static_cast<uint32_t>(weights) - job_.cols;
      } else {
        col_ += static_cast<uint32_t>(weights);
      }
      counters_.weights += static_cast<uint64_t>(weights);
      counters_.macs += static_cast<uint64_t>(weights) * job_.slots;
      address_ = address_ + 1 == job_.period ? 0 : address_ + 1;
      read_bank(address_);
      if (operand_error && error_ == FactoryError::None) error_ = FactoryError::Operand;
    }
    if (busy_ && lane_error) error_ = FactoryError::Lane;
    if (busy_ && (error_ != FactoryError::None || (rows_out_ == job_.rows && !result_.valid))) {
      busy_ = false;
      done_ = true;
    }
  }

 private:
  void read_bank(uint32_t address) {
    const uint32_t at = address + (job_.act_half == 1 ? kHalfDepth : 0);
    for (int k = 0; k < K; ++k) activation_[k] = bank_[k][at < Config::kBankDepth ? at : 0];
  }

  FactoryJob job_;
  bool busy_ = false, done_ = false;
  FactoryError error_ = FactoryError::None;
  uint32_t col_ = 0, address_ = 0, rows_out_ = 0;
  std::array<FactoryAcc, B> acc_{};
  Result result_;
  std::array<ActivationWord, K> activation_{};              // the banks' read registers
  std::array<std::array<ActivationWord, Config::kBankDepth>, K> bank_{};
  FactoryCounters counters_;
};

}  // namespace ws::hls
