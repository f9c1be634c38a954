// Reading input files and publishing output files, the same way for every
// command.
//
// Inputs are regular files, read with the size their metadata gives: a
// device, FIFO or directory is refused (an endless /dev/zero never fills the
// memory), and a file that grows while it is read is read up to its size.
//
// Outputs follow the rules users know from gzip and zstd, checked by
// check_output() before any work starts (so that a long run never ends in an
// output it may not write) and again when the writer opens:
//   "-"                     standard output
//   /dev/null               written straight through
//   a regular file          replaced only with force, keeping its mode; never
//                           one of the command's inputs
//   anything else there     refused: a directory, device, FIFO, socket or
//                           symbolic link
//   a new file              its directory must exist
// Every refusal and every failure to write (a full disk included) is an
// OutputError naming the path.
//
// AtomicFileWriter's invariant, for a file: until commit() returns, the
// destination keeps whatever it held before (or stays absent); the bytes go
// to a temporary file in the same directory (so that rename() cannot cross
// file systems), which commit() flushes to disk and renames onto the
// destination, and which the destructor, or a SIGINT or SIGTERM
// (interrupt.hpp), deletes if commit() never succeeded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace ws::golden {

// The whole file. Throws InputError naming the path if it cannot be opened or
// read or is not a regular file.
std::vector<uint8_t> read_file_bytes(const std::string& path);

// A regular file mapped read-only: its bytes without reading them all into
// memory (pages come in as they are used). Throws InputError like read_file_bytes.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  // Lets the system drop the pages of bytes [offset, offset + size) from
  // memory (they are read again if used): a reader that is done with a part
  // keeps its resident memory to the part it works on.
  void release(uint64_t offset, uint64_t size) const;

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// The first bytes of a file, enough to recognise its format, and its size.
struct FileHead {
  std::vector<uint8_t> bytes;  // min(max_bytes, file_size) bytes
  uint64_t file_size = 0;
};
FileHead read_file_head(const std::string& path, size_t max_bytes);

struct OutputPolicy {
  bool force = false;               // an existing regular file may be replaced
  std::vector<std::string> inputs;  // the command's inputs, never to be written
};

// Throws OutputError naming the path when the rules above forbid writing it.
void check_output(const std::string& path, const OutputPolicy& policy);

class AtomicFileWriter {
 public:
  // Opens the output ("-" and /dev/null directly, else a temporary file);
  // throws OutputError (path, reason) if it cannot.
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(const void* data, size_t size);
  // Flushes, syncs and renames onto the destination. Throws OutputError on failure.
  void commit();

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_path_; }  // empty when writing straight through

 private:
  [[noreturn]] void fail(const std::string& action) const;

  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;  // open from construction until commit() closes it
  bool committed_ = false;
  int temp_slot_ = -1;         // the temporary file's registration for interrupts
};

}  // namespace ws::golden
