#include "golden/model/gguf.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "golden/common/crc32.hpp"
#include "golden/container/byte_io.hpp"
#include "golden/io/file_io.hpp"

namespace ws::golden {
namespace {

constexpr std::array<uint8_t, 4> kMagic{'G', 'G', 'U', 'F'};
constexpr uint64_t kDefaultAlignment = 32;
constexpr uint32_t kMaxDims = 8;
enum : uint32_t { kU8, kI8, kU16, kI16, kU32, kI32, kF32, kBool, kString, kArray, kU64, kI64, kF64 };
enum : uint32_t { kGgmlF32 = 0, kGgmlF16 = 1, kGgmlBF16 = 30 };

// Reads the file front to back; any read past its end is an InputError at that offset.
class Cursor {
 public:
  Cursor(std::span<const uint8_t> bytes, const std::string& path) : reader_(bytes), path_(path) {}
  uint32_t u32() { return check(reader_.u32()); }
  uint64_t u64() { return check(reader_.u64()); }
  std::string string(const char* what) {
    const uint64_t n = u64();
    if (n > reader_.remaining()) fail(std::string(what) + " of " + std::to_string(n) + " bytes runs past the end");
    const auto s = reader_.bytes(n);
    return {s.begin(), s.end()};
  }
  void skip(uint64_t n, const char* what) {
    if (n > reader_.remaining()) fail(std::string(what) + " runs past the end");
    (void)reader_.bytes(n);
  }
  // A metadata value of `type`; the u32 or u64 it holds when it is one (for general.alignment).
  std::optional<uint64_t> value(uint32_t type, int depth = 0) {
    static constexpr std::array<uint8_t, 13> kSizes{1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    if (type == kString) {
      (void)string("a metadata string");
      return std::nullopt;
    }
    if (type == kArray) {
      if (depth > 0) fail("an array of arrays");
      const uint32_t element = u32();
      const uint64_t count = u64();
      if (element > kF64) fail("array element type " + std::to_string(element));
      if (element == kString || element == kArray) {
        for (uint64_t i = 0; i < count; ++i) value(element, depth + 1);
      } else {
        if (count > reader_.remaining() / kSizes[element])
          fail("an array of " + std::to_string(count) + " runs past the end");
        skip(count * kSizes[element], "an array");
      }
      return std::nullopt;
    }
    if (type > kF64) fail("metadata value type " + std::to_string(type));
    if (type == kU32) return u32();
    if (type == kU64) return u64();
    skip(kSizes[type], "a metadata value");
    return std::nullopt;
  }
  uint64_t offset() const { return reader_.offset(); }
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(path_ + ": offset " + std::to_string(reader_.offset()) + ": " + what);
  }

 private:
  template <class T>
  T check(T v) {
    if (reader_.failed()) fail("the file ends inside its header");
    return v;
  }
  ByteReader reader_;
  const std::string& path_;
};

std::optional<DType> coded_dtype(uint32_t ggml_type) {
  switch (ggml_type) {
    case kGgmlF32:
      return DType::F32;
    case kGgmlF16:
      return DType::F16;
    case kGgmlBF16:
      return DType::BF16;
    default:
      return std::nullopt;
  }
}

}  // namespace

bool looks_like_gguf(std::span<const uint8_t> head) {
  return head.size() >= kMagic.size() && std::equal(kMagic.begin(), kMagic.end(), head.begin());
}

std::string ggml_type_name(uint32_t type) {
  static constexpr std::array<const char*, 31> kNames{
      "F32",   "F16",    "Q4_0", "Q4_1", "type 4", "type 5",  "Q5_0",   "Q5_1",    "Q8_0",  "Q8_1",   "Q2_K",
      "Q3_K",  "Q4_K",   "Q5_K", "Q6_K", "Q8_K",   "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S",
      "IQ2_S", "IQ4_XS", "I8",   "I16",  "I32",    "I64",     "F64",    "IQ1_M",   "BF16"};
  return type < kNames.size() ? kNames[type] : "type " + std::to_string(type);
}

GgufFile read_gguf_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  if (!looks_like_gguf(bytes)) throw InputError(path + ": not a GGUF file (no \"GGUF\" magic)");
  Cursor in(bytes, path);
  in.skip(kMagic.size(), "the magic");
  GgufFile file;
  file.version = in.u32();
  if (file.version != 2 && file.version != 3)
    in.fail("GGUF version " + std::to_string(file.version) + " (2 or 3 read)");
  const uint64_t tensor_count = in.u64();
  file.metadata_count = in.u64();
  file.alignment = kDefaultAlignment;
  for (uint64_t i = 0; i < file.metadata_count; ++i) {
    const std::string key = in.string("a metadata key");
    const uint32_t type = in.u32();
    const std::optional<uint64_t> v = in.value(type);
    if (key == "general.alignment") {
      if (!v || *v == 0 || (*v & (*v - 1)) != 0) in.fail("general.alignment must be a power of two (u32)");
      file.alignment = *v;
    }
  }
  if (tensor_count > bytes.size())
    in.fail(std::to_string(tensor_count) + " tensors in a " + std::to_string(bytes.size()) + "-byte file");
  for (uint64_t i = 0; i < tensor_count; ++i) {
    GgufTensorEntry e;
    e.name = in.string("a tensor name");
    const uint32_t dims = in.u32();
    if (dims == 0 || dims > kMaxDims) in.fail("tensor '" + e.name + "': " + std::to_string(dims) + " dimensions");
    for (uint32_t d = 0; d < dims; ++d) {
      const uint64_t n = in.u64();
      if (n > (uint64_t{1} << 40)) in.fail("tensor '" + e.name + "': dimension " + std::to_string(n));
      e.shape.insert(e.shape.begin(), static_cast<int64_t>(n));
    }
    e.ggml_type = in.u32();
    e.offset = in.u64();  // relative to the data section until it is known
    e.coded = coded_dtype(e.ggml_type).has_value();
    file.entries.push_back(std::move(e));
  }
  const uint64_t data = (in.offset() + file.alignment - 1) / file.alignment * file.alignment;
  if (data > bytes.size()) in.fail("the data section would start past the end of the file");

  // The coded tensors in file order, each inside the file and clear of the one before.
  std::vector<size_t> order;
  for (size_t i = 0; i < file.entries.size(); ++i) {
    GgufTensorEntry& e = file.entries[i];
    if (e.offset > bytes.size() - data) in.fail("tensor '" + e.name + "': offset past the end of the file");
    e.offset += data;
    if (e.coded) order.push_back(i);
  }
  std::ranges::sort(order, {}, [&](size_t i) { return file.entries[i].offset; });
  SourceLayout& layout = file.layout;
  layout.kind = SourceKind::Gguf;
  layout.file_size = bytes.size();
  layout.file_crc = crc32_of(bytes);
  uint64_t at = 0;
  for (const size_t i : order) {
    const GgufTensorEntry& e = file.entries[i];
    const DType dtype = *coded_dtype(e.ggml_type);
    uint64_t count = 0;
    try {
      count = static_cast<uint64_t>(element_count(e.shape));
    } catch (const std::overflow_error&) {
      in.fail("tensor '" + e.name + "': too many elements");
    }
    const uint64_t size = tensor_data_bytes(dtype, count);
    if (e.offset < at) in.fail("tensor '" + e.name + "' overlaps the tensor before it");
    if (size > bytes.size() - e.offset) in.fail("tensor '" + e.name + "' runs past the end of the file");
    if (e.offset > at) layout.segments.push_back({false, 0, {bytes.begin() + at, bytes.begin() + e.offset}});
    layout.segments.push_back({true, file.tensors.size(), {}});
    Tensor t{e.name, dtype, e.shape, {}};
    ByteReader data_reader(std::span<const uint8_t>(bytes).subspan(e.offset, size));
    t.bits.resize(count);
    for (uint32_t& b : t.bits) b = dtype == DType::F32 ? data_reader.u32() : data_reader.u16();
    file.tensors.push_back(std::move(t));
    at = e.offset + size;
  }
  if (at < bytes.size()) layout.segments.push_back({false, 0, {bytes.begin() + at, bytes.end()}});
  return file;
}

}  // namespace ws::golden
