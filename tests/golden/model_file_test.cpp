// load_model: the kind of a model file is recognised by content, and every
// unreadable or corrupt file is an InputError naming it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "golden/model/llama2c_reader.hpp"
#include "golden/model/model_file.hpp"
#include "golden/model/safetensors.hpp"

namespace ws::golden {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEmbeddedModel = WS_MODELS_DIR "/stories260K.bin";

// A path unique to this process and test, removed at the end of the test.
struct ScratchPath {
  const fs::path path = fs::temp_directory_path() /
                        ("ws_LoadModel_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                         "_" + std::to_string(::getpid()) + ".bin");
  ~ScratchPath() { fs::remove(path); }
};

std::string load_error(const std::string& path) {
  try {
    load_model(path);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << path;
  return "";
}

TEST(LoadModel, RecognisesTheEmbeddedLlama2cCheckpoint) {
  const Model model = load_model(kEmbeddedModel);
  EXPECT_EQ(model.path, kEmbeddedModel);
  EXPECT_EQ(model.kind, "llama2c");
  ASSERT_EQ(model.tensors.size(), 47u);
  EXPECT_EQ(model.tensors.front().name, "token_embedding_table");
  EXPECT_EQ(model.tensors.front().shape, (std::vector<int64_t>{512, 64}));
  EXPECT_EQ(model.tensors, read_llama2c(kEmbeddedModel).tensors);
}

TEST(LoadModel, RecognisesSafetensorsByContentWhateverTheName) {
  const ScratchPath scratch;  // named .bin on purpose
  const std::vector<Tensor> tensors = {{"a", DType::BF16, {2}, {0x3f80, 0xc000}}, {"b", DType::F32, {}, {0x3f800000}}};
  write_safetensors(scratch.path.string(), tensors);
  const Model model = load_model(scratch.path.string());
  EXPECT_EQ(model.kind, "safetensors");
  EXPECT_EQ(model.tensors, tensors);
}

TEST(LoadModel, ConvertedEmbeddedModelLoadsAsSafetensorsWithTheSameTensors) {
  const ScratchPath scratch;
  const std::vector<Tensor> tensors = load_model(kEmbeddedModel).tensors;
  write_safetensors(scratch.path.string(), tensors);
  const Model model = load_model(scratch.path.string());
  EXPECT_EQ(model.kind, "safetensors");
  // Packed in the given order, so offset order is the llama2.c order.
  EXPECT_EQ(model.tensors, tensors);
}

TEST(LoadModel, UnreadableOrCorruptFilesAreInputErrorsNamingThem) {
  const ScratchPath scratch;
  const auto expect_named_error = [&](const std::string& content, const std::string& part) {
    SCOPED_TRACE(part);
    std::ofstream(scratch.path, std::ios::binary | std::ios::trunc) << content;
    const std::string message = load_error(scratch.path.string());
    EXPECT_TRUE(message.starts_with(scratch.path.string() + ": ")) << message;
    EXPECT_NE(message.find(part), std::string::npos) << message;
  };
  // Looks like safetensors ('{' at byte 8), so the safetensors reader explains what is wrong.
  expect_named_error(std::string("\x05\0\0\0\0\0\0\0{bad}", 13), "not valid JSON");
  // The same with a header length far past the end: still a safetensors file, and the length is what is wrong.
  expect_named_error(std::string("\0\0\0\0\0\0\0\x80{\"a\":1}", 15), "header length 9223372036854775808 exceeds");
  // Neither kind: both are named.
  expect_named_error("abc", "neither safetensors");
  expect_named_error(std::string(64, '\xff'), "neither safetensors");

  const std::string missing = (fs::temp_directory_path() / "ws_LoadModel_no_such_model.bin").string();
  EXPECT_TRUE(load_error(missing).starts_with(missing + ": cannot open file")) << load_error(missing);
}

}  // namespace
}  // namespace ws::golden
