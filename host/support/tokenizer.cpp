#include "host/support/tokenizer.hpp"

#include <cstdint>
#include <cstring>

#include "golden/common/error.hpp"
#include "golden/io/file_io.hpp"

namespace ws::host {

Tokenizer::Tokenizer(const std::string& path, int vocab_size) {
  const std::vector<uint8_t> bytes = golden::read_file_bytes(path);
  size_t at = 0;
  auto read_i32 = [&](const char* what) {
    if (bytes.size() - at < 4) {
      throw golden::InputError(path + ": offset " + std::to_string(at) + ": file ends inside " + what);
    }
    int32_t v;
    std::memcpy(&v, bytes.data() + at, 4);
    at += 4;
    return v;
  };
  const int32_t max_length = read_i32("the header");
  for (int i = 0; i < vocab_size; ++i) {
    read_i32("a token score");
    const int32_t length = read_i32("a token length");
    if (length < 0 || length > max_length || bytes.size() - at < static_cast<size_t>(length)) {
      throw golden::InputError(path + ": token " + std::to_string(i) + ": length " + std::to_string(length) +
                               " is not a piece of this file (at most " + std::to_string(max_length) + " bytes)");
    }
    pieces_.emplace_back(reinterpret_cast<const char*>(bytes.data() + at), static_cast<size_t>(length));
    at += static_cast<size_t>(length);
  }
  if (at != bytes.size()) {
    throw golden::InputError(path + ": " + std::to_string(bytes.size() - at) + " bytes after token " +
                             std::to_string(vocab_size - 1) + ": a tokenizer for another vocabulary size?");
  }
}

std::string Tokenizer::piece(int previous, int token) const {
  std::string p = pieces_.at(static_cast<size_t>(token));
  if (previous == 1 && !p.empty() && p[0] == ' ') p.erase(0, 1);
  unsigned byte = 0;
  if (p.size() == 6 && std::sscanf(p.c_str(), "<0x%02X>", &byte) == 1) return std::string(1, static_cast<char>(byte));
  return p;
}

std::string Tokenizer::text(const std::vector<int>& ids) const {
  std::string out;
  for (size_t i = 1; i < ids.size(); ++i) out += piece(ids[i - 1], ids[i]);
  return out;
}

}  // namespace ws::host
