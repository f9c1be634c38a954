#include "host/driver/factory_driver.hpp"

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
  int64_t rows = 0;
  for (const DeviceMatrix& m : model.matrices) rows = std::max(rows, m.rows);
  activations_ = place(std::vector<uint8_t>(size_t{kLanes} * sim::FactoryEngineBase::kBankDepth * kSlots * 2));
  results_ = place(std::vector<uint8_t>(static_cast<size_t>(rows) * kSlots * 4));
}

void FactoryDriver::matvec(const DeviceMatrix& m, std::span<const uint16_t> x, int batch, std::span<uint32_t> out) {
  const size_t index = static_cast<size_t>(&m - model_.matrices.data());
  const Placement& p = placements_.at(index);
  const bool mx = m.source == 1;
  const auto lanes = mx ? static_cast<uint32_t>(kLanes) : static_cast<uint32_t>(m.setup.lanes.size());
  const auto cols = static_cast<uint32_t>(m.cols);
  for (int first = 0; first < batch; first += kSlots) {
    const int slots = std::min(kSlots, batch - first);
    const auto vectors = x.subspan(static_cast<size_t>(first) * cols, static_cast<size_t>(slots) * cols);
    const gf::ActivationImage image = mx ? gf::mx_activation_image(vectors, cols, m.block, kLanes, slots, kSlots)
                                         : gf::ActivationImage(vectors, cols, lanes, slots, kSlots);
    device_.write_memory(activations_, {reinterpret_cast<const uint8_t*>(image.data().data()), image.data().size() * 2});
    device_.write_register(r::kTableAddr, p.table);
    device_.write_register(r::kTableWords, m.setup.table.size());
    device_.write_register(r::kAnsCfg, m.setup.cfg.pack());
    device_.write_register(r::kActAddr, activations_);
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
    device_.write_register(r::kControl, 1);
    uint64_t status = 0;
    for (int poll = 0; poll < 1000000; ++poll) {
      status = device_.read_register(r::kStatus);
      if ((status & 2) != 0) break;
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
