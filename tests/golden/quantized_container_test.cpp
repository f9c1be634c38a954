// Quantised tensors in the .wsc container (docs/FORMAT.md 9.3): written and
// read back field for field and value for value, rejected when damaged, and
// equal to what the quantiser regression evaluates for the same request.
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <filesystem>
#include <fstream>

#include "golden/container/wsc_container.hpp"
#include "golden/model/model_file.hpp"
#include "golden/quant/model_encoder.hpp"
#include "golden/quant/quant_methods.hpp"
#include "golden/quant/quantized_payload.hpp"

namespace ws::golden {
namespace {

constexpr const char* kEmbeddedModel = WS_MODELS_DIR "/stories260K.bin";

std::vector<uint32_t> bits_of(std::span<const float> values) {
  std::vector<uint32_t> bits;
  for (float v : values) bits.push_back(std::bit_cast<uint32_t>(v));
  return bits;
}

struct Encoded {
  Model model = load_model(kEmbeddedModel);
  std::vector<EncodedTensor> tensors;
  std::vector<uint8_t> file;
  explicit Encoded(const QuantRequest& request) {
    tensors = encode_with_method(model.tensors, request, nullptr, false, LosslessOptions{});
    file = serialize_wsc(tensors, &model.layout);
  }
};

TEST(QuantizedContainer, RoundTripsEveryMethodFieldForFieldAndValueForValue) {
  for (const QuantRequest& request :
       {QuantRequest{"rtn-sym", 3, 32}, QuantRequest{"rtn-asym", 4, 64}, QuantRequest{"mxfp4"}, QuantRequest{"mxint8"},
        QuantRequest{"nvfp4"}, QuantRequest{"dbf", 0, 32, false, 1.5}, QuantRequest{"onebit"},
        QuantRequest{"sfmp", 0, 32, false, 2.5}, QuantRequest{"codebook", 0, 0, false, 0, "cos=0.995"}}) {
    const Encoded e(request);
    EXPECT_EQ(e.file[8], 4) << "containers are written as version 4";
    const WscContents back = parse_wsc(e.file, "q.wsc");
    const auto tables = build_tables(back.tensors, "q.wsc");
    ASSERT_EQ(back.tensors.size(), e.model.tensors.size());
    size_t quantized = 0;
    for (size_t i = 0; i < back.tensors.size(); ++i) {
      const EncodedTensor& t = back.tensors[i];
      ASSERT_EQ(t.quantized.has_value(), is_quantized_matrix(e.model.tensors[i], false)) << t.name;
      if (!t.quantized) {
        EXPECT_EQ(decode_lossless(t, *tables[i], "q.wsc"), e.model.tensors[i]) << t.name;
        continue;
      }
      ++quantized;
      const QuantizedTensor &got = *t.quantized, &want = *e.tensors[i].quantized;
      EXPECT_EQ(got.method, request.method);
      EXPECT_EQ(got.codes, want.codes) << t.name;
      EXPECT_EQ(got.scales, want.scales) << t.name;
      EXPECT_EQ(got.zero_points, want.zero_points) << t.name;
      EXPECT_EQ(got.block_bits, want.block_bits) << t.name;
      EXPECT_EQ(got.row_order, want.row_order) << t.name;
      EXPECT_EQ(got.col_order, want.col_order) << t.name;
      EXPECT_EQ(got.outlier_index, want.outlier_index) << t.name;
      EXPECT_EQ(got.outlier_value, want.outlier_value) << t.name;
      EXPECT_EQ(std::bit_cast<uint32_t>(got.tensor_scale), std::bit_cast<uint32_t>(want.tensor_scale));
      EXPECT_EQ(bits_of(dequantize(got)), bits_of(dequantize(want))) << t.name;
    }
    EXPECT_EQ(quantized, 35u) << "seven linear kinds in five layers";
  }
}

// Version 4 puts the header under the directory's CRC: relabelled as any
// other version a reader takes, the file is refused (versions 1 to 3 would
// otherwise read a lossless file the same way).
TEST(QuantizedContainer, ARelabelledVersionIsRefused) {
  const Model model = load_model(kEmbeddedModel);
  const std::vector<uint8_t> file = serialize_wsc(encode_lossless(model.tensors, LosslessOptions{}), &model.layout);
  EXPECT_EQ(file[8], 4);
  EXPECT_NO_THROW(parse_wsc(file, "v.wsc"));
  for (uint8_t version : {1, 2, 3}) {
    std::vector<uint8_t> relabelled = file;
    relabelled[8] = version;
    EXPECT_THROW(parse_wsc(relabelled, "v.wsc"), InputError) << "version " << int{version};
  }
}

TEST(QuantizedContainer, ContainerHoldsWhatTheRegressionEvaluates) {
  const QuantRequest request{"rtn-asym", 5, 32};
  const Encoded e(request);
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("ws_qc_" + std::to_string(::getpid()) + ".wsc");
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(e.file.data()), e.file.size());
  Llama2Weights from_container = load_llama2(path.string());
  std::filesystem::remove(path);
  QuantizedModel evaluated = quantize_model(load_llama2(kEmbeddedModel), request, nullptr, false);
  const std::vector<Matrix*> a = from_container.matrices(false), b = evaluated.weights.matrices(false);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(bits_of(a[i]->values), bits_of(b[i]->values)) << a[i]->name;
}

TEST(QuantizedContainer, DamageIsAnInputError) {
  const Encoded e({"rtn-asym", 4, 32});
  const WscContents clean = parse_wsc(e.file, "q.wsc");
  size_t first = 0;
  while (!clean.tensors[first].quantized) ++first;
  auto error_of = [](const std::vector<uint8_t>& file) -> std::string {
    try {
      parse_wsc(file, "q.wsc");
    } catch (const InputError& error) {
      return error.what();
    }
    return "no error";
  };
  std::vector<uint8_t> flipped = e.file;
  flipped[clean.payloads[first].offset + 5] ^= 0x10;
  EXPECT_NE(error_of(flipped).find("CRC mismatch"), std::string::npos) << error_of(flipped);
  const std::vector<uint8_t> truncated(e.file.begin(), e.file.end() - 100);
  EXPECT_NE(error_of(truncated), "no error");
  std::vector<uint8_t> version2 = e.file;
  version2[8] = 2;
  EXPECT_NE(error_of(version2).find("directory CRC mismatch"), std::string::npos) << error_of(version2);
}

TEST(QuantizedContainer, PayloadPaddingAndSizeAreChecked) {
  // 3 x 10 weights of 3 bits: 90 code bits, so the codes end inside a byte.
  std::vector<float> weights(30);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<float>(i % 7) - 3.25f;
  QuantizedTensor q = quantize({"rtn-asym", 3, 5}, weights, 3, 10, nullptr).stored;
  std::vector<uint8_t> payload = pack_quantized(q);
  ASSERT_EQ(payload.size(), quantized_payload_bytes(q));
  unpack_quantized(payload, q, "t");  // clean
  payload[90 / 8] |= 0x80;  // a padding bit after the last code
  EXPECT_THROW(unpack_quantized(payload, q, "t"), InputError);
  payload.pop_back();
  EXPECT_THROW(unpack_quantized(payload, q, "t"), InputError);
}

}  // namespace
}  // namespace ws::golden
