// The lossless codec: bit-exact round trips (real weights as bf16 and fp32,
// every special value), the tANS coder against its own invariants, and the
// compressed size against the order-0 bound on the embedded model.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <random>

#include "golden/codec/fast_decoder.hpp"
#include "golden/codec/lossless_codec.hpp"
#include "golden/entropy/huffman.hpp"
#include "golden/entropy/normalize.hpp"
#include "golden/entropy/table_codec.hpp"
#include "golden/model/llama2c_reader.hpp"
#include "tests/support/seed.hpp"

namespace ws::golden {
namespace {

std::vector<Tensor> stories_as(DType dtype) {
  std::vector<Tensor> tensors = read_llama2c(WS_MODELS_DIR "/stories260K.bin").tensors;
  if (dtype == DType::BF16) {
    for (Tensor& t : tensors) t = to_bf16(t);
  }
  return tensors;
}

// The fast decoder's output as tensor bit patterns.
std::vector<uint32_t> fast_bits(const EncodedTensor& e, const TansTable& table) {
  const size_t width = static_cast<size_t>(dtype_bits(e.dtype) / 8);
  std::vector<uint8_t> bytes(e.count * width);
  fast_decode(e, FastDecodeTable(table, e), bytes, "test");
  std::vector<uint32_t> bits(e.count, 0);
  for (size_t i = 0; i < bits.size(); ++i) {
    for (size_t b = 0; b < width; ++b) bits[i] |= uint32_t{bytes[i * width + b]} << (8 * b);
  }
  return bits;
}

// Both decoders (the hardware-shaped reference and the fast path) give back
// every weight.
void expect_round_trip(std::span<const Tensor> tensors, const LosslessOptions& options) {
  const std::vector<EncodedTensor> encoded = encode_lossless(tensors, options);
  const auto tables = build_tables(encoded, "test");
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor decoded = decode_lossless(encoded[i], *tables[i], "test");
    const std::vector<uint32_t> fast = fast_bits(encoded[i], *tables[i]);
    ASSERT_EQ(decoded.bits.size(), tensors[i].bits.size()) << tensors[i].name;
    for (size_t j = 0; j < decoded.bits.size(); ++j) {
      ASSERT_EQ(decoded.bits[j], tensors[i].bits[j]) << tensors[i].name << " index " << j;
      ASSERT_EQ(fast[j], tensors[i].bits[j]) << "fast decoder: " << tensors[i].name << " index " << j;
    }
    EXPECT_EQ(decoded, tensors[i]);
  }
}

TEST(LosslessCodec, RoundTripsRealWeightsAsBf16AndFp32) {
  for (const DType dtype : {DType::BF16, DType::F32}) {
    const std::vector<Tensor> tensors = stories_as(dtype);
    for (const int lanes : {1, 3, 4, 8, 16, 32}) {
      for (const int joint : {0, 2}) {
        SCOPED_TRACE("lanes " + std::to_string(lanes) + " joint " + std::to_string(joint));
        expect_round_trip(tensors, {lanes, 0, joint, true, true, 1024});
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST(LosslessCodec, RoundTripsEverySpecialValue) {
  // Every 16-bit pattern (all NaN payloads, infinities, -0, subnormals) as
  // bf16 and fp16, and fp32 specials, with a fixed table log and lanes.
  Tensor bf16{"all_bf16", DType::BF16, {65536}, {}};
  for (uint32_t p = 0; p < 65536; ++p) bf16.bits.push_back(p);
  Tensor fp16 = bf16;
  fp16.name = "all_fp16";
  fp16.dtype = DType::F16;
  Tensor fp32{"fp32_specials", DType::F32, {8}, {0x7fc00001u, 0xff800000u, 0x80000000u, 0x00000001u, 0x807fffffu,
                                                 0x7f7fffffu, 0x7fbfffffu, 0x00000000u}};
  const std::vector<Tensor> tensors = {bf16, fp16, fp32};
  expect_round_trip(tensors, {4, 12, 0, true, true, 16});
  expect_round_trip(tensors, {1, 0, 3, false, false, 1024});
}

TEST(LosslessCodec, TableSerializationRoundTripsRandomTables) {
  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 2000; ++trial) {
    const int symbol_bits = 1 + static_cast<int>(rng() % 11);
    const int table_log = 5 + static_cast<int>(rng() % 8);
    std::vector<uint64_t> hist(size_t{1} << symbol_bits, 0);
    const int present = 1 + static_cast<int>(rng() % std::min<uint64_t>(hist.size(), uint64_t{1} << table_log));
    for (int i = 0; i < present; ++i) hist[rng() % hist.size()] += 1 + rng() % 1000;
    const std::vector<uint32_t> normalized = normalize_counts(hist, table_log);
    BitWriter w;
    write_table(w, normalized, table_log);
    const std::vector<uint8_t> bytes = w.finish();
    BitReader r(bytes);
    std::vector<uint32_t> back;
    const Status status = read_table(r, table_log, hist.size(), back);
    ASSERT_TRUE(status.ok()) << "seed " << seed << " trial " << trial << status.message();
    ASSERT_EQ(back, normalized) << "seed " << seed << " trial " << trial;
  }
}

// A lane cut short or with bytes appended fails its end-of-lane checks (bit
// flips inside raw fields are the container CRC's job).
TEST(LosslessCodec, DamagedLaneIsReportedNotMisdecoded) {
  std::vector<Tensor> tensors = stories_as(DType::BF16);
  tensors.resize(3);
  const std::vector<EncodedTensor> encoded = encode_lossless(tensors, {2, 11, 0, false, false, 1024});
  const auto tables = build_tables(encoded, "test.wsc");
  for (const bool truncate : {true, false}) {
    EncodedTensor damaged = encoded[0];
    if (truncate) {
      damaged.lane_streams[1].pop_back();
    } else {
      damaged.lane_streams[1].push_back(0x5a);
    }
    try {
      decode_lossless(damaged, *tables[0], "test.wsc");
      FAIL() << "a damaged lane went unnoticed";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("test.wsc: tensor 'token_embedding_table': lane 1"), std::string::npos)
          << e.what();
    }
    std::vector<uint8_t> out(damaged.count * 2);
    EXPECT_THROW(fast_decode(damaged, FastDecodeTable(*tables[0], damaged), out, "test.wsc"), InputError);
  }
}

TEST(LosslessCodec, Stories260KAsBf16WithinHalfAPercentOfTheBound) {
  const std::vector<Tensor> tensors = stories_as(DType::BF16);
  double bound_bits = 0, original = 0;
  for (const Tensor& t : tensors) {
    bound_bits += tensor_bound(t).bound_bits;
    original += 2.0 * static_cast<double>(t.size());
  }
  for (const int lanes : {1, 8}) {
    const std::vector<EncodedTensor> encoded = encode_lossless(tensors, {lanes, 0, 0, true, false, 1024});
    double payload = 0;
    for (const EncodedTensor& e : encoded) payload += static_cast<double>(e.payload_bytes());
    const double overhead = 100.0 * (payload * 8 / bound_bits - 1);
    std::printf("lanes %d: payload %.0f bytes, bound %.0f bytes, overhead %.3f%%, ratio %.4f (bound %.4f)\n", lanes,
                payload, bound_bits / 8, overhead, original / payload, original / (bound_bits / 8));
    EXPECT_LT(overhead, 0.5);
  }
}

}  // namespace
}  // namespace ws::golden

namespace ws::golden {
namespace {

TEST(Huffman, LengthsAreOptimalPrefixCodes) {
  // A textbook case: counts 45 13 12 16 9 5 give lengths 1 3 3 3 4 4 (224 bits).
  const std::vector<uint64_t> textbook = {45, 13, 12, 16, 9, 5};
  const std::vector<int> lengths = huffman_code_lengths(textbook);
  EXPECT_EQ(lengths, (std::vector<int>{1, 3, 3, 3, 4, 4}));
  EXPECT_EQ(huffman_coded_bits(textbook, lengths), 224u);
  EXPECT_EQ(huffman_code_lengths(std::vector<uint64_t>{0, 7, 0}), (std::vector<int>{0, 1, 0}));

  const uint64_t seed = test::seed_from_env();
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<uint64_t> hist(2 + rng() % 300);
    for (uint64_t& c : hist) c = rng() % 3 ? rng() % 100000 : 0;
    hist[0] += 1;
    hist[1] += 1;
    const std::vector<int> l = huffman_code_lengths(hist);
    double kraft = 0;
    for (size_t s = 0; s < hist.size(); ++s) {
      ASSERT_EQ(l[s] == 0, hist[s] == 0);
      if (l[s]) kraft += std::ldexp(1.0, -l[s]);
    }
    EXPECT_DOUBLE_EQ(kraft, 1.0) << "seed " << seed << " trial " << trial;
    const double h = entropy_bits(hist), bits = static_cast<double>(huffman_coded_bits(hist, l));
    double total = 0;
    for (uint64_t c : hist) total += static_cast<double>(c);
    EXPECT_GE(bits, h - 1e-6);
    EXPECT_LT(bits, h + total);  // within one bit per symbol of the entropy
  }
}

}  // namespace
}  // namespace ws::golden
