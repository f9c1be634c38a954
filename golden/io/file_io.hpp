// Whole-file reads, and whole-file writes that never leave a partial file.
// AtomicFileWriter's invariant: until commit() returns, the destination path
// keeps whatever it held before (or stays absent); the bytes go to a
// temporary file in the same directory (so that rename() cannot cross file
// systems), which commit() flushes to disk and renames onto the destination,
// and which the destructor deletes if commit() never succeeded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace ws::golden {

// The whole file. Throws InputError naming the path if it cannot be opened or read.
std::vector<uint8_t> read_file_bytes(const std::string& path);

// The first bytes of a file, enough to recognise its format, and its size.
struct FileHead {
  std::vector<uint8_t> bytes;  // min(max_bytes, file_size) bytes
  uint64_t file_size = 0;
};
FileHead read_file_head(const std::string& path, size_t max_bytes);

class AtomicFileWriter {
 public:
  // Creates the temporary file; throws std::runtime_error (path, strerror) if it cannot.
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(const void* data, size_t size);
  // Flushes, syncs and renames onto the destination. Throws std::runtime_error on failure.
  void commit();

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_path_; }

 private:
  [[noreturn]] void fail(const std::string& action) const;

  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;  // open from construction until commit() closes it
  bool committed_ = false;
};

}  // namespace ws::golden
