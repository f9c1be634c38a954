// A GGUF writer for the tests (golden/model/gguf.hpp reads it): typed
// metadata, tensors of any ggml type as raw bytes, each tensor's data at the
// next multiple of the alignment plus `gap` bytes of padding, so that files
// with odd layouts can be made on purpose.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace ws::test {

class GgufWriter {
 public:
  struct RawTensor {
    std::string name;
    uint32_t ggml_type = 0;      // 0 F32, 1 F16, 8 Q8_0, 30 BF16, ...
    std::vector<uint64_t> dims;  // innermost first
    std::vector<uint8_t> data;
    uint64_t gap = 0;  // extra bytes before it, past the alignment
  };

  void u32(std::vector<uint8_t>& out, uint32_t v) const { put(out, v, 4); }
  void u64(std::vector<uint8_t>& out, uint64_t v) const { put(out, v, 8); }
  void str(std::vector<uint8_t>& out, const std::string& s) const {
    u64(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
  }

  // Metadata, in the order given.
  void string_kv(const std::string& key, const std::string& value) {
    kv(key, 8, [&] { str(meta_, value); });
  }
  void u32_kv(const std::string& key, uint32_t value) {
    kv(key, 4, [&] { u32(meta_, value); });
  }
  void f32_kv(const std::string& key, float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    kv(key, 6, [&] { u32(meta_, bits); });
  }
  void bool_kv(const std::string& key, bool value) {
    kv(key, 7, [&] { meta_.push_back(value ? 1 : 0); });
  }
  void i32_array_kv(const std::string& key, const std::vector<int32_t>& values) {
    kv(key, 9, [&] {
      u32(meta_, 5);
      u64(meta_, values.size());
      for (const int32_t v : values) u32(meta_, static_cast<uint32_t>(v));
    });
  }
  void string_array_kv(const std::string& key, const std::vector<std::string>& values) {
    kv(key, 9, [&] {
      u32(meta_, 8);
      u64(meta_, values.size());
      for (const std::string& v : values) str(meta_, v);
    });
  }
  void add(RawTensor t) { tensors_.push_back(std::move(t)); }

  // The file; `alignment` must equal general.alignment when that key was written.
  std::vector<uint8_t> bytes(uint64_t alignment = 32, uint64_t trailing = 0) const {
    std::vector<uint8_t> out{'G', 'G', 'U', 'F'};
    u32(out, 3);
    u64(out, tensors_.size());
    u64(out, meta_count_);
    out.insert(out.end(), meta_.begin(), meta_.end());
    std::vector<uint64_t> offsets;
    uint64_t at = 0;
    for (const RawTensor& t : tensors_) {
      at = (at + t.gap + alignment - 1) / alignment * alignment;
      offsets.push_back(at);
      at += t.data.size();
    }
    for (size_t i = 0; i < tensors_.size(); ++i) {
      str(out, tensors_[i].name);
      u32(out, static_cast<uint32_t>(tensors_[i].dims.size()));
      for (const uint64_t d : tensors_[i].dims) u64(out, d);
      u32(out, tensors_[i].ggml_type);
      u64(out, offsets[i]);
    }
    const uint64_t data = (out.size() + alignment - 1) / alignment * alignment;
    out.resize(data, 0);
    for (size_t i = 0; i < tensors_.size(); ++i) {
      out.resize(data + offsets[i], 0x55);  // padding that is not zero, so that it must be kept
      out.insert(out.end(), tensors_[i].data.begin(), tensors_[i].data.end());
    }
    out.resize(out.size() + trailing, 0x77);
    return out;
  }

 private:
  static void put(std::vector<uint8_t>& out, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  template <class Value>
  void kv(const std::string& key, uint32_t type, Value&& value) {
    str(meta_, key);
    u32(meta_, type);
    value();
    ++meta_count_;
  }

  std::vector<uint8_t> meta_;
  uint64_t meta_count_ = 0;
  std::vector<RawTensor> tensors_;
};

}  // namespace ws::test
