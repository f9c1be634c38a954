// The host driver of the token factory: the same code for every backend
// (the RTL under Verilator, the hls model, golden), since it talks to the
// card only through sim::DeviceTransport: it puts every matrix's table and
// lane streams into device memory once, and for each matrix-vector product
// writes the activations (bf16, laid out for the banks), the registers and
// START, polls STATUS and reads the results back. FactoryLinear routes the
// forward pass's linear layers through it and checks each product against
// golden's (golden/factory/factory_arith.hpp) on the weights golden decodes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "golden/model/linear.hpp"
#include "host/driver/device_model.hpp"
#include "sim/factory/factory_card.hpp"

namespace ws::host {

struct FactoryTotals {
  uint64_t jobs = 0;
  uint64_t cycles = 0;       // start to done, summed over jobs
  uint64_t load_cycles = 0;  // table and activation bank writes
  uint64_t busy_cycles = 0;
  uint64_t stall_input = 0;
  uint64_t stall_output = 0;
  uint64_t weights = 0;
  uint64_t macs = 0;
  uint64_t mac_capacity = 0;             // busy cycles times lanes times the job's slots in use
  uint64_t mac_capacity_with_loads = 0;  // the same over all cycles, loads included
};

class FactoryDriver {
 public:
  // Uploads every matrix of `model`; throws golden::Error (Usage) when device memory is too small.
  FactoryDriver(sim::DeviceTransport& device, const DeviceModel& model);

  // out[b * rows + i] (fp32 bits) = row i of `m` times vector b of x (bf16, batch x cols); batches larger
  // than the card's slots run in several jobs. Throws golden::Error (Mismatch) when the card reports an error.
  void matvec(const DeviceMatrix& m, std::span<const uint16_t> x, int batch, std::span<uint32_t> out);

  const FactoryTotals& totals() const { return totals_; }

 private:
  struct Placement {
    uint64_t table = 0;
    std::vector<uint64_t> lanes;
  };
  uint64_t place(std::span<const uint8_t> bytes);

  sim::DeviceTransport& device_;
  const DeviceModel& model_;
  std::vector<Placement> placements_;  // per model matrix
  uint64_t next_free_ = 0, activations_ = 0, results_ = 0;
  FactoryTotals totals_;
};

class FactoryLinear final : public golden::LinearBackend {
 public:
  FactoryLinear(FactoryDriver& driver, const DeviceModel& model) : driver_(driver), model_(model) {}
  void apply(const golden::LinearWeights& w, std::span<const float> x, std::span<float> out, int batch) override;

  uint64_t products_checked() const { return checked_; }
  uint64_t mismatches() const { return mismatches_; }
  const std::string& first_mismatch() const { return first_mismatch_; }

 private:
  FactoryDriver& driver_;
  const DeviceModel& model_;
  uint64_t checked_ = 0, mismatches_ = 0;
  std::string first_mismatch_;
};

}  // namespace ws::host
