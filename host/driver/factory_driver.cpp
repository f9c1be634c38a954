#include "host/driver/factory_driver.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "golden/common/error.hpp"
#include "golden/factory/factory_job.hpp"
#include "golden/factory/mx_stream.hpp"

namespace ws::host {
namespace r = sim::factory_reg;
namespace gf = golden::factory;

namespace {

template <class T>
std::span<const uint8_t> as_bytes(const std::vector<T>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(T)};
}

constexpr int kSlots = sim::FactoryEngineBase::kSlots;
constexpr int kLanes = sim::FactoryEngineBase::kLanes;

}  // namespace

uint64_t FactoryDriver::place(std::span<const uint8_t> bytes) {
  const uint64_t at = next_free_;
  if (bytes.size() > device_.memory_bytes() - at) {
    throw golden::Error(golden::ErrorCode::Usage, "the weights do not fit the card's " +
                                                      std::to_string(device_.memory_bytes()) + " bytes of memory");
  }
  device_.write_memory(at, bytes);
  next_free_ = (at + bytes.size() + 63) / 64 * 64;
  return at;
}

FactoryDriver::FactoryDriver(sim::DeviceTransport& device, const DeviceModel& model) : device_(device), model_(model) {
  for (const DeviceMatrix& m : model.matrices) {
    Placement p;
    p.table = place(as_bytes(m.setup.table));
    for (const golden::LaneSetup& lane : m.setup.lanes) p.lanes.push_back(place(as_bytes(lane.words)));
    placements_.push_back(std::move(p));
  }
  next_after_.assign(model.matrices.size(), -1);
  table_slot_.assign(model.matrices.size(), -1);
  slot_owner_.fill(-1);
  int64_t rows = 0;
  for (const DeviceMatrix& m : model.matrices) rows = std::max(rows, m.rows);
  activations_ = place(std::vector<uint8_t>(size_t{kLanes} * sim::FactoryEngineBase::kBankDepth * kSlots * 2));
  results_ = place(std::vector<uint8_t>(static_cast<size_t>(rows) * kSlots * 4));
}

// Table slots a matrix's table takes (a power of two), or 0 for none (an MX matrix).
uint32_t FactoryDriver::table_slots(int index) const {
  const DeviceMatrix& m = model_.matrices.at(static_cast<size_t>(index));
  if (m.source != 0) return 0;
  return std::max<uint32_t>(1, static_cast<uint32_t>(m.setup.table.size() / r::kTableSlotWords));
}

// A LOAD of matrix `index`'s table into a free aligned group of table slots,
// none of them holding a table in `keep`; returns the first slot, or -1 when
// there is none. The card queues the load behind the ones before it.
int FactoryDriver::load_table(int index, std::span<const int> keep) {
  const uint32_t group = table_slots(index);
  for (uint32_t tried = 0; tried < r::kTableSlots; tried += group) {
    const uint32_t first = (next_slot_ + tried) / group * group % r::kTableSlots;
    bool free = true;
    for (uint32_t t = first; t < first + group; ++t) {
      free = free && std::ranges::find(keep, slot_owner_[t]) == keep.end();
    }
    if (!free) continue;
    for (uint32_t t = first; t < first + group; ++t) {
      if (slot_owner_[t] >= 0) table_slot_[static_cast<size_t>(slot_owner_[t])] = -1;
      slot_owner_[t] = index;
    }
    table_slot_[static_cast<size_t>(index)] = static_cast<int>(first);
    next_slot_ = (first + group) % r::kTableSlots;
    const DeviceMatrix& m = model_.matrices.at(static_cast<size_t>(index));
    device_.write_register(r::kTableAddr, placements_.at(static_cast<size_t>(index)).table);
    device_.write_register(r::kTableWords, m.setup.table.size());
    device_.write_register(r::kLoadSlot, first);
    device_.write_register(r::kControl, r::kLoadTable);
    return static_cast<int>(first);
  }
  return -1;
}

void FactoryDriver::load_image(const gf::ActivationImage& image, uint32_t half) {
  device_.write_memory(activations_, {reinterpret_cast<const uint8_t*>(image.data().data()), image.data().size() * 2});
  device_.write_register(r::kActAddr, activations_);
  device_.write_register(r::kLanes, image.lanes());
  device_.write_register(r::kPeriod, image.period());
  device_.write_register(r::kLoadSlot, half);
  device_.write_register(r::kControl, r::kLoadBanks);
  image_in_half_[half] = image;
  if (image.period() > r::kBankHalfWords) image_in_half_[1 - half].reset();
}

// Which half holds the image, or -1.
int FactoryDriver::image_half(const gf::ActivationImage& image) const {
  for (int h = 0; h < 2; ++h) {
    const std::optional<gf::ActivationImage>& held = image_in_half_[static_cast<size_t>(h)];
    if (held && held->lanes() == image.lanes() && held->period() == image.period() &&
        std::ranges::equal(held->data(), image.data())) {
      return h;
    }
  }
  return -1;
}

void FactoryDriver::matvec(const DeviceMatrix& m, std::span<const uint16_t> x, int batch, std::span<uint32_t> out) {
  const auto index = static_cast<int>(&m - model_.matrices.data());
  const Placement& p = placements_.at(static_cast<size_t>(index));
  const bool mx = m.source == 1;
  const auto lanes = mx ? static_cast<uint32_t>(kLanes) : static_cast<uint32_t>(m.setup.lanes.size());
  const auto cols = static_cast<uint32_t>(m.cols);
  if (last_matrix_ >= 0)
    next_after_[static_cast<size_t>(last_matrix_)] = index;  // the order of the forward pass, learned
  last_matrix_ = index;
  std::vector<gf::ActivationImage> images;
  for (int first = 0; first < batch; first += kSlots) {
    const int slots = std::min(kSlots, batch - first);
    const auto vectors = x.subspan(static_cast<size_t>(first) * cols, static_cast<size_t>(slots) * cols);
    images.push_back(mx ? gf::mx_activation_image(vectors, cols, m.block, kLanes, slots, kSlots)
                        : gf::ActivationImage(vectors, cols, lanes, slots, kSlots));
  }
  for (size_t pass = 0; pass < images.size(); ++pass) {
    const int first = static_cast<int>(pass) * kSlots;
    const int slots = std::min(kSlots, batch - first);
    const gf::ActivationImage& image = images[pass];
    // What this job reads: its table and image where they already are, else loaded now (not hidden).
    int table_slot = 0;
    if (!mx) {
      table_slot = table_slot_[static_cast<size_t>(index)];
      if (table_slot < 0) table_slot = load_table(index, {});
    }
    int act_half = image_half(image);
    if (act_half < 0) {
      act_half = image.period() > r::kBankHalfWords ? 0 : static_cast<int>(1 - last_act_half_);
      load_image(image, static_cast<uint32_t>(act_half));
    }
    // Later jobs' loads, into parts this one does not read: hidden behind it and the next ones. The next
    // pass's image; the tables of the matrices that followed this one last time, kLookAhead of them.
    if (pass + 1 < images.size()) {
      const gf::ActivationImage& next = images[pass + 1];
      if (image.period() <= r::kBankHalfWords && next.period() <= r::kBankHalfWords && image_half(next) < 0) {
        load_image(next, static_cast<uint32_t>(1 - act_half));
      }
    }
    if (pass == 0) {
      std::vector<int> keep{index};
      for (int next = next_after_[static_cast<size_t>(index)]; next >= 0 && keep.size() <= kLookAhead && next != index;
           next = next_after_[static_cast<size_t>(next)]) {
        keep.push_back(next);
        if (table_slots(next) > 0 && table_slot_[static_cast<size_t>(next)] < 0 && load_table(next, keep) < 0) break;
      }
    }
    contract::AnsCfg cfg = m.setup.cfg;
    cfg.table_slot = static_cast<uint8_t>(table_slot);
    device_.write_register(r::kAnsCfg, cfg.pack());
    device_.write_register(r::kActHalf, static_cast<uint64_t>(act_half));
    device_.write_register(r::kResultAddr, results_);
    device_.write_register(r::kRows, static_cast<uint64_t>(m.rows));
    device_.write_register(r::kCols, cols);
    device_.write_register(r::kPeriod, image.period());
    device_.write_register(r::kLanes, lanes);
    device_.write_register(r::kSlots, static_cast<uint64_t>(slots));
    device_.write_register(r::kSource, m.source);
    device_.write_register(r::kBlock, m.block);
    for (uint32_t k = 0; k < m.setup.lanes.size(); ++k) {
      const uint32_t base = r::kLaneBase + k * r::kLaneStride;
      device_.write_register(base, p.lanes[k]);
      device_.write_register(base + 8, m.setup.lanes[k].words.size());
      device_.write_register(base + 16, m.setup.lanes[k].count);
    }
    device_.write_register(r::kControl, r::kStart);
    last_act_half_ = static_cast<uint32_t>(act_half);
    uint64_t status = 0;
    for (int poll = 0; poll < 1000000; ++poll) {
      status = device_.read_register(r::kStatus);
      if ((status & 2) != 0) break;
      device_.wait_clocks(64);  // a card that runs on a clock (the platform) runs meanwhile
    }
    const auto error = static_cast<contract::FactoryError>((status >> 2) & 3);
    if ((status & 2) == 0 || error != contract::FactoryError::None) {
      std::string why = (status & 2) == 0 ? "never finished" : std::string("stopped: ") + to_text(error);
      if (error == contract::FactoryError::Lane) why += " (lane " + std::to_string((status >> 8) & 0xFF) + ")";
      throw golden::Error(golden::ErrorCode::Mismatch, "token factory, " + m.name + ": the card " + why);
    }
    std::vector<uint32_t> results(static_cast<size_t>(m.rows) * slots);
    device_.read_memory(results_, {reinterpret_cast<uint8_t*>(results.data()), results.size() * 4});
    for (int b = 0; b < slots; ++b) {
      for (int64_t i = 0; i < m.rows; ++i) out[static_cast<size_t>(first + b) * m.rows + i] = results[i * slots + b];
    }
    ++totals_.jobs;
    const uint64_t cycles = device_.read_register(r::kCycles), loads = device_.read_register(r::kLoadCycles);
    const uint64_t busy = device_.read_register(r::kBusyCycles);
    totals_.cycles += cycles;
    totals_.load_cycles += loads;
    totals_.busy_cycles += busy;
    totals_.mac_capacity += busy * kLanes * static_cast<uint64_t>(slots);
    totals_.mac_capacity_with_loads += (cycles + loads) * kLanes * static_cast<uint64_t>(slots);
    totals_.stall_input += device_.read_register(r::kStallInput);
    totals_.stall_output += device_.read_register(r::kStallOutput);
    totals_.weights += device_.read_register(r::kWeights);
    totals_.macs += device_.read_register(r::kMacs);
  }
}

void FactoryLinear::apply(const golden::LinearWeights& w, std::span<const float> x, std::span<float> out, int batch) {
  const DeviceMatrix& m = model_.find(w.name);
  const std::vector<uint16_t> x16 = gf::to_bf16_activations(x.first(static_cast<size_t>(batch) * w.cols));
  std::vector<uint32_t> device(static_cast<size_t>(batch) * m.rows), expected(device.size());
  driver_.matvec(m, x16, batch, device);
  gf::matvec(m.weights, m.rows, m.cols, x16, batch, expected);
  for (size_t i = 0; i < device.size(); ++i) {
    if (device[i] != expected[i] && mismatches_++ == 0) {
      first_mismatch_ = m.name + " slot " + std::to_string(i / m.rows) + " row " + std::to_string(i % m.rows) +
                        ": expected " + std::to_string(expected[i]) + ", device " + std::to_string(device[i]);
    }
    out[i] = std::bit_cast<float>(device[i]);
  }
  checked_ += device.size();
}

}  // namespace ws::host
