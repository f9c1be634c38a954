// The embedded model, losslessly encoded the default way, for the tests that
// run its tensors through the ANS decoders.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "golden/codec/lossless_codec.hpp"
#include "golden/model/llama2c_reader.hpp"

namespace ws::test {

struct EncodedStories {
  std::vector<golden::Tensor> tensors;
  std::vector<golden::EncodedTensor> encoded;
  std::vector<std::shared_ptr<const golden::TansTable>> tables;

  golden::TensorSetup setup(size_t i, int width) const { return golden::tensor_setup(encoded[i], *tables[i], width); }
  // Throws std::out_of_range for a name the model does not have, which fails the test that asked.
  size_t index_of(const std::string& name) const {
    for (size_t i = 0; i < encoded.size(); ++i) {
      if (encoded[i].name == name) return i;
    }
    throw std::out_of_range("the embedded model has no tensor '" + name + "'");
  }
};

// stories260K as bf16, fp16 or fp32 (as stored) in `lanes` lanes, default codec choices.
inline EncodedStories encoded_stories(int lanes, golden::DType dtype = golden::DType::BF16) {
  EncodedStories e;
  e.tensors = golden::read_llama2c(WS_MODELS_DIR "/stories260K.bin").tensors;
  for (auto& t : e.tensors) {
    if (dtype == golden::DType::BF16) t = golden::to_bf16(t);
    if (dtype == golden::DType::F16) t = golden::to_fp16(t);
  }
  golden::LosslessOptions o;
  o.lanes = lanes;
  o.max_joint_bits = 3;
  e.encoded = golden::encode_lossless(e.tensors, o);
  e.tables = golden::build_tables(e.encoded, "stories");
  return e;
}

}  // namespace ws::test
