// Exit codes of the weightstream command: 0 success, 1 usage error, 2 bad or
// corrupt input (golden::InputError), 3 a check failed (a hardware model
// disagreed with golden).
#pragma once

#include <stdexcept>

namespace ws::host {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitCheckFailed = 3;

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ws::host
