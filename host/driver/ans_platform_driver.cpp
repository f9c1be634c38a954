#include "host/driver/ans_platform_driver.hpp"

#include <algorithm>
#include <sstream>

#include "golden/common/error.hpp"
#include "sim/platform/platform_registers.hpp"

namespace ws::host {

namespace r = sim::platform_reg;
using golden::ErrorCode;
using golden::Status;

namespace {

constexpr uint64_t kAlign = 64;
constexpr uint64_t kPollClocks = 256;

uint64_t aligned(uint64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

template <class T>
std::span<const uint8_t> bytes_of(const std::vector<T>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(T)};
}

std::string card_error(const std::string& name, const char* when, uint64_t status) {
  return "tensor '" + name + "': the card reports \"" + std::string(r::to_text(r::status_error(status))) + "\" " + when;
}

}  // namespace

double platform_roofline(size_t lanes, uint64_t weights, uint64_t bytes_read, double dram_bytes_per_clock) {
  if (dram_bytes_per_clock <= 0 || bytes_read == 0 || weights == 0) return double(lanes);
  return std::min(double(lanes), dram_bytes_per_clock * double(weights) / double(bytes_read));
}

void PlatformSummary::add(const PlatformJob& job, size_t lanes) {
  weights += job.run.weights;
  cycles += job.run.cycles;
  bytes_read += job.bytes_read;
  bytes_written += job.bytes_written;
  table_load_cycles += job.table_load_cycles;
  stall_memory += job.run.stall_input;
  lane_cycles += job.run.cycles * lanes;
  const double limit = platform_roofline(lanes, job.run.weights, job.bytes_read, dram_bytes_per_clock);
  const double clocks = job.run.weights ? double(job.run.weights) / limit : 0.0;
  roofline_cycles += clocks;
  if (limit < double(lanes)) memory_bound_cycles += clocks;
}

nlohmann::json PlatformSummary::to_json(double clock_mhz) const {
  const double period_ns = 1e3 / clock_mhz;
  const double decode_ns = double(cycles) * period_ns;
  const double busy_ns = double(cycles + table_load_cycles) * period_ns;
  const double limit = roofline();
  return {{"bytes_read", bytes_read},
          {"bytes_written", bytes_written},
          {"compressed_bytes_per_weight", weights ? double(bytes_read) / double(weights) : 0.0},
          {"achieved_bytes_per_clock", cycles ? double(bytes_read) / double(cycles) : 0.0},
          {"achieved_gb_per_s", decode_ns > 0 ? double(bytes_read) / decode_ns : 0.0},
          {"memory_wait_fraction", lane_cycles ? double(stall_memory) / double(lane_cycles) : 0.0},
          {"table_load_cycles", table_load_cycles},
          {"decode_ns", decode_ns},
          {"time_ns", busy_ns},
          {"weights_per_second", decode_ns > 0 ? double(weights) / (decode_ns * 1e-9) : 0.0},
          {"weights_per_second_with_table_loads", busy_ns > 0 ? double(weights) / (busy_ns * 1e-9) : 0.0},
          {"roofline", limit},
          {"measured_over_roofline", limit > 0 ? weights_per_clock() / limit : 0.0},
          {"bound", bound()}};
}

PlatformJob AnsCardDriver::run(const std::string& name, const golden::TensorSetup& setup,
                               const golden::SetupDecode& expected, uint64_t hang_clocks) {
  if (Status s = prepare(name, setup); !s.ok()) {
    PlatformJob job;
    job.run.status = std::move(s);
    return job;
  }
  start();
  return finish(expected, hang_clocks);
}

sim::TensorRun AnsCardDriver::run_tensor(const golden::EncodedTensor& t, const golden::TansTable& table,
                                         const std::string& source, PlatformJob& job) {
  job = {};
  const int width = static_cast<int>(card_.read_register(r::kPatternWidth));
  return sim::run_container_tensor_with(t, table, source, width,
                                        [&](const golden::TensorSetup& setup, const golden::SetupDecode& expected) {
                                          job = run(t.name, setup, expected);
                                          return job.run;
                                        });
}

Status AnsCardDriver::prepare(const std::string& name, const golden::TensorSetup& setup) {
  name_ = name;
  lanes_ = setup.lanes.size();
  table_load_cycles_ = 0;
  const uint64_t built = card_.read_register(r::kBuiltLanes);
  if (lanes_ > built) {
    return {ErrorCode::Usage,
            "tensor '" + name + "' has " + std::to_string(lanes_) + " lanes, the card " + std::to_string(built)};
  }
  const uint64_t history = card_.read_register(r::kHistoryDepth);
  if (setup.cfg.repeat_enable && setup.cfg.repeat_distance > history) {
    return {ErrorCode::Usage, "tensor '" + name + "': REPEAT distance of " + std::to_string(setup.cfg.repeat_distance) +
                                  " lane symbols exceeds the card's history of " + std::to_string(history)};
  }

  // Device memory: the table, each lane's stream, the results (row * lanes + k).
  uint64_t rows = 0;
  for (const golden::LaneSetup& lane : setup.lanes) rows = std::max(rows, lane.count);
  std::vector<uint64_t> lane_at(lanes_);
  uint64_t next = aligned(8 * setup.table.size());
  for (size_t k = 0; k < lanes_; ++k) {
    lane_at[k] = next;
    next = aligned(next + 4 * setup.lanes[k].words.size());
  }
  result_at_ = next;
  result_words_ = rows * lanes_;
  if (result_at_ + 4 * result_words_ > card_.memory_bytes()) {
    return {ErrorCode::BadInput, "tensor '" + name + "' needs " + std::to_string(result_at_ + 4 * result_words_) +
                                     " bytes of device memory, the card has " + std::to_string(card_.memory_bytes())};
  }
  const bool table_held = !loaded_table_.empty() && loaded_table_ == setup.table;
  if (!table_held) card_.write_memory(0, bytes_of(setup.table));
  for (size_t k = 0; k < lanes_; ++k) card_.write_memory(lane_at[k], bytes_of(setup.lanes[k].words));
  card_.write_memory(result_at_, bytes_of(std::vector<uint32_t>(result_words_, kPoison)));

  card_.write_register(r::kControl, r::kClear);
  if (!table_held) {
    loaded_table_.clear();
    card_.write_register(r::kTableAddr, 0);
    card_.write_register(r::kTableWords, setup.table.size());
    card_.write_register(r::kControl, r::kLoadTable);
    uint64_t status = card_.read_register(r::kStatus);
    for (; status & r::kBusy; status = card_.read_register(r::kStatus)) card_.wait_clocks(16);
    if (r::status_error(status) != r::PlatformError::None) {
      return {ErrorCode::BadInput, card_error(name, "on LOAD_TABLE", status)};
    }
    table_load_cycles_ = card_.read_register(r::kTableLoadCycles);
    loaded_table_ = setup.table;
  }
  card_.write_register(r::kAnsCfg, setup.cfg.pack());
  card_.write_register(r::kResultAddr, result_at_);
  card_.write_register(r::kLanes, lanes_);
  for (size_t k = 0; k < lanes_; ++k) {
    const uint32_t base = r::kLaneBase + static_cast<uint32_t>(k) * r::kLaneStride;
    card_.write_register(base + r::kLaneAddr, lane_at[k]);
    card_.write_register(base + r::kLaneWords, setup.lanes[k].words.size());
    card_.write_register(base + r::kLaneSymbols, setup.lanes[k].count);
  }
  return {};
}

void AnsCardDriver::start() { card_.write_register(r::kControl, r::kStart); }

PlatformJob AnsCardDriver::finish(const golden::SetupDecode& expected, uint64_t hang_clocks) {
  PlatformJob job;
  job.table_load_cycles = table_load_cycles_;
  auto stop = [&](ErrorCode code, const std::string& message, int lane = -1) {
    job.run.status = Status(code, message);
    job.run.error_lane = lane;
    return job;
  };
  uint64_t status = card_.read_register(r::kStatus);
  for (uint64_t progress = 0, still = 0; !(status & r::kDone) && r::status_error(status) == r::PlatformError::None;
       status = card_.read_register(r::kStatus)) {
    card_.wait_clocks(kPollClocks);
    const uint64_t now = card_.read_register(r::kWeights) + card_.read_register(r::kBytesRead);
    still = now == progress ? still + kPollClocks : 0;
    progress = now;
    if (still >= hang_clocks) {
      card_.write_register(r::kControl, r::kAbort);
      return stop(ErrorCode::Hang, "tensor '" + name_ + "': hang, the card moved nothing for " + std::to_string(still) +
                                       " clocks after " + std::to_string(card_.read_register(r::kWeights)) + " of " +
                                       std::to_string(expected.weights.size()) + " weights");
    }
  }
  job.run.cycles = card_.read_register(r::kCycles);
  job.run.stall_input = card_.read_register(r::kStallMemory);
  job.run.stall_refill = card_.read_register(r::kStallRefill);
  job.run.stall_output = card_.read_register(r::kStallOutput);
  job.bytes_read = card_.read_register(r::kBytesRead);
  job.bytes_written = card_.read_register(r::kBytesWritten);
  const uint64_t written = card_.read_register(r::kWeights);

  const r::PlatformError error = r::status_error(status);
  if (error == r::PlatformError::LaneError) {
    const int lane = r::status_lane(status);
    const contract::LaneError actual = r::status_lane_error(status);
    const contract::LaneError wanted = static_cast<size_t>(lane) < lanes_
                                           ? expected.lane_errors[static_cast<size_t>(lane)]
                                           : contract::LaneError::None;
    const Status verdict = sim::lane_error_verdict(name_, static_cast<size_t>(lane), "the card", actual, wanted);
    return stop(verdict.code(), verdict.message(), lane);
  }
  // The driver checked what it could; what the card still refuses comes from the input.
  if (error != r::PlatformError::None) return stop(ErrorCode::BadInput, card_error(name_, "on START", status));
  for (size_t k = 0; k < lanes_; ++k) {
    if (expected.lane_errors[k] != contract::LaneError::None) {
      return stop(ErrorCode::Mismatch,
                  "tensor '" + name_ + "' lane " + std::to_string(k) + ": golden reports \"" +
                      contract::to_text(expected.lane_errors[k]) + "\", the card reports no error",
                  static_cast<int>(k));
    }
  }

  std::vector<uint32_t> results(result_words_);
  card_.read_memory(result_at_, {reinterpret_cast<uint8_t*>(results.data()), 4 * results.size()});
  const uint64_t total = expected.weights.size();
  for (uint64_t i = 0; i < total; ++i) {
    if (results[i] == expected.weights[i]) continue;
    std::ostringstream msg;
    msg << "tensor '" << name_ << "' weight " << i << " (lane " << i % lanes_ << ", row " << i / lanes_
        << "): expected 0x" << std::hex << expected.weights[i] << ", actual ";
    if (results[i] == kPoison) {
      msg << "none written";
    } else {
      msg << "0x" << results[i];
    }
    return stop(ErrorCode::Mismatch, msg.str(), static_cast<int>(i % lanes_));
  }
  if (written != total) {
    return stop(ErrorCode::Mismatch, "tensor '" + name_ + "': the card wrote " + std::to_string(written) +
                                         " weights, golden decodes " + std::to_string(total));
  }
  job.run.weights = total;
  return job;
}

}  // namespace ws::host
