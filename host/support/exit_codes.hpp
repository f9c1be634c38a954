// The exit codes of the weightstream command, named once and documented in
// README.md: what each kind of error (golden::ErrorCode) ends the process with.
#pragma once

#include <string>

#include "golden/common/error.hpp"

namespace ws::host {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,          // bad arguments
  kExitBadInput = 2,       // an input file is unreadable, corrupt or unsupported
  kExitMismatch = 3,       // a hardware model disagreed with golden
  kExitHang = 4,           // a hardware model stopped making progress
  kExitOutput = 5,         // an output cannot or may not be written
  kExitInternal = 70,      // a bug (EX_SOFTWARE)
  kExitInterrupted = 130,  // SIGINT (128 + 2)
  kExitTerminated = 143,   // SIGTERM (128 + 15)
};

constexpr ExitCode exit_code_for(golden::ErrorCode code) {
  switch (code) {
    case golden::ErrorCode::None: return kExitOk;
    case golden::ErrorCode::Usage: return kExitUsage;
    case golden::ErrorCode::BadInput: return kExitBadInput;
    case golden::ErrorCode::Mismatch: return kExitMismatch;
    case golden::ErrorCode::Hang: return kExitHang;
    case golden::ErrorCode::Output: return kExitOutput;
    case golden::ErrorCode::Interrupted: return kExitInterrupted;
    case golden::ErrorCode::Internal: return kExitInternal;
  }
  return kExitInternal;
}

// Bad arguments: exit code 1.
class UsageError : public golden::Error {
 public:
  explicit UsageError(const std::string& message) : golden::Error(golden::ErrorCode::Usage, message) {}
};

}  // namespace ws::host
