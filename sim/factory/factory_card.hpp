// The token factory as a card the host driver talks to (docs/FORMAT.md 17.3):
// device memory, a register file, and a backend that runs a job when the
// host writes START. The host moves lane streams, tables and activations
// into device memory, writes the run's registers, starts, polls STATUS and
// reads the results back from device memory; nothing else crosses.
//
//   DeviceTransport  register writes and reads, bulk memory transfers
//                    (sim/common/device_transport.hpp)
//   FactoryCard      a transport over simulated memory and registers. LOAD
//                    commands copy a table or an activation image from
//                    memory into its write port's queue, for a slot of the
//                    table RAM or a half of the banks. On START the queued
//                    loads up to the last one that writes what the job reads
//                    are written first (load cycles); the rest are written
//                    alongside the run, a word a clock a port, and what is
//                    left stays queued for the next runs: loads are hidden
//                    behind runs that do not read them. The job runs on the
//                    hls model or the RTL (engine, clock by clock, lanes fed
//                    at the memory's bytes per clock), or on golden (golden's
//                    reading of the same memory and of the card's copy of the
//                    RAMs: decode_tensor_setup and golden_factory_run; its
//                    cycles are the ideal one beat a clock)
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "golden/factory/factory_job.hpp"
#include "sim/common/device_transport.hpp"
#include "sim/factory/factory_engine.hpp"
#include "sim/factory/factory_run.hpp"

namespace ws::sim {

// The register map: 64-bit registers at these byte addresses.
namespace factory_reg {
inline constexpr uint32_t kControl = 0x00;     // bit 0 START, bit 1 LOAD_TABLE, bit 2 LOAD_BANKS (loads first)
inline constexpr uint32_t kStatus = 0x08;      // bit 0 busy, bit 1 done, bits 3:2 FactoryError, bits 15:8 lane of a lane error
inline constexpr uint32_t kTableAddr = 0x10;   // table words in device memory, 8 bytes each
inline constexpr uint32_t kTableWords = 0x18;
inline constexpr uint32_t kAnsCfg = 0x20;      // the ANS decoder's configuration (contract AnsCfg)
inline constexpr uint32_t kActAddr = 0x28;     // activation bank image: lanes x period x 16 slots of bf16
inline constexpr uint32_t kResultAddr = 0x30;  // rows x slots fp32 results, row-major
inline constexpr uint32_t kRows = 0x38;
inline constexpr uint32_t kCols = 0x40;
inline constexpr uint32_t kPeriod = 0x48;
inline constexpr uint32_t kLanes = 0x50;
inline constexpr uint32_t kSlots = 0x58;
inline constexpr uint32_t kSource = 0x60;     // 0: ANS lanes; 1: MX source (lane 0 codes, lane 1 scales)
inline constexpr uint32_t kBlock = 0x68;      // MX source: weights a scale covers
inline constexpr uint32_t kLoadSlot = 0x70;   // where a LOAD writes: LOAD_TABLE a table slot (from slot *
                                              // 2^TableSlotLog), LOAD_BANKS a bank half (from half * depth/2)
inline constexpr uint32_t kActHalf = 0x78;    // the bank half a job reads (its table slot is AnsCfg's table_slot)
inline constexpr uint32_t kLaneBase = 0x100;   // lane k: +0x20 k: stream address, stream words, symbols
inline constexpr uint32_t kLaneStride = 0x20;
inline constexpr uint32_t kCycles = 0x400;     // counters of the last job
inline constexpr uint32_t kLoadCycles = 0x408;  // load clocks the job did not hide
inline constexpr uint32_t kBusyCycles = 0x410;
inline constexpr uint32_t kStallInput = 0x418;
inline constexpr uint32_t kStallOutput = 0x420;
inline constexpr uint32_t kWeights = 0x428;
inline constexpr uint32_t kMacs = 0x430;
inline constexpr uint32_t kEnd = 0x438;
inline constexpr uint64_t kStart = 1, kLoadTable = 2, kLoadBanks = 4;  // CONTROL bits
inline constexpr uint32_t kTableSlotWords = 1u << contract::kTableSlotLog;
inline constexpr uint32_t kTableSlots = 1u << (contract::kTableLogMax - contract::kTableSlotLog);
inline constexpr uint32_t kBankHalfWords = FactoryBuild::kBankDepth / 2;
// STATUS as the card reports `s`, with the lane of a lane error.
constexpr uint64_t status_word(const FactoryStatus& s, int error_lane = 0) {
  return uint64_t{s.busy} | uint64_t{s.done} << 1 | uint64_t(s.error) << 2 | uint64_t(error_lane & 0xFF) << 8;
}
}  // namespace factory_reg

struct FactoryCardOptions {
  EngineKind engine = EngineKind::Hls;
  uint64_t memory_bytes = uint64_t{64} << 20;
  std::span<uint8_t> memory;  // device memory the card does not own (the platform's DRAM); empty: its own
  FactoryRunOptions run;      // bandwidth and stalls (hls, rtl)
  std::string trace_path;     // rtl: an FST waveform
};

class FactoryCard : public DeviceTransport {
 public:
  explicit FactoryCard(const FactoryCardOptions& options);
  // Back to power-on with these options: registers, queues and RAMs cleared, a new engine.
  void reset(const FactoryCardOptions& options);
  void write_register(uint32_t address, uint64_t value) override;
  uint64_t read_register(uint32_t address) override;
  void write_memory(uint64_t address, std::span<const uint8_t> bytes) override;
  void read_memory(uint64_t address, std::span<uint8_t> bytes) override;
  uint64_t memory_bytes() const override { return memory_.size(); }

 protected:
  // START: here the job runs to its end at once; the platform runs it on its clock.
  virtual void start_job() { run_job(); }
  void run_job();
  // The engine's run (not golden's): run_factory, lanes fed from a LaneMemory.
  virtual FactoryRunResult run_engine(FactoryEngineBase& engine, const golden::TensorSetup& setup,
                                      const golden::factory::FactoryJob& job, const FactoryLoads& before,
                                      const FactoryLoads& during, const FactoryRunOptions& o) {
    return run_factory(engine, setup, job, before, during, o);
  }
  uint64_t& reg(uint32_t address) { return registers_[address / 8]; }
  const FactoryCardOptions& options() const { return options_; }

 private:
  struct QueuedLoad {
    uint32_t first = 0, extent = 0;  // what it writes: table words, or bank addresses of every lane
    FactoryLoads loads;              // the words its port has still to write
  };
  void queue_load(bool table);
  static size_t loads_before(const std::deque<QueuedLoad>& queue, uint32_t first, uint32_t extent);
  static void written(std::deque<QueuedLoad>& queue, bool table, size_t words);
  std::span<uint8_t> memory(uint64_t address, uint64_t bytes, const char* what);

  FactoryCardOptions options_;
  std::unique_ptr<FactoryEngineBase> engine_;  // null for golden
  std::vector<uint8_t> own_memory_;
  std::span<uint8_t> memory_;
  std::vector<uint64_t> registers_;
  uint64_t job_seed_ = 0;
  std::deque<QueuedLoad> table_queue_, bank_queue_;  // the write ports' queues
  // The RAMs as the queued loads leave them (golden reads them) and which parts a load has written.
  std::vector<uint64_t> table_ram_;
  std::vector<std::array<uint16_t, FactoryBuild::kSlots>> bank_ram_;  // lane-major, kBankDepth words a lane
  std::array<bool, factory_reg::kTableSlots> table_loaded_{};
  std::array<bool, 2> banks_loaded_{};
};

}  // namespace ws::sim
