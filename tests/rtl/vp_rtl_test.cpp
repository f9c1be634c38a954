// The variable-precision type through the hardware: every linear layer of the
// embedded model at two quality floors, fp32 words through the 32-bit decoder
// and bf16 words (--as bf16) through the 16-bit one, 1, 4 and 8 lanes, 30%
// random stalls on both sides. Golden's vp decode of the lanes equals golden's
// reading of the hardware setup (table words with per-symbol raw widths), and
// the RTL and the hls model produce those words cycle for cycle alike.
#include <gtest/gtest.h>

#include <cstdio>

#include "golden/codec/lane_setup.hpp"
#include "golden/model/model_file.hpp"
#include "golden/quant/model_encoder.hpp"
#include "golden/vp/vp_search.hpp"
#include "sim/ans/ans_harness.hpp"
#include "sim/ans/hls_engine.hpp"
#include "sim/ans/rtl_engine.hpp"
#include "tests/support/seed.hpp"

namespace ws::sim {
namespace {

constexpr const char* kEmbeddedModel = WS_MODELS_DIR "/stories260K.bin";

template <class Rtl>
void expect_vp_exact(golden::DType dtype, uint64_t seed) {
  Rtl rtl;
  HlsAnsEngine<hls::AnsLaneConfig<Rtl::kWidth>> hls(Rtl::kLanes);
  const golden::Model model = golden::load_model(kEmbeddedModel);
  for (const char* floor_text : {"sqnr=20dB", "cos=0.9999"}) {
    const golden::vp::QualityFloor floor = golden::vp::parse_quality(floor_text);
    for (const golden::Tensor& fp32 : model.tensors) {
      if (!golden::is_quantized_matrix(fp32, false)) continue;
      const golden::Tensor t = dtype == golden::DType::BF16 ? golden::to_bf16(fp32) : fp32;
      const golden::vp::VpChoice choice = golden::vp::choose_vp(t, floor, {});
      const golden::vp::VpTable& table = *choice.encoded.vp;
      const std::vector<golden::vp::VpCode> codes = golden::vp::encode_codes(t, golden::vp::VpEncoder(table));
      for (const int lanes : {1, 4, 8}) {
        const golden::EncodedTensor e = golden::vp::encode_vp(t, table, codes, {.lanes = lanes, .min_weights_per_lane = 64});
        ASSERT_EQ(e.lane_streams.size(), static_cast<size_t>(lanes));
        const auto tans = golden::build_tables(std::span(&e, 1), "test");
        const golden::Tensor decoded = golden::decode_lossless(e, *tans[0], "test");
        const golden::TensorSetup setup = golden::tensor_setup(e, *tans[0], Rtl::kWidth);
        const std::string where = t.name + " " + floor_text + " lanes " + std::to_string(lanes);
        // Golden's vp decode and golden's reading of the table words agree on every weight.
        const golden::SetupDecode read = golden::decode_tensor_setup(setup);
        ASSERT_TRUE(read.ok()) << where;
        for (size_t i = 0; i < decoded.bits.size(); ++i) {
          ASSERT_EQ(read.weights[i], decoded.bits[i]) << where << " weight " << i;
        }
        const golden::SetupDecode expected = expect_weights(decoded.bits, setup);
        const AnsRunOptions o{0, 0.3, 0.3, seed, 10000};
        const AnsRunStats r = run_tensor(rtl, t.name, setup, expected, o);
        ASSERT_TRUE(r.ok()) << where << ": " << r.status.message();
        const AnsRunStats h = run_tensor(hls, t.name, setup, expected, o);
        ASSERT_TRUE(h.ok()) << where << ": " << h.status.message();
        ASSERT_EQ(r.cycles, h.cycles) << where << " seed " << seed;
        ASSERT_EQ(r.stall_input, h.stall_input) << where;
        ASSERT_EQ(r.stall_refill, h.stall_refill) << where;
        ASSERT_EQ(r.stall_output, h.stall_output) << where;
        ++seed;
      }
    }
  }
}

TEST(RtlVp, Fp32WordsBitAndCycleExactAtTwoFloors) {
  expect_vp_exact<RtlAnsEngine>(golden::DType::F32, test::seed_from_env());
}

TEST(RtlVp, Bf16WordsBitAndCycleExactAtTwoFloors) {
  expect_vp_exact<RtlAnsEngine16>(golden::DType::BF16, test::seed_from_env());
}

}  // namespace
}  // namespace ws::sim
