// The token factory as a card the host driver talks to (docs/FORMAT.md 17.3):
// device memory, a register file, and a backend that runs a job when the
// host writes START. The host moves lane streams, tables and activations
// into device memory, writes the run's registers, starts, polls STATUS and
// reads the results back from device memory; nothing else crosses.
//
//   DeviceTransport  register writes and reads, bulk memory transfers: the
//                    one small interface a platform model (TLM) replaces
//   FactoryCard      a transport over simulated memory and registers; on
//                    START it reads the job from memory and runs it on the
//                    hls model or the RTL (engine, clock by clock, lanes fed
//                    at the memory's bytes per clock), or on golden (golden's
//                    reading of the same memory: decode_tensor_setup and
//                    golden_factory_run; its cycles are the ideal one beat a
//                    clock)
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "golden/factory/factory_job.hpp"
#include "sim/factory/factory_engine.hpp"
#include "sim/factory/factory_run.hpp"

namespace ws::sim {

// The register map: 64-bit registers at these byte addresses.
namespace factory_reg {
inline constexpr uint32_t kControl = 0x00;     // write 1: start
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
inline constexpr uint32_t kLaneBase = 0x100;   // lane k: +0x20 k: stream address, stream words, symbols
inline constexpr uint32_t kLaneStride = 0x20;
inline constexpr uint32_t kCycles = 0x400;     // counters of the last job
inline constexpr uint32_t kLoadCycles = 0x408;
inline constexpr uint32_t kBusyCycles = 0x410;
inline constexpr uint32_t kStallInput = 0x418;
inline constexpr uint32_t kStallOutput = 0x420;
inline constexpr uint32_t kWeights = 0x428;
inline constexpr uint32_t kMacs = 0x430;
inline constexpr uint32_t kEnd = 0x438;
}  // namespace factory_reg

class DeviceTransport {
 public:
  virtual ~DeviceTransport() = default;
  virtual void write_register(uint32_t address, uint64_t value) = 0;
  virtual uint64_t read_register(uint32_t address) = 0;
  virtual void write_memory(uint64_t address, std::span<const uint8_t> bytes) = 0;
  virtual void read_memory(uint64_t address, std::span<uint8_t> bytes) = 0;
  virtual uint64_t memory_bytes() const = 0;
};

struct FactoryCardOptions {
  EngineKind engine = EngineKind::Hls;
  uint64_t memory_bytes = uint64_t{64} << 20;
  FactoryRunOptions run;   // bandwidth and stalls (hls, rtl)
  std::string trace_path;  // rtl: an FST waveform
};

class FactoryCard final : public DeviceTransport {
 public:
  explicit FactoryCard(const FactoryCardOptions& options);
  void write_register(uint32_t address, uint64_t value) override;
  uint64_t read_register(uint32_t address) override;
  void write_memory(uint64_t address, std::span<const uint8_t> bytes) override;
  void read_memory(uint64_t address, std::span<uint8_t> bytes) override;
  uint64_t memory_bytes() const override { return memory_.size(); }

 private:
  void run_job();
  uint64_t& reg(uint32_t address) { return registers_[address / 8]; }
  std::span<uint8_t> memory(uint64_t address, uint64_t bytes, const char* what);

  FactoryCardOptions options_;
  std::unique_ptr<FactoryEngineBase> engine_;  // null for golden
  std::vector<uint8_t> memory_;
  std::vector<uint64_t> registers_;
  uint64_t job_seed_ = 0;
};

}  // namespace ws::sim
