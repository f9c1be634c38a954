#include "golden/io/file_io.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "golden/model/tensor.hpp"

namespace ws::golden {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

FileHandle open_for_reading(const std::string& path) {
  FileHandle file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    const int error = errno;
    throw InputError(path + ": cannot open file: " + std::strerror(error));
  }
  return file;
}

// Reads up to `max_bytes` from the current position; stops early only at end of file.
std::vector<uint8_t> read_up_to(std::FILE* file, const std::string& path, size_t max_bytes) {
  constexpr size_t kChunk = size_t{1} << 20;
  std::vector<uint8_t> bytes;
  while (bytes.size() < max_bytes) {
    const size_t old_size = bytes.size();
    bytes.resize(old_size + std::min(kChunk, max_bytes - old_size));
    const size_t got = std::fread(bytes.data() + old_size, 1, bytes.size() - old_size, file);
    bytes.resize(old_size + got);
    if (std::ferror(file)) {
      const int error = errno;
      throw InputError(path + ": read error at offset " + std::to_string(bytes.size()) + ": " + std::strerror(error));
    }
    if (std::feof(file)) break;
  }
  return bytes;
}

std::string unique_temp_path(const std::string& path) {
  // The pid keeps processes apart, the counter keeps writers within one process apart.
  static std::atomic<unsigned> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  const FileHandle file = open_for_reading(path);
  return read_up_to(file.get(), path, SIZE_MAX);
}

FileHead read_file_head(const std::string& path, size_t max_bytes) {
  const FileHandle file = open_for_reading(path);
  FileHead head;
  head.bytes = read_up_to(file.get(), path, max_bytes);
  std::error_code error;
  head.file_size = std::filesystem::file_size(path, error);
  if (error) throw InputError(path + ": cannot determine file size: " + error.message());
  return head;
}

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)), temp_path_(unique_temp_path(path_)) {
  // "x": never clobber a file we did not create, so the destructor only ever deletes our own.
  file_ = std::fopen(temp_path_.c_str(), "wbx");
  if (file_ == nullptr) fail("cannot create");
}

AtomicFileWriter::~AtomicFileWriter() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) std::remove(temp_path_.c_str());
}

void AtomicFileWriter::write(const void* data, size_t size) {
  if (file_ == nullptr) throw std::logic_error(path_ + ": write after commit");
  if (size == 0) return;  // an empty buffer's data() may be null, which fwrite must not see
  if (std::fwrite(data, 1, size, file_) != size) fail("cannot write");
}

void AtomicFileWriter::commit() {
  if (file_ == nullptr) throw std::logic_error(path_ + ": commit called twice");
  // Data on disk before the rename, so that a crash cannot leave a renamed but empty file.
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) fail("cannot flush");
  std::FILE* file = file_;
  file_ = nullptr;
  if (std::fclose(file) != 0) fail("cannot close");
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) fail("cannot rename onto the destination");
  committed_ = true;
}

void AtomicFileWriter::fail(const std::string& action) const {
  const int error = errno;  // before anything below can overwrite it
  throw std::runtime_error(temp_path_ + " (temporary file for " + path_ + "): " + action + ": " + std::strerror(error));
}

}  // namespace ws::golden
