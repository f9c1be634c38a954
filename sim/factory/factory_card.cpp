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

}  // namespace

FactoryCard::FactoryCard(const FactoryCardOptions& options) { reset(options); }

void FactoryCard::reset(const FactoryCardOptions& options) {
  engine_.reset();  // before its successor: one Verilated instance at a time
  options_ = options;
  own_memory_.assign(options.memory.empty() ? options.memory_bytes : 0, 0);
  memory_ = options.memory.empty() ? std::span<uint8_t>(own_memory_) : options.memory;
  registers_.assign(r::kEnd / 8, 0);
  job_seed_ = 0;
  table_queue_.clear();
  bank_queue_.clear();
  table_ram_.assign(size_t{1} << contract::kTableLogMax, 0);
  bank_ram_.assign(size_t{FactoryEngineBase::kLanes} * FactoryEngineBase::kBankDepth, {});
  table_loaded_ = {};
  banks_loaded_ = {};
  if (options.engine != EngineKind::Golden) engine_ = make_factory_engine(options.engine, options.trace_path);
}

std::span<uint8_t> FactoryCard::memory(uint64_t address, uint64_t bytes, const char* what) {
  if (address > memory_.size() || bytes > memory_.size() - address) {
    throw golden::Error(golden::ErrorCode::Usage, std::string("token factory card: ") + what + " at " +
                                                      std::to_string(address) + " (+" + std::to_string(bytes) +
                                                      " bytes) is outside device memory");
  }
  return memory_.subspan(address, bytes);
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
  if (address != r::kControl) return;
  if ((value & r::kLoadTable) != 0) queue_load(true);
  if ((value & r::kLoadBanks) != 0) queue_load(false);
  reg(r::kControl) = 0;
  if ((value & r::kStart) != 0) start_job();
}

uint64_t FactoryCard::read_register(uint32_t address) {
  if (address % 8 != 0 || address >= r::kEnd) {
    throw golden::Error(golden::ErrorCode::Usage, "token factory card: no register at " + std::to_string(address));
  }
  return reg(address);
}

// A LOAD copies from device memory now and joins its write port's queue;
// the port writes it during the next runs (or before one that reads it).
void FactoryCard::queue_load(bool table) {
  const uint64_t slot = reg(r::kLoadSlot);
  const uint64_t slots = table ? r::kTableSlots : 2;
  if (slot >= slots) {
    throw golden::Error(golden::ErrorCode::Usage, std::string("token factory card: a load into ") +
                                                      (table ? "table slot " : "bank half ") + std::to_string(slot) +
                                                      " (there are " + std::to_string(slots) + ")");
  }
  QueuedLoad load;
  if (table) {
    const std::vector<uint64_t> words =
        read_words<uint64_t>(memory(reg(r::kTableAddr), reg(r::kTableWords) * 8, "the table"));
    load.first = static_cast<uint32_t>(slot * r::kTableSlotWords);
    if (words.empty() || words.size() > table_ram_.size() - load.first) {
      throw golden::Error(golden::ErrorCode::Usage, "token factory card: a table of " + std::to_string(words.size()) +
                                                        " words does not fit from slot " + std::to_string(slot) +
                                                        " (1 .. " + std::to_string(table_ram_.size() - load.first) +
                                                        " words)");
    }
    load.extent = static_cast<uint32_t>(words.size());
    load.loads.add_table(words, load.first);
    for (size_t u = 0; u < words.size(); ++u) table_ram_[load.first + u] = words[u];
    for (uint32_t t = load.first / r::kTableSlotWords; t * r::kTableSlotWords < load.first + load.extent; ++t) {
      table_loaded_[t] = true;
    }
    table_queue_.push_back(std::move(load));
  } else {
    const uint64_t lanes = reg(r::kLanes), period = reg(r::kPeriod);
    load.first = static_cast<uint32_t>(slot * r::kBankHalfWords);
    const uint64_t room = FactoryEngineBase::kBankDepth - load.first;
    if (lanes == 0 || lanes > FactoryEngineBase::kLanes || period == 0 || period > room) {
      throw golden::Error(golden::ErrorCode::Usage,
                          "token factory card: a bank image of " + std::to_string(lanes) + " lanes x " +
                              std::to_string(period) + " words does not fit the banks from half " +
                              std::to_string(slot) + " (1 .. " + std::to_string(FactoryEngineBase::kLanes) +
                              " lanes x 1 .. " + std::to_string(room) + " words)");
    }
    const uint64_t words = lanes * period * FactoryEngineBase::kSlots;
    const gf::ActivationImage image(read_words<uint16_t>(memory(reg(r::kActAddr), words * 2, "the activation banks")),
                                    static_cast<uint32_t>(lanes), static_cast<uint32_t>(period),
                                    FactoryEngineBase::kSlots);
    load.extent = static_cast<uint32_t>(period);
    load.loads.add_image(image, load.first);
    for (const FactoryLoads::BankWord& w : load.loads.banks) {
      bank_ram_[static_cast<size_t>(w.lane) * FactoryEngineBase::kBankDepth + w.address] = w.word;
    }
    for (uint32_t h = load.first / r::kBankHalfWords; h * r::kBankHalfWords < load.first + load.extent; ++h) {
      banks_loaded_[h] = true;
    }
    bank_queue_.push_back(std::move(load));
  }
}

// The loads of a port's queue up to the last one that writes [first, first + extent) go before the run.
size_t FactoryCard::loads_before(const std::deque<QueuedLoad>& queue, uint32_t first, uint32_t extent) {
  size_t before = 0;
  for (size_t i = 0; i < queue.size(); ++i) {
    if (queue[i].first < first + extent && first < queue[i].first + queue[i].extent) before = i + 1;
  }
  return before;
}

// Drops the first `words` words the port has written from its queue.
void FactoryCard::written(std::deque<QueuedLoad>& queue, bool table, size_t words) {
  while (words > 0 && !queue.empty()) {
    FactoryLoads& head = queue.front().loads;
    const size_t in_head = table ? head.table.size() : head.banks.size();
    const size_t n = std::min(words, in_head);
    if (table) {
      head.table.erase(head.table.begin(), head.table.begin() + static_cast<std::ptrdiff_t>(n));
    } else {
      head.banks.erase(head.banks.begin(), head.banks.begin() + static_cast<std::ptrdiff_t>(n));
    }
    words -= n;
    if (n == in_head) queue.pop_front();
  }
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
  job.act_half = static_cast<uint32_t>(reg(r::kActHalf));
  const bool mx = job.source == 1;

  golden::TensorSetup setup;
  setup.hardware_width = 16;
  setup.cfg = contract::AnsCfg::unpack(reg(r::kAnsCfg));

  // What the job reads: its table (the ANS source) and its bank words.
  const uint32_t table_first = uint32_t{setup.cfg.table_slot} * r::kTableSlotWords;
  const uint32_t table_words = mx ? 0 : uint32_t{1} << setup.cfg.table_log;
  const uint32_t bank_first = (job.act_half & 1) * r::kBankHalfWords;
  const bool bad_parts =
      job.period > FactoryEngineBase::kBankDepth || job.act_half > 1 ||
      (job.act_half == 1 && job.period > r::kBankHalfWords) ||
      (!mx && (setup.cfg.table_log > contract::kTableLogMax || (table_first & (table_words - 1)) != 0));
  bool never_loaded = !banks_loaded_[job.act_half & 1];
  for (uint32_t t = table_first / r::kTableSlotWords; !bad_parts && t * r::kTableSlotWords < table_first + table_words;
       ++t) {
    never_loaded = never_loaded || !table_loaded_[t];
  }
  const size_t table_before = loads_before(table_queue_, table_first, table_words);
  const size_t bank_before = loads_before(bank_queue_, bank_first, job.period);
  FactoryLoads before, during;
  for (size_t i = 0; i < table_queue_.size(); ++i) (i < table_before ? before : during).append(table_queue_[i].loads);
  for (size_t i = 0; i < bank_queue_.size(); ++i) (i < bank_before ? before : during).append(bank_queue_[i].loads);
  written(table_queue_, true, before.table.size());
  written(bank_queue_, false, before.banks.size());

  const uint32_t used_lanes = std::min<uint32_t>(job.lanes, static_cast<uint32_t>(lanes));
  for (uint32_t k = 0; k < (mx ? 2 : used_lanes); ++k) {
    const uint32_t base = r::kLaneBase + k * r::kLaneStride;
    golden::LaneSetup lane;
    lane.words = read_words<uint32_t>(memory(reg(base), reg(base + 8) * 4, "a lane stream"));
    lane.stream_bytes = lane.words.size() * 4;
    lane.count = reg(base + 16);
    setup.lanes.push_back(std::move(lane));
  }

  FactoryStatus status;
  std::vector<uint32_t> results;
  uint64_t cycles = 0, load_cycles = before.cycles();
  int error_lane = 0;
  // Parts no load wrote, and for golden the hardware's check of the parts read: error Config, nothing runs.
  if (never_loaded || (bad_parts && !engine_)) {
    if (engine_) write_loads(*engine_, before);
    status.done = true;
    status.error = contract::FactoryError::Config;
  } else if (engine_) {
    FactoryRunOptions o = options_.run;
    o.seed = options_.run.seed + job_seed_++;
    const FactoryRunResult run = run_engine(*engine_, setup, job, before, during, o);
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
    // Golden: its reading of the same streams and of the parts of the RAMs the job reads, then the products.
    setup.table.assign(table_ram_.begin() + table_first, table_ram_.begin() + table_first + table_words);
    std::vector<uint16_t> words;
    for (uint32_t k = 0; k < used_lanes; ++k) {
      for (uint32_t a = 0; a < job.period; ++a) {
        const auto& w = bank_ram_.at(size_t{k} * FactoryEngineBase::kBankDepth + bank_first + a);
        words.insert(words.end(), w.begin(), w.end());
      }
    }
    const gf::ActivationImage image(std::move(words), used_lanes, job.period, built_slots);
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
  // The loads alongside: as many words a port as the run had clocks; the rest stay queued.
  written(table_queue_, true, std::min<size_t>(cycles, during.table.size()));
  written(bank_queue_, false, std::min<size_t>(cycles, during.banks.size()));
  if (!results.empty()) {
    std::span<uint8_t> out = memory(reg(r::kResultAddr), results.size() * 4, "the results");
    std::memcpy(out.data(), results.data(), out.size());
  }
  reg(r::kStatus) = r::status_word(status, error_lane);
  reg(r::kCycles) = cycles;
  reg(r::kLoadCycles) = load_cycles;
  reg(r::kBusyCycles) = status.counters.busy_cycles;
  reg(r::kStallInput) = status.counters.stall_input;
  reg(r::kStallOutput) = status.counters.stall_output;
  reg(r::kWeights) = status.counters.weights;
  reg(r::kMacs) = status.counters.macs;
}

}  // namespace ws::sim
