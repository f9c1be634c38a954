// The register map of the ANS decoder platform (docs/FORMAT.md 19.2): 64-bit
// registers at these byte offsets in the register window. The platform's
// register block and the host driver both read it from here.
#pragma once

#include <cstdint>
#include <string_view>

#include "golden/contract/ans_ports.hpp"

namespace ws::sim::platform_reg {

inline constexpr uint32_t kControl = 0x00;    // write: START, LOAD_TABLE, CLEAR (the error), ABORT (the job)
inline constexpr uint32_t kStatus = 0x08;     // bit 0 busy, bit 1 done, bits 7:4 PlatformError,
                                              // bits 15:8 the lane of a lane error, bits 19:16 its LaneError
inline constexpr uint32_t kTableAddr = 0x10;  // LOAD_TABLE: the table's 64-bit words in device memory
inline constexpr uint32_t kTableWords = 0x18;
inline constexpr uint32_t kAnsCfg = 0x20;      // the contract's AnsCfg, packed
inline constexpr uint32_t kResultAddr = 0x28;  // decoded weights, one 32-bit word each, in tensor order
inline constexpr uint32_t kLanes = 0x30;       // lanes the tensor uses (1..built lanes)
inline constexpr uint32_t kLaneBase = 0x100;   // lane k at kLaneBase + k * kLaneStride:
inline constexpr uint32_t kLaneStride = 0x20;  //   +0x00 stream address, +0x08 stream words (32-bit), +0x10 symbols
inline constexpr uint32_t kLaneAddr = 0x00, kLaneWords = 0x08, kLaneSymbols = 0x10;
static_assert(kLaneBase + contract::kMaxLanes * kLaneStride <= 0x500, "lane registers overlap the counters");
// Counters of the last job (read only; START clears them).
inline constexpr uint32_t kCycles = 0x500;           // clocks from START to done
inline constexpr uint32_t kTableLoadCycles = 0x508;  // clocks of the last LOAD_TABLE
inline constexpr uint32_t kStallMemory = 0x510;      // lane-clocks waiting for stream words none had arrived
inline constexpr uint32_t kStallRefill = 0x518;      // lane-clocks waiting while a word arrives
inline constexpr uint32_t kStallOutput = 0x520;      // lane-clocks with a symbol and a full output
inline constexpr uint32_t kBytesRead = 0x528;        // DRAM bytes the DMA read for the job (streams)
inline constexpr uint32_t kBytesWritten = 0x530;     // DRAM bytes the DMA wrote (results)
inline constexpr uint32_t kWeights = 0x538;          // weights written to the results
// What the card is (read only).
inline constexpr uint32_t kBuiltLanes = 0x600;
inline constexpr uint32_t kPatternWidth = 0x608;
inline constexpr uint32_t kHistoryDepth = 0x610;
inline constexpr uint32_t kMemoryBytes = 0x618;
inline constexpr uint32_t kEnd = 0x620;

inline constexpr uint64_t kStart = 1, kLoadTable = 2, kClear = 4, kAbort = 8;  // CONTROL bits
inline constexpr uint64_t kBusy = 1, kDone = 2;                                // STATUS bits

// STATUS bits 7:4. An error stays until CLEAR or the next good START.
enum class PlatformError : uint8_t {
  None = 0,
  BadAddress = 1,  // a register access outside the map, or a write to a read-only register
  Busy = 2,        // a command or a register write while a job or a table load runs: ignored
  DmaRange = 3,    // a table, stream or result region outside device memory: nothing moved
  Config = 4,      // a START the card cannot run: no table loaded, lanes, table size, REPEAT history
  LaneError = 5,   // a lane found its stream corrupt (bits 15:8 the lane, 19:16 the error)
};

constexpr std::string_view to_text(PlatformError e) {
  switch (e) {
    case PlatformError::None:
      return "none";
    case PlatformError::BadAddress:
      return "bad register address";
    case PlatformError::Busy:
      return "busy";
    case PlatformError::DmaRange:
      return "DMA outside device memory";
    case PlatformError::Config:
      return "bad configuration";
    case PlatformError::LaneError:
      return "lane error";
  }
  return "unknown";
}

constexpr PlatformError status_error(uint64_t status) { return static_cast<PlatformError>((status >> 4) & 0xf); }
constexpr int status_lane(uint64_t status) { return static_cast<int>((status >> 8) & 0xff); }
constexpr contract::LaneError status_lane_error(uint64_t status) {
  return static_cast<contract::LaneError>((status >> 16) & 0xf);
}
constexpr uint64_t status_bits(bool busy, bool done, PlatformError e, int lane = 0, int lane_error = 0) {
  return (busy ? kBusy : 0) | (done ? kDone : 0) | (uint64_t{static_cast<uint8_t>(e)} << 4) |
         (uint64_t(lane & 0xff) << 8) | (uint64_t(lane_error & 0xf) << 16);
}

}  // namespace ws::sim::platform_reg
