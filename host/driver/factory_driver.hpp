// The host driver of the token factory: the same code for every backend
// (the RTL under Verilator, the hls model, golden), since it talks to the
// card only through sim::DeviceTransport. It puts every matrix's table and
// lane streams into device memory once. For each matrix-vector product it
// loads the table and the activations (bf16, laid out for the banks) into
// the card's RAMs unless a table slot or bank half already holds them,
// writes the registers and START, polls STATUS and reads the results back.
// Before each START it queues later jobs' loads into the parts the job does
// not read, so that they are hidden behind it: the next pass's activations,
// and the tables of the four matrices that followed this one last time (the
// forward pass's order, learned in its first step). The activations of a
// product that depends on the one before cannot be loaded ahead.
// FactoryLinear routes the forward pass's linear layers through it and
// checks each product against golden's (golden/factory/factory_arith.hpp)
// on the weights golden decodes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "golden/factory/factory_job.hpp"
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
  uint32_t table_slots(int index) const;
  int load_table(int index, std::span<const int> keep);
  void load_image(const golden::factory::ActivationImage& image, uint32_t half);
  int image_half(const golden::factory::ActivationImage& image) const;

  sim::DeviceTransport& device_;
  const DeviceModel& model_;
  std::vector<Placement> placements_;  // per model matrix
  uint64_t next_free_ = 0, activations_ = 0, results_ = 0;
  FactoryTotals totals_;
  // What the card's RAMs hold, as far as the driver has loaded them: each matrix's first table slot
  // (or -1), each slot's matrix (or -1), the image in each bank half.
  static constexpr size_t kLookAhead = 4;  // tables loaded ahead of their jobs
  std::vector<int> table_slot_;
  std::array<int, sim::factory_reg::kTableSlots> slot_owner_{};
  uint32_t next_slot_ = 0;  // where the search for a free slot starts: round robin
  std::array<std::optional<golden::factory::ActivationImage>, 2> image_in_half_;
  uint32_t last_act_half_ = 0;  // the bank half the last job read
  int last_matrix_ = -1;
  std::vector<int> next_after_;  // per matrix: the one called after it last time, or -1
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
