// The safetensors reader and writer: round trips of every dtype and shape
// kind, the writer's header layout, every way a file can be malformed (each an
// InputError naming the file and the tensor), and the file helpers under them:
// AtomicFileWriter never leaves a partial or temporary file behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "golden/container/byte_io.hpp"
#include "golden/io/file_io.hpp"
#include "golden/model/safetensors.hpp"

namespace ws::golden {
namespace {

namespace fs = std::filesystem;

// Every file in the temporary directory whose name starts with `path`'s name:
// the file itself and any temporary file written for it.
std::vector<fs::path> files_named_like(const fs::path& path) {
  std::vector<fs::path> found;
  for (const fs::directory_entry& entry : fs::directory_iterator(path.parent_path())) {
    if (entry.path().filename().string().starts_with(path.filename().string())) found.push_back(entry.path());
  }
  return found;
}

// A path unique to this process and test; the file and its temporaries are removed at the end.
class TempFile {
 public:
  explicit TempFile(std::string_view tag) {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / ("ws_" + std::string(test->test_suite_name()) + "_" + test->name() + "_" +
                                         std::string(tag) + "_" + std::to_string(::getpid()));
  }
  ~TempFile() {
    for (const fs::path& p : files_named_like(path_)) fs::remove(p);
  }
  const fs::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

void write_bytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A safetensors file from its parts; the header length field can be forged.
std::vector<uint8_t> raw_file(std::string_view header, size_t data_bytes,
                              std::optional<uint64_t> header_length = std::nullopt) {
  ByteWriter w;
  w.u64(header_length.value_or(header.size()));
  w.bytes({reinterpret_cast<const uint8_t*>(header.data()), header.size()});
  for (size_t i = 0; i < data_bytes; ++i) w.u8(static_cast<uint8_t>(i));
  return w.data();
}

// The message of the InputError that reading `bytes` throws, or a test failure.
std::string read_error(const TempFile& file, const std::vector<uint8_t>& bytes) {
  write_bytes(file.path(), bytes);
  try {
    read_safetensors(file.str());
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

std::vector<Tensor> tensors_of_every_kind() {
  return {
      // fp32 specials: NaN with payload, -0, +inf, 1.0, the smallest subnormal, -max.
      {"matrix", DType::F32, {2, 3}, {0x7fc00001, 0x80000000, 0x7f800000, 0x3f800000, 0x00000001, 0xff7fffff}},
      {"empty", DType::BF16, {0}, {}},
      {"vector", DType::F16, {5}, {0x0001, 0x7c00, 0xfc00, 0x7e01, 0x3c00}},
      {"scalar", DType::F32, {}, {0x40490fdb}},
      {"cube", DType::BF16, {2, 2, 2}, {0x3f80, 0xbf80, 0x7f80, 0xff80, 0x7fc1, 0x8000, 0x0001, 0x4049}},
      {"zero_rows", DType::F16, {0, 3}, {}},
      {"last", DType::BF16, {1}, {0xffff}},
  };
}

TEST(Safetensors, RoundTripsEveryDtypeAndShapeKind) {
  const TempFile file("model.safetensors");
  const std::vector<Tensor> tensors = tensors_of_every_kind();
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "d\xc3\xa9j\xc3\xa0 vu"}};
  write_safetensors(file.str(), tensors, metadata);
  const SafetensorsFile read = read_safetensors_file(file.str());
  // Written back to back in the given order, so offset order is that order
  // (an empty tensor sorts before the non-empty one that starts where it does).
  EXPECT_EQ(read.tensors, tensors);
  EXPECT_EQ(read.metadata, metadata);
  EXPECT_EQ(read_safetensors(file.str()), tensors);
}

TEST(Safetensors, RoundTripsNoTensorsAtAll) {
  const TempFile file("empty.safetensors");
  write_safetensors(file.str(), {});
  EXPECT_TRUE(read_safetensors(file.str()).empty());
}

TEST(Safetensors, PadsTheHeaderWithSpacesToAMultipleOf8) {
  for (size_t name_length = 1; name_length <= 16; ++name_length) {
    SCOPED_TRACE("name length " + std::to_string(name_length));
    const TempFile file("padded" + std::to_string(name_length));
    write_safetensors(file.str(), {{std::string(name_length, 'x'), DType::F32, {1}, {0x3f800000}}});
    const std::vector<uint8_t> bytes = read_file_bytes(file.str());
    const uint64_t header_length = ByteReader(bytes).u64();
    EXPECT_EQ(header_length % 8, 0u);
    ASSERT_EQ(bytes.size(), 8 + header_length + 4);
    const std::string header(bytes.begin() + 8, bytes.begin() + 8 + static_cast<ptrdiff_t>(header_length));
    const size_t json_end = header.find_last_not_of(' ') + 1;
    EXPECT_EQ(header.front(), '{');
    EXPECT_EQ(header[json_end - 1], '}');
    EXPECT_LT(header.size() - json_end, 8u) << "no more padding than needed";
  }
}

TEST(Safetensors, WritesMetadataFirstAndTensorsInTheGivenOrder) {
  const TempFile file("order.safetensors");
  write_safetensors(file.str(), {{"b_first", DType::F32, {1}, {1}}, {"a_second", DType::F32, {1}, {2}}}, {{"k", "v"}});
  const std::string text = read_text(file.path());
  EXPECT_LT(text.find("__metadata__"), text.find("b_first"));
  EXPECT_LT(text.find("b_first"), text.find("a_second"));
  EXPECT_NE(text.find(R"("a_second":{"dtype":"F32","shape":[1],"data_offsets":[4,8]})"), std::string::npos) << text;
}

TEST(Safetensors, ReturnsTensorsInDataOffsetOrderAndAcceptsHoles) {
  const TempFile file("offsets.safetensors");
  // Header keys out of offset order; bytes 16..20 belong to no tensor.
  write_bytes(file.path(), raw_file(R"({"d":{"dtype":"F32","shape":[1],"data_offsets":[20,24]},)"
                                    R"("b":{"dtype":"BF16","shape":[4],"data_offsets":[8,16]},)"
                                    R"("c":{"dtype":"F16","shape":[0],"data_offsets":[16,16]},)"
                                    R"("a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}})",
                                    24));
  const std::vector<Tensor> tensors = read_safetensors(file.str());
  ASSERT_EQ(tensors.size(), 4u);
  EXPECT_EQ(tensors[0], (Tensor{"a", DType::F16, {2, 2}, {0x0100, 0x0302, 0x0504, 0x0706}}));
  EXPECT_EQ(tensors[1], (Tensor{"b", DType::BF16, {4}, {0x0908, 0x0b0a, 0x0d0c, 0x0f0e}}));
  EXPECT_EQ(tensors[2], (Tensor{"c", DType::F16, {0}, {}}));
  EXPECT_EQ(tensors[3], (Tensor{"d", DType::F32, {1}, {0x17161514}}));
}

TEST(Safetensors, RejectsEveryMalformedFileWithInputErrorNamingFileAndTensor) {
  struct BadFile {
    std::string what;
    std::vector<uint8_t> bytes;
    std::vector<std::string> message_parts;  // besides the file name
  };
  const auto header_only = [](std::string_view header) { return raw_file(header, 8); };
  const auto entry = [](std::string_view fields) { return raw_file("{\"w\":{" + std::string(fields) + "}}", 8); };
  const std::vector<BadFile> cases = {
      {"file shorter than the length field", {1, 2, 3}, {"3 bytes, too short"}},
      {"header length beyond the file", raw_file("{}", 0, 1000), {"offset 0", "header length 1000"}},
      {"header length near 2^64", raw_file("{}", 0, UINT64_MAX - 3), {"offset 0", "exceeds"}},
      {"empty header", raw_file("", 8), {"not valid JSON"}},
      {"truncated JSON", header_only(R"({"w":{"dtype":)"), {"not valid JSON", "offset"}},
      {"JSON with trailing garbage", header_only(R"({} x)"), {"not valid JSON"}},
      {"invalid UTF-8 in a name", header_only("{\"w\xff\":{}}"), {"not valid JSON"}},
      {"number beyond a double", header_only(R"({"w":1e999})"), {"not valid JSON"}},
      {"header not an object", header_only("[1, 2]"), {"must be a JSON object, got array"}},
      {"entry not an object", header_only(R"({"w":5})"), {"'w'", "entry must be an object"}},
      {"missing dtype", entry(R"("shape":[2],"data_offsets":[0,8])"), {"'w'", "missing field \"dtype\""}},
      {"missing shape", entry(R"("dtype":"F32","data_offsets":[0,8])"), {"'w'", "missing field \"shape\""}},
      {"missing data_offsets", entry(R"("dtype":"F32","shape":[2])"), {"'w'", "missing field \"data_offsets\""}},
      {"dtype not a string", entry(R"("dtype":32,"shape":[2],"data_offsets":[0,8])"),
       {"'w'", "\"dtype\" must be a string"}},
      {"shape not an array", entry(R"("dtype":"F32","shape":"2","data_offsets":[0,8])"),
       {"'w'", "\"shape\" must be an array"}},
      {"fractional shape", entry(R"("dtype":"F32","shape":[2.0],"data_offsets":[0,8])"),
       {"'w'", "shape[0] must be an integer"}},
      {"boolean shape", entry(R"("dtype":"F32","shape":[true],"data_offsets":[0,8])"),
       {"'w'", "shape[0] must be an integer"}},
      {"one data offset", entry(R"("dtype":"F32","shape":[2],"data_offsets":[0])"), {"'w'", "\"data_offsets\""}},
      {"string data offset", entry(R"("dtype":"F32","shape":[2],"data_offsets":[0,"8"])"),
       {"'w'", "\"data_offsets\""}},
      {"negative data offset", entry(R"("dtype":"F32","shape":[0],"data_offsets":[-8,-8])"),
       {"'w'", "\"data_offsets\""}},
      {"unsupported dtype I8", entry(R"("dtype":"I8","shape":[8],"data_offsets":[0,8])"),
       {"'w'", "unsupported dtype 'I8'"}},
      {"unsupported dtype F64", entry(R"("dtype":"F64","shape":[1],"data_offsets":[0,8])"),
       {"'w'", "unsupported dtype 'F64'"}},
      {"negative dimension", entry(R"("dtype":"F32","shape":[-2],"data_offsets":[0,8])"),
       {"'w'", "shape[0] is negative (-2)"}},
      {"dimension beyond int64", entry(R"("dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,8])"),
       {"'w'", "shape[0] is too large"}},
      {"element count overflow", entry(R"("dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8])"),
       {"'w'", "too many elements"}},
      {"byte count overflow", entry(R"("dtype":"F32","shape":[2305843009213693952,2],"data_offsets":[0,8])"),
       {"'w'", "needs more"}},
      {"size mismatch", entry(R"("dtype":"F32","shape":[3],"data_offsets":[0,8])"),
       {"'w'", "data_offsets [0, 8] hold 8 bytes", "needs 12"}},
      {"end before begin", entry(R"("dtype":"F32","shape":[0],"data_offsets":[8,4])"), {"'w'", "end before begin"}},
      {"end beyond the data buffer", entry(R"("dtype":"F32","shape":[4],"data_offsets":[0,16])"),
       {"'w'", "end beyond data buffer of 8 bytes"}},
      {"overlapping ranges",
       raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                12),
       {"'b'", "overlap tensor 'a' at [0, 8]"}},
      {"one range inside another",
       raw_file(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                R"("b":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}})",
                16),
       {"'b'", "overlap tensor 'a'"}},
      {"duplicate tensor name",
       header_only(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                   R"("w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})"),
       {"duplicate tensor name 'w'"}},
      {"duplicate field", entry(R"("dtype":"F32","dtype":"F16","shape":[2],"data_offsets":[0,8])"),
       {"entry 'w' has a duplicate key 'dtype'"}},
      {"metadata not an object", header_only(R"({"__metadata__":["a"]})"), {"\"__metadata__\" must be an object"}},
      {"metadata value not a string", header_only(R"({"__metadata__":{"k":1}})"), {"\"__metadata__\" key 'k'"}},
  };
  for (const BadFile& bad : cases) {
    SCOPED_TRACE(bad.what);
    const TempFile file("bad.safetensors");
    const std::string message = read_error(file, bad.bytes);
    EXPECT_TRUE(message.starts_with(file.str() + ": ")) << message;
    for (const std::string& part : bad.message_parts) EXPECT_NE(message.find(part), std::string::npos) << message;
  }
}

TEST(Safetensors, OutOfRangeMessageNamesFileTensorOffsetsAndDataStart) {
  const TempFile file("model.safetensors");
  const std::string header = R"({"w1":{"dtype":"F32","shape":[25],"data_offsets":[0,100]}})";
  EXPECT_EQ(read_error(file, raw_file(header, 64)),
            file.str() + ": tensor 'w1': data_offsets [0, 100] end beyond data buffer of 64 bytes (header ends at offset " +
                std::to_string(8 + header.size()) + ")");
}

TEST(Safetensors, WriterRejectsInvalidTensorsAndLeavesNoFile) {
  const std::vector<std::vector<Tensor>> invalid = {
      {{"w", DType::F32, {1}, {0}}, {"w", DType::F16, {1}, {0}}},  // duplicate name
      {{"__metadata__", DType::F32, {1}, {0}}},                     // reserved name
      {{"w", DType::F32, {2, 2}, {0, 0, 0}}},                       // shape does not match
      {{"w", DType::F32, {-1}, {}}},                                // negative dimension
      {{"w", DType::BF16, {1}, {0x10000}}},                         // wider than 16 bits
  };
  for (size_t i = 0; i < invalid.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const TempFile file("invalid.safetensors");
    EXPECT_THROW(write_safetensors(file.str(), invalid[i]), std::invalid_argument);
    EXPECT_TRUE(files_named_like(file.path()).empty());
  }
}

TEST(Safetensors, WriterReportsAnUnwritableDirectory) {
  const std::string path = (fs::temp_directory_path() / "ws_no_such_directory" / "m.safetensors").string();
  EXPECT_THROW(write_safetensors(path, tensors_of_every_kind()), OutputError);
}

TEST(FileIo, ReadFileBytesReturnsTheWholeFile) {
  const TempFile file("bytes");
  std::vector<uint8_t> bytes(3 << 20);  // more than one read chunk
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7 + (i >> 12));
  write_bytes(file.path(), bytes);
  EXPECT_EQ(read_file_bytes(file.str()), bytes);
  const FileHead head = read_file_head(file.str(), 9);
  EXPECT_EQ(head.bytes, std::vector<uint8_t>(bytes.begin(), bytes.begin() + 9));
  EXPECT_EQ(head.file_size, bytes.size());
}

TEST(FileIo, UnreadableFilesAreInputErrorsNamingThePath) {
  const TempFile missing("missing");
  for (const std::string& path : {missing.str(), fs::temp_directory_path().string()}) {
    SCOPED_TRACE(path);
    try {
      read_file_bytes(path);
      ADD_FAILURE() << "no InputError";
    } catch (const InputError& e) {
      EXPECT_TRUE(std::string(e.what()).starts_with(path + ": ")) << e.what();
    }
  }
}

TEST(FileIo, AtomicWriterLeavesNoFileWhenNotCommitted) {
  const TempFile file("uncommitted");
  {
    AtomicFileWriter writer(file.str());
    writer.write("partial", 7);
    EXPECT_TRUE(fs::exists(writer.temp_path()));
    EXPECT_FALSE(fs::exists(file.path()));
  }
  EXPECT_TRUE(files_named_like(file.path()).empty());
}

TEST(FileIo, AtomicWriterLeavesOnlyTheDestinationAfterCommit) {
  const TempFile file("committed");
  AtomicFileWriter writer(file.str());
  writer.write("hello ", 6);
  writer.write("world", 5);
  writer.commit();
  EXPECT_EQ(files_named_like(file.path()), std::vector<fs::path>{file.path()});
  EXPECT_EQ(read_text(file.path()), "hello world");
  EXPECT_THROW(writer.commit(), std::logic_error);
}

TEST(FileIo, AtomicWriterReplacesAFileOnlyOnCommit) {
  const TempFile file("replaced");
  write_bytes(file.path(), {'o', 'l', 'd'});
  {
    AtomicFileWriter abandoned(file.str());
    abandoned.write("new", 3);
  }
  EXPECT_EQ(read_text(file.path()), "old");
  AtomicFileWriter writer(file.str());
  writer.write("new", 3);
  EXPECT_EQ(read_text(file.path()), "old");
  writer.commit();
  EXPECT_EQ(read_text(file.path()), "new");
  EXPECT_EQ(files_named_like(file.path()).size(), 1u);
}

TEST(FileIo, AtomicWriterErrorsAreOutputErrorsNamingThePath) {
  const std::string path = (fs::temp_directory_path() / "ws_no_such_directory" / "out").string();
  try {
    AtomicFileWriter writer(path);
    ADD_FAILURE() << "no exception";
  } catch (const OutputError& e) {
    EXPECT_EQ(e.code(), ErrorCode::Output);
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ws::golden
