#include "golden/io/file_io.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "golden/common/error.hpp"
#include "golden/io/interrupt.hpp"

namespace ws::golden {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FileHandle = std::unique_ptr<std::FILE, FileCloser>;

std::string reason(int error) { return std::strerror(error); }

// An open regular file and its size.
struct InputFile {
  FileHandle file;
  uint64_t size = 0;
};

InputFile open_for_reading(const std::string& path) {
  FileHandle file(std::fopen(path.c_str(), "rb"));
  if (!file) throw InputError(path + ": cannot open file: " + reason(errno));
  struct stat st = {};
  if (fstat(fileno(file.get()), &st) != 0) throw InputError(path + ": cannot stat: " + reason(errno));
  if (S_ISDIR(st.st_mode)) throw InputError(path + ": is a directory, not a file");
  if (!S_ISREG(st.st_mode)) {
    throw InputError(path + ": not a regular file (a device, FIFO or socket); give a file");
  }
  return {std::move(file), static_cast<uint64_t>(st.st_size)};
}

// Reads exactly `size` bytes, or throws: the file ended or failed early.
std::vector<uint8_t> read_exactly(std::FILE* file, const std::string& path, uint64_t size) {
  if (size > SIZE_MAX / 2) throw InputError(path + ": " + std::to_string(size) + " bytes is too large to read");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  const size_t got = bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), file);
  if (got != bytes.size()) {
    throw InputError(path + ": read error at offset " + std::to_string(got) + ": " +
                     (std::ferror(file) ? reason(errno) : std::string("the file ended early")));
  }
  return bytes;
}

std::string unique_temp_path(const std::string& path) {
  // The pid keeps processes apart, the counter keeps writers within one process apart.
  static std::atomic<unsigned> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

bool is_dev_null(const struct stat& st) {
  struct stat null_st = {};
  return S_ISCHR(st.st_mode) && stat("/dev/null", &null_st) == 0 && st.st_rdev == null_st.st_rdev;
}

// What stands at an output path.
enum class OutputKind { Stdout, DevNull, Absent, Regular, Refused };

OutputKind output_kind(const std::string& path, std::string& why) {
  if (path == "-") return OutputKind::Stdout;
  struct stat st = {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT && errno != ENOTDIR) {
      why = "cannot be examined: " + reason(errno);
      return OutputKind::Refused;
    }
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    const std::string dir = parent.empty() ? "." : parent.string();
    struct stat dir_st = {};
    if (stat(dir.c_str(), &dir_st) != 0) {
      why = "its directory " + dir + " " + (errno == ENOENT ? "does not exist" : "cannot be examined: " + reason(errno));
      return OutputKind::Refused;
    }
    if (!S_ISDIR(dir_st.st_mode)) {
      why = dir + " is not a directory";
      return OutputKind::Refused;
    }
    return OutputKind::Absent;
  }
  if (S_ISREG(st.st_mode)) return OutputKind::Regular;
  if (is_dev_null(st)) return OutputKind::DevNull;
  why = S_ISDIR(st.st_mode)    ? "is a directory"
        : S_ISLNK(st.st_mode)  ? "is a symbolic link (give the file it points to)"
        : S_ISFIFO(st.st_mode) ? "is a FIFO"
        : S_ISSOCK(st.st_mode) ? "is a socket"
                               : "is a device (only /dev/null is written to)";
  return OutputKind::Refused;
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa = {}, sb = {};
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  const InputFile in = open_for_reading(path);
  return read_exactly(in.file.get(), path, in.size);
}

MappedFile::MappedFile(const std::string& path) {
  const InputFile in = open_for_reading(path);
  if (in.size == 0) return;
  if (in.size > SIZE_MAX / 2) throw InputError(path + ": " + std::to_string(in.size) + " bytes is too large to map");
  size_ = static_cast<size_t>(in.size);
  void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fileno(in.file.get()), 0);
  if (p == MAP_FAILED) throw InputError(path + ": cannot map the file: " + reason(errno));
  data_ = static_cast<const uint8_t*>(p);
}

void MappedFile::release(uint64_t offset, uint64_t size) const {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t begin = (offset + page - 1) / page * page, end = std::min<uint64_t>(offset + size, size_) / page * page;
  if (data_ != nullptr && begin < end) madvise(const_cast<uint8_t*>(data_) + begin, end - begin, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) munmap(const_cast<uint8_t*>(data_), size_);
}

FileHead read_file_head(const std::string& path, size_t max_bytes) {
  const InputFile in = open_for_reading(path);
  return {read_exactly(in.file.get(), path, std::min<uint64_t>(in.size, max_bytes)), in.size};
}

void check_output(const std::string& path, const OutputPolicy& policy) {
  if (path.empty()) throw OutputError("the output path is empty");
  std::string why;
  switch (output_kind(path, why)) {
    case OutputKind::Refused:
      throw OutputError(path + ": " + why + "; not written");
    case OutputKind::Regular:
      for (const std::string& input : policy.inputs) {
        if (same_file(path, input)) throw OutputError(path + ": is the input " + input + "; give another output");
      }
      if (!policy.force) throw OutputError(path + ": already exists; use -f (--force) to replace it");
      break;
    case OutputKind::Stdout:
    case OutputKind::DevNull:
    case OutputKind::Absent:
      break;
  }
}

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
  std::string why;
  switch (output_kind(path_, why)) {
    case OutputKind::Refused:
      throw OutputError(path_ + ": " + why + "; not written");
    case OutputKind::Stdout:
      file_ = stdout;
      return;
    case OutputKind::DevNull:
      file_ = std::fopen(path_.c_str(), "wb");
      if (file_ == nullptr) fail("cannot open");
      return;
    case OutputKind::Absent:
    case OutputKind::Regular:
      break;
  }
  temp_path_ = unique_temp_path(path_);
  temp_slot_ = register_temp_file(temp_path_);
  // "x": never clobber a file we did not create, so the destructor only ever deletes our own.
  file_ = std::fopen(temp_path_.c_str(), "wbx");
  if (file_ == nullptr) fail("cannot create");
}

AtomicFileWriter::~AtomicFileWriter() {
  if (file_ != nullptr && file_ != stdout) std::fclose(file_);
  if (!committed_ && !temp_path_.empty()) std::remove(temp_path_.c_str());
  forget_temp_file(temp_slot_);
}

void AtomicFileWriter::write(const void* data, size_t size) {
  if (file_ == nullptr) throw std::logic_error(path_ + ": write after commit");
  if (size == 0) return;  // an empty buffer's data() may be null, which fwrite must not see
  if (std::fwrite(data, 1, size, file_) != size) fail("cannot write");
}

void AtomicFileWriter::commit() {
  if (file_ == nullptr) throw std::logic_error(path_ + ": commit called twice");
  std::FILE* file = file_;
  file_ = nullptr;
  if (temp_path_.empty()) {  // standard output or /dev/null: nothing to rename
    if (std::fflush(file) != 0) fail("cannot write");
    if (file != stdout && std::fclose(file) != 0) fail("cannot close");
    committed_ = true;
    return;
  }
  // Data on disk before the rename, so that a crash cannot leave a renamed but empty file.
  if (std::fflush(file) != 0 || ::fsync(::fileno(file)) != 0) {
    std::fclose(file);
    fail("cannot write");
  }
  // A replaced file keeps its permissions.
  struct stat old = {};
  if (lstat(path_.c_str(), &old) == 0 && S_ISREG(old.st_mode) && fchmod(::fileno(file), old.st_mode & 07777) != 0) {
    std::fclose(file);
    fail("cannot keep the mode of the file it replaces");
  }
  if (std::fclose(file) != 0) fail("cannot close");
  std::string why;
  if (output_kind(path_, why) == OutputKind::Refused) throw OutputError(path_ + ": " + why + "; not written");
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) fail("cannot rename onto the destination");
  committed_ = true;
}

void AtomicFileWriter::fail(const std::string& action) const {
  const int error = errno;  // before anything below can overwrite it
  const std::string where = temp_path_.empty() ? path_ : temp_path_ + " (temporary file for " + path_ + ")";
  throw OutputError(where + ": " + action + ": " + reason(error));
}

}  // namespace ws::golden
