// One typed error for the whole project: a code saying what kind of failure it
// is, and a message that names the file, the tensor and the byte offset (or
// lane) where they apply. Functions that can fail without it being exceptional
// (a stream that does not decode, a hardware run that disagrees) return a
// Status; the others throw an Error. The command line maps codes to its exit
// codes in one place (host/support/exit_codes.hpp).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace ws::golden {

enum class ErrorCode : unsigned char {
  None,         // success
  Usage,        // the arguments ask for something impossible
  BadInput,     // an input file is unreadable, corrupt or unsupported
  Mismatch,     // a hardware model disagreed with golden
  Hang,         // a hardware model stopped making progress
  Output,       // an output cannot or may not be written
  Interrupted,  // stopped by a signal
  Internal,     // a bug
};

const char* to_text(ErrorCode code);

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == ErrorCode::None; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  ErrorCode code_ = ErrorCode::None;
  std::string message_;
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  explicit Error(const Status& status) : Error(status.code(), status.message()) {}

  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// Bad or unreadable input: the message names the file and, where it applies,
// the tensor and byte offset.
class InputError : public Error {
 public:
  explicit InputError(const std::string& message) : Error(ErrorCode::BadInput, message) {}
};

// An output that cannot or may not be written: the message names the path.
class OutputError : public Error {
 public:
  explicit OutputError(const std::string& message) : Error(ErrorCode::Output, message) {}
};

inline const char* to_text(ErrorCode code) {
  switch (code) {
    case ErrorCode::None: return "ok";
    case ErrorCode::Usage: return "usage error";
    case ErrorCode::BadInput: return "bad input";
    case ErrorCode::Mismatch: return "hardware disagreed with golden";
    case ErrorCode::Hang: return "hardware hang";
    case ErrorCode::Output: return "output error";
    case ErrorCode::Interrupted: return "interrupted";
    case ErrorCode::Internal: return "internal error";
  }
  return "unknown error";
}

}  // namespace ws::golden
