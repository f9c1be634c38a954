#include "sim/factory/factory_card.hpp"

#include <cstring>
#include <string>

#include "golden/codec/lane_setup.hpp"
#include "golden/common/error.hpp"
#include "golden/factory/mx_stream.hpp"

namespace ws::sim {
namespace r = factory_reg;
namespace gf = golden::factory;

namespace {

template <class T>
std::vector<T> read_words(std::span<const uint8_t> bytes) {
  std::vector<T> words(bytes.size() / sizeof(T));
  if (!words.empty()) std::memcpy(words.data(), bytes.data(), words.size() * sizeof(T));  // little-endian host
  return words;
}

uint64_t status_word(const FactoryStatus& s, int error_lane) {
  return uint64_t{s.busy} | uint64_t{s.done} << 1 | uint64_t(s.error) << 2 | uint64_t(error_lane & 0xFF) << 8;
}

}  // namespace

FactoryCard::FactoryCard(const FactoryCardOptions& options)
    : options_(options), memory_(options.memory_bytes, 0), registers_(r::kEnd / 8, 0) {
  if (options.engine != EngineKind::Golden) engine_ = make_factory_engine(options.engine, options.trace_path);
}

std::span<uint8_t> FactoryCard::memory(uint64_t address, uint64_t bytes, const char* what) {
  if (address > memory_.size() || bytes > memory_.size() - address) {
    throw golden::Error(golden::ErrorCode::Usage, std::string("token factory card: ") + what + " at " +
                                                      std::to_string(address) + " (+" + std::to_string(bytes) +
                                                      " bytes) is outside device memory");
  }
  return std::span<uint8_t>(memory_).subspan(address, bytes);
}

void FactoryCard::write_memory(uint64_t address, std::span<const uint8_t> bytes) {
  std::span<uint8_t> to = memory(address, bytes.size(), "a write");
  std::copy(bytes.begin(), bytes.end(), to.begin());
}

void FactoryCard::read_memory(uint64_t address, std::span<uint8_t> bytes) {
  std::span<uint8_t> from = memory(address, bytes.size(), "a read");
  std::copy(from.begin(), from.end(), bytes.begin());
}

void FactoryCard::write_register(uint32_t address, uint64_t value) {
  if (address % 8 != 0 || address >= r::kEnd || address == r::kStatus || address >= r::kCycles) {
    throw golden::Error(golden::ErrorCode::Usage,
                        "token factory card: no writable register at " + std::to_string(address));
  }
  reg(address) = value;
  if (address == r::kControl && (value & 1) != 0) run_job();
}

uint64_t FactoryCard::read_register(uint32_t address) {
  if (address % 8 != 0 || address >= r::kEnd) {
    throw golden::Error(golden::ErrorCode::Usage, "token factory card: no register at " + std::to_string(address));
  }
  return reg(address);
}

// The job runs to its end at the START write; STATUS then reads done.
void FactoryCard::run_job() {
  const int lanes = FactoryEngineBase::kLanes;
  const int built_slots = FactoryEngineBase::kSlots;
  gf::FactoryJob job;
  job.rows = static_cast<uint32_t>(reg(r::kRows));
  job.cols = static_cast<uint32_t>(reg(r::kCols));
  job.period = static_cast<uint32_t>(reg(r::kPeriod));
  job.lanes = static_cast<uint32_t>(reg(r::kLanes));
  job.slots = static_cast<uint32_t>(reg(r::kSlots));
  job.source = static_cast<uint32_t>(reg(r::kSource));
  job.block = static_cast<uint32_t>(reg(r::kBlock));
  const bool mx = job.source == 1;

  golden::TensorSetup setup;
  setup.hardware_width = 16;
  setup.cfg = contract::AnsCfg::unpack(reg(r::kAnsCfg));
  setup.table = read_words<uint64_t>(memory(reg(r::kTableAddr), reg(r::kTableWords) * 8, "the table"));
  const uint32_t used_lanes = std::min<uint32_t>(job.lanes, static_cast<uint32_t>(lanes));
  for (uint32_t k = 0; k < (mx ? 2 : used_lanes); ++k) {
    const uint32_t base = r::kLaneBase + k * r::kLaneStride;
    golden::LaneSetup lane;
    lane.words = read_words<uint32_t>(memory(reg(base), reg(base + 8) * 4, "a lane stream"));
    lane.stream_bytes = lane.words.size() * 4;
    lane.count = reg(base + 16);
    setup.lanes.push_back(std::move(lane));
  }
  const uint64_t image_words = uint64_t{used_lanes} * job.period * built_slots;
  const gf::ActivationImage image(
      read_words<uint16_t>(memory(reg(r::kActAddr), image_words * 2, "the activation banks")), used_lanes,
      job.period, built_slots);

  FactoryStatus status;
  std::vector<uint32_t> results;
  uint64_t cycles = 0, load_cycles = setup.table.size() + uint64_t{used_lanes} * job.period;
  int error_lane = 0;
  if (engine_) {
    FactoryRunOptions o = options_.run;
    o.seed = options_.run.seed + job_seed_++;
    const FactoryRunResult run = run_factory(*engine_, setup, job, image, o);
    if (run.hung) throw golden::Error(golden::ErrorCode::Hang, "token factory card: the engine hung");
    status = run.status;
    results = run.results;
    cycles = run.cycles;
    for (int k = 0; k < lanes; ++k) {
      if (engine_->lane_error(k) != contract::LaneError::None) {
        error_lane = k;
        break;
      }
    }
  } else {
    // Golden: its reading of the same streams, then the bank layout's products.
    golden::SetupDecode decode;
    std::vector<uint16_t> mx_weights;
    if (mx) {
      decode.lane_errors.assign(2, contract::LaneError::None);
      if (!gf::mx_read_streams(setup.lanes.at(0).words, setup.lanes.at(1).words, job.rows, job.cols, job.block,
                               static_cast<int>(job.lanes), mx_weights)) {
        decode.lane_errors[0] = contract::LaneError::StreamEndsEarly;
      }
      decode.weights.assign(mx_weights.begin(), mx_weights.end());
    } else {
      decode = golden::decode_tensor_setup(setup);
    }
    status.done = true;
    if (!decode.ok()) {
      status.error = contract::FactoryError::Lane;
      for (size_t k = 0; k < decode.lane_errors.size(); ++k) {
        if (decode.lane_errors[k] != contract::LaneError::None) {
          error_lane = static_cast<int>(k);
          break;
        }
      }
    } else if (!(mx ? gf::golden_mx_factory_run(mx_weights, job, image, results)
                    : gf::golden_factory_run(decode.weights, job, image, results))) {
      status.error = contract::FactoryError::Operand;
    }
    uint64_t beats = 0;  // one a clock: the MX code words, or the longest lane's symbols
    if (mx) {
      beats = setup.lanes.at(0).words.size();
    } else {
      for (const golden::LaneSetup& lane : setup.lanes) beats = std::max(beats, lane.count);
    }
    cycles = beats;
    status.counters.busy_cycles = beats;
    status.counters.weights = decode.weights.size();
    status.counters.macs = decode.weights.size() * job.slots;
  }
  if (!results.empty()) {
    std::span<uint8_t> out = memory(reg(r::kResultAddr), results.size() * 4, "the results");
    std::memcpy(out.data(), results.data(), out.size());
  }
  reg(r::kStatus) = status_word(status, error_lane);
  reg(r::kControl) = 0;
  reg(r::kCycles) = cycles;
  reg(r::kLoadCycles) = load_cycles;
  reg(r::kBusyCycles) = status.counters.busy_cycles;
  reg(r::kStallInput) = status.counters.stall_input;
  reg(r::kStallOutput) = status.counters.stall_output;
  reg(r::kWeights) = status.counters.weights;
  reg(r::kMacs) = status.counters.macs;
}

}  // namespace ws::sim
