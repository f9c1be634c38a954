// The .wsc container: round trip, and every kind of damage reported as an
// InputError naming the file (never a crash, never a wrong tensor).
#include <gtest/gtest.h>

#include <random>

#include "golden/codec/lossless_codec.hpp"
#include "golden/container/wsc_container.hpp"
#include "golden/model/llama2c_reader.hpp"
#include "tests/support/seed.hpp"

namespace ws::golden {
namespace {

struct Fixture {
  std::vector<Tensor> tensors;
  std::vector<uint8_t> file;
};

const Fixture& stories() {
  static const Fixture f = [] {
    Fixture f;
    f.tensors = read_llama2c(WS_MODELS_DIR "/stories260K.bin").tensors;
    f.tensors.resize(12);  // embedding and the first layers: every codec feature, small enough to mutate a lot
    for (Tensor& t : f.tensors) t = to_bf16(t);
    f.file = serialize_wsc(encode_lossless(f.tensors, {4, 0, 3, true, true, 1024}));
    return f;
  }();
  return f;
}

// Parses and decodes everything; the outcome of a damaged file.
std::vector<Tensor> read_all(std::span<const uint8_t> file) {
  const WscContents c = parse_wsc(file, "damaged.wsc");
  const auto tables = build_tables(c.tensors, "damaged.wsc");
  std::vector<Tensor> out;
  for (size_t i = 0; i < c.tensors.size(); ++i) out.push_back(decode_lossless(c.tensors[i], *tables[i], "damaged.wsc"));
  return out;
}

void expect_rejected(std::span<const uint8_t> file, const std::string& what) {
  try {
    read_all(file);
    ADD_FAILURE() << what << ": accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("damaged.wsc"), std::string::npos) << what << ": " << e.what();
  }
}

TEST(WscContainer, RoundTripsBitExactly) {
  EXPECT_EQ(read_all(stories().file), stories().tensors);
  EXPECT_TRUE(looks_like_wsc(stories().file));
}

TEST(WscContainer, EveryTruncationIsRejected) {
  const std::vector<uint8_t>& file = stories().file;
  for (size_t length = 0; length < file.size(); length += (length < 4096 ? 1 : 97)) {
    expect_rejected(std::span(file).first(length), "truncated to " + std::to_string(length));
    if (HasFailure()) return;
  }
}

TEST(WscContainer, EveryByteChangeIsRejected) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> file = stories().file;
  // Every change of every header byte (version, flags, sizes, CRC).
  for (size_t at = 8; at < kWscHeaderBytes; ++at) {
    for (int flip = 1; flip < 256; ++flip) {
      file[at] ^= static_cast<uint8_t>(flip);
      expect_rejected(file, "header byte " + std::to_string(at) + " ^ " + std::to_string(flip));
      file[at] ^= static_cast<uint8_t>(flip);
      if (HasFailure()) return;
    }
  }
  std::vector<size_t> positions;
  for (size_t i = 0; i < 256 && i < file.size(); ++i) positions.push_back(i);  // header and directory
  for (int i = 0; i < 3000; ++i) positions.push_back(rng() % file.size());
  for (const size_t at : positions) {
    const uint8_t flip = static_cast<uint8_t>(1 + rng() % 255);
    file[at] ^= flip;
    expect_rejected(file, "seed " + std::to_string(seed) + " byte " + std::to_string(at) + " ^ " +
                              std::to_string(flip));
    file[at] ^= flip;
    if (HasFailure()) return;
  }
}

TEST(WscContainer, ExtraBytesAndWrongVersionAreRejectedWithClearMessages) {
  std::vector<uint8_t> file = stories().file;
  file.push_back(0);
  try {
    parse_wsc(file, "x.wsc");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("after the last payload"), std::string::npos) << e.what();
  }
  file.pop_back();
  file[8] = 9;  // version 9
  try {
    parse_wsc(file, "x.wsc");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("version 9 is not supported"), std::string::npos) << e.what();
  }
  file[0] = 'X';
  try {
    parse_wsc(file, "x.wsc");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad magic"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ws::golden
