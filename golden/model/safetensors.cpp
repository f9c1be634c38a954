#include "golden/model/safetensors.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include "golden/common/crc32.hpp"
#include "golden/container/byte_io.hpp"
#include "golden/io/file_io.hpp"

namespace ws::golden {
namespace {

using nlohmann::json;
using std::to_string;

constexpr uint64_t kLengthFieldBytes = 8;
// The reference reader's limit; it also keeps a corrupt length from making us parse megabytes as JSON.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr std::string_view kMetadataKey = "__metadata__";
constexpr DType kSupportedDTypes[] = {DType::F32, DType::F16, DType::BF16};

uint64_t dtype_bytes(DType t) { return static_cast<uint64_t>(dtype_bits(t) / 8); }

std::string range_text(uint64_t begin, uint64_t end) {
  // Appended piecewise: `"[" + to_string(...)` trips GCC 12's false -Wrestrict positive.
  std::string text = "[";
  text += to_string(begin);
  text += ", ";
  text += to_string(end);
  return text + "]";
}

// Where the header and data buffer lie, so that every message says where to look.
struct FileLayout {
  std::string path;
  uint64_t header_end = 0;  // file offset of the data buffer
  uint64_t data_size = 0;

  [[noreturn]] void header_error(const std::string& what) const {
    throw InputError(path + ": header at offsets 8.." + to_string(header_end) + ": " + what);
  }
  [[noreturn]] void tensor_error(const std::string& name, const std::string& what) const {
    throw InputError(path + ": tensor '" + name + "': " + what + " (header ends at offset " + to_string(header_end) + ")");
  }
};

// One validated header entry.
struct Entry {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

// Parses the header, rejecting duplicate keys, which nlohmann::json would
// silently collapse to the last one (the format forbids them).
json parse_header(std::span<const uint8_t> text, const FileLayout& file) {
  std::vector<std::set<std::string>> keys_of_open_objects;
  std::string current_entry;  // the top-level key being parsed, to name it in messages
  std::optional<std::string> duplicate;
  const auto check_keys = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys_of_open_objects.emplace_back();
    if (event == json::parse_event_t::object_end) keys_of_open_objects.pop_back();
    if (event == json::parse_event_t::key) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (depth == 1) current_entry = key;
      if (!keys_of_open_objects.back().insert(key).second && !duplicate) {
        duplicate = depth == 1 ? "duplicate tensor name '" + key + "'"
                               : "entry '" + current_entry + "' has a duplicate key '" + key + "'";
      }
    }
    return true;
  };
  json header;
  try {
    header = json::parse(text.begin(), text.end(), check_keys);
  } catch (const json::parse_error& e) {
    const uint64_t offset = kLengthFieldBytes + std::max<uint64_t>(e.byte, 1) - 1;
    throw InputError(file.path + ": offset " + to_string(offset) + ": header is not valid JSON: " + e.what());
  } catch (const json::exception& e) {  // e.g. a number too large for a double
    file.header_error(std::string("header is not valid JSON: ") + e.what());
  }
  if (duplicate) file.header_error(*duplicate);
  if (!header.is_object()) file.header_error(std::string("must be a JSON object, got ") + header.type_name());
  return header;
}

std::map<std::string, std::string> parse_metadata(const json& value, const FileLayout& file) {
  if (!value.is_object()) {
    file.header_error("\"__metadata__\" must be an object of strings, got " + std::string(value.type_name()));
  }
  std::map<std::string, std::string> metadata;
  for (const auto& [key, text] : value.items()) {
    if (!text.is_string()) {
      file.header_error("\"__metadata__\" key '" + key + "' must be a string, got " + text.type_name());
    }
    metadata.emplace(key, text.get<std::string>());
  }
  return metadata;
}

DType parse_dtype(const json& value, const std::string& name, const FileLayout& file) {
  if (!value.is_string()) file.tensor_error(name, std::string("\"dtype\" must be a string, got ") + value.type_name());
  const std::string& text = value.get_ref<const std::string&>();
  for (const DType t : kSupportedDTypes) {
    if (text == dtype_name(t)) return t;
  }
  file.tensor_error(name, "unsupported dtype '" + text + "' (supported: F32, F16, BF16)");
}

std::vector<int64_t> parse_shape(const json& value, const std::string& name, const FileLayout& file) {
  if (!value.is_array()) {
    file.tensor_error(name, std::string("\"shape\" must be an array of integers, got ") + value.type_name());
  }
  std::vector<int64_t> shape;
  for (size_t i = 0; i < value.size(); ++i) {
    const json& dim = value[i];
    const std::string where = "shape[" + to_string(i) + "]";
    if (!dim.is_number_integer()) file.tensor_error(name, where + " must be an integer, got " + dim.type_name());
    if (!dim.is_number_unsigned()) file.tensor_error(name, where + " is negative (" + dim.dump() + ")");
    if (dim.get<uint64_t>() > INT64_MAX) file.tensor_error(name, where + " is too large (" + dim.dump() + ")");
    shape.push_back(dim.get<int64_t>());
  }
  return shape;
}

Entry parse_entry(const std::string& name, const json& value, const FileLayout& file) {
  if (!value.is_object()) {
    file.tensor_error(name, std::string("entry must be an object {dtype, shape, data_offsets}, got ") + value.type_name());
  }
  // Unknown fields are ignored, as the reference reader does.
  const auto field = [&](const char* key) -> const json& {
    const auto it = value.find(key);
    if (it == value.end()) file.tensor_error(name, std::string("missing field \"") + key + "\"");
    return *it;
  };
  Entry entry;
  entry.name = name;
  entry.dtype = parse_dtype(field("dtype"), name, file);
  entry.shape = parse_shape(field("shape"), name, file);

  const json& offsets = field("data_offsets");
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    file.tensor_error(name, "\"data_offsets\" must be two non-negative integers [begin, end], got " + offsets.dump());
  }
  entry.begin = offsets[0].get<uint64_t>();
  entry.end = offsets[1].get<uint64_t>();
  const std::string offsets_text = "data_offsets " + range_text(entry.begin, entry.end);
  if (entry.end < entry.begin) file.tensor_error(name, offsets_text + " end before begin");
  if (entry.end > file.data_size) {
    file.tensor_error(name, offsets_text + " end beyond data buffer of " + to_string(file.data_size) + " bytes");
  }

  int64_t count = 0;
  try {
    count = element_count(entry.shape);
  } catch (const std::overflow_error&) {
    file.tensor_error(name, "shape " + json(entry.shape).dump() + " has too many elements");
  }
  // Saturates, so that a count too large for any file cannot wrap round to a match.
  const uint64_t needed = static_cast<uint64_t>(count) > UINT64_MAX / dtype_bytes(entry.dtype)
                              ? UINT64_MAX
                              : static_cast<uint64_t>(count) * dtype_bytes(entry.dtype);
  if (entry.end - entry.begin != needed) {
    file.tensor_error(name, offsets_text + " hold " + to_string(entry.end - entry.begin) + " bytes, but shape " +
                                json(entry.shape).dump() + " of " + std::string(dtype_name(entry.dtype)) + " needs " +
                                (needed == UINT64_MAX ? "more" : to_string(needed)));
  }
  return entry;
}

// Sorts by data offset and rejects ranges that share a byte. Empty ranges share none.
void sort_and_check_overlaps(std::vector<Entry>& entries, const FileLayout& file) {
  std::ranges::sort(entries, [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  const Entry* previous = nullptr;  // the last non-empty range; sorted and disjoint so far, it ends furthest
  for (const Entry& entry : entries) {
    if (entry.begin == entry.end) continue;
    if (previous != nullptr && entry.begin < previous->end) {
      file.tensor_error(entry.name, "data_offsets " + range_text(entry.begin, entry.end) + " overlap tensor '" +
                                        previous->name + "' at " + range_text(previous->begin, previous->end));
    }
    previous = &entry;
  }
}

Tensor load_tensor(Entry&& entry, std::span<const uint8_t> file_bytes, const FileLayout& file) {
  ByteReader reader(file_bytes.subspan(file.header_end + entry.begin, entry.end - entry.begin));
  Tensor tensor{std::move(entry.name), entry.dtype, std::move(entry.shape), {}};
  tensor.bits.resize((entry.end - entry.begin) / dtype_bytes(entry.dtype));
  for (uint32_t& bits : tensor.bits) bits = tensor.dtype == DType::F32 ? reader.u32() : reader.u16();
  return tensor;
}

void check_writable(const TensorInfo& t, std::set<std::string>& names, const std::string& path) {
  const std::string where = path + ": tensor '" + t.name + "': ";
  if (t.name == kMetadataKey) throw std::invalid_argument(where + "the name is reserved for metadata");
  if (!names.insert(t.name).second) throw std::invalid_argument(where + "duplicate tensor name");
  if (std::ranges::any_of(t.shape, [](int64_t d) { return d < 0; })) {
    throw std::invalid_argument(where + "shape " + json(t.shape).dump() + " has a negative dimension");
  }
}

void check_holds(const Tensor& t, const std::string& path) {
  const std::string where = path + ": tensor '" + t.name + "': ";
  int64_t count = -1;
  try {
    count = element_count(t.shape);
  } catch (const std::overflow_error&) {
  }
  if (count != static_cast<int64_t>(t.bits.size())) {
    throw std::invalid_argument(where + "shape " + json(t.shape).dump() + " does not hold its " +
                                to_string(t.bits.size()) + " elements");
  }
  const uint32_t widest = dtype_bits(t.dtype) == 32 ? UINT32_MAX : UINT16_MAX;
  if (std::ranges::any_of(t.bits, [&](uint32_t b) { return b > widest; })) {
    throw std::invalid_argument(where + "bit pattern wider than " + std::string(dtype_name(t.dtype)));
  }
}

// The header JSON, padded with spaces so that the data buffer starts at a multiple of 8.
std::string header_text(const std::vector<TensorInfo>& tensors, const std::map<std::string, std::string>& metadata,
                        const std::string& path) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();  // keeps the tensor order
  if (!metadata.empty()) header[std::string(kMetadataKey)] = metadata;
  uint64_t offset = 0;
  for (const TensorInfo& t : tensors) {
    const uint64_t end = offset + tensor_data_bytes(t.dtype, static_cast<uint64_t>(element_count(t.shape)));
    header[t.name] = {{"dtype", std::string(dtype_name(t.dtype))},
                      {"shape", t.shape},
                      {"data_offsets", nlohmann::ordered_json::array({offset, end})}};
    offset = end;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception&) {
    throw std::invalid_argument(path + ": tensor names and metadata must be valid UTF-8");
  }
  text.append((kLengthFieldBytes - text.size() % kLengthFieldBytes) % kLengthFieldBytes, ' ');
  if (text.size() > kMaxHeaderBytes) throw std::invalid_argument(path + ": header exceeds the 100 MB limit of the format");
  return text;
}

}  // namespace

SafetensorsFile read_safetensors_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  if (bytes.size() < kLengthFieldBytes) {
    throw InputError(path + ": " + to_string(bytes.size()) + " bytes, too short for a safetensors header length (8 bytes)");
  }
  const uint64_t header_size = ByteReader(bytes).u64();
  const uint64_t after_length = bytes.size() - kLengthFieldBytes;
  if (header_size > after_length || header_size > kMaxHeaderBytes) {
    throw InputError(path + ": offset 0: header length " + to_string(header_size) + " exceeds " +
                     (header_size > after_length ? "the " + to_string(after_length) + " bytes that follow it"
                                                 : "the format's limit of " + to_string(kMaxHeaderBytes) + " bytes"));
  }
  const FileLayout file{path, kLengthFieldBytes + header_size, after_length - header_size};
  const json header = parse_header(std::span(bytes).subspan(kLengthFieldBytes, header_size), file);

  SafetensorsFile result;
  std::vector<Entry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == kMetadataKey) {
      result.metadata = parse_metadata(value, file);
    } else {
      entries.push_back(parse_entry(key, value, file));
    }
  }
  sort_and_check_overlaps(entries, file);
  // The layout: the length field and header verbatim, then the data buffer
  // in offset order, its unreferenced bytes verbatim between the tensors.
  SourceLayout& layout = result.layout;
  layout.kind = SourceKind::Safetensors;
  layout.file_size = bytes.size();
  layout.file_crc = crc32_of(bytes);
  const auto verbatim = [&](uint64_t begin, uint64_t end) {
    if (end > begin) layout.segments.push_back({false, 0, std::vector<uint8_t>(bytes.begin() + begin, bytes.begin() + end)});
  };
  verbatim(0, file.header_end);
  uint64_t at = 0;  // in the data buffer
  for (Entry& entry : entries) {
    verbatim(file.header_end + at, file.header_end + entry.begin);
    at = std::max(at, entry.end);
    layout.segments.push_back({true, result.tensors.size(), {}});
    result.tensors.push_back(load_tensor(std::move(entry), bytes, file));
  }
  verbatim(file.header_end + at, bytes.size());
  return result;
}

std::vector<Tensor> read_safetensors(const std::string& path) { return read_safetensors_file(path).tensors; }

void write_safetensors_to(AtomicFileWriter& out, const std::vector<TensorInfo>& tensors,
                          const std::map<std::string, std::string>& metadata,
                          const std::function<std::vector<uint8_t>(size_t)>& data_of) {
  std::set<std::string> names;
  for (const TensorInfo& t : tensors) check_writable(t, names, out.path());
  const std::string header = header_text(tensors, metadata, out.path());
  ByteWriter length;
  length.u64(header.size());
  out.write(length.data().data(), length.data().size());
  out.write(header.data(), header.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const std::vector<uint8_t> data = data_of(i);
    const uint64_t size = tensor_data_bytes(tensors[i].dtype, static_cast<uint64_t>(element_count(tensors[i].shape)));
    if (data.size() != size) {
      throw std::logic_error(out.path() + ": tensor '" + tensors[i].name + "': " + to_string(data.size()) +
                             " data bytes, its shape needs " + to_string(size));
    }
    out.write(data.data(), data.size());
  }
}

void write_safetensors(const std::string& path, const std::vector<Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<TensorInfo> infos;
  std::set<std::string> names;
  for (const Tensor& t : tensors) {
    infos.push_back({t.name, t.dtype, t.shape});
    check_writable(infos.back(), names, path);
    check_holds(t, path);
  }
  AtomicFileWriter out(path);
  write_safetensors_to(out, infos, metadata, [&](size_t i) { return tensor_bytes(tensors[i]); });
  out.commit();
}

bool looks_like_safetensors(std::span<const uint8_t> first_bytes) {
  return first_bytes.size() >= kSafetensorsSignatureBytes && first_bytes[kLengthFieldBytes] == '{';
}

}  // namespace ws::golden
