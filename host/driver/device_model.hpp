// The weights the token factory computes with: every linear matrix of a
// llama2 model (q, k, v, o, w1, w2, w3 of each layer and the classifier) as
// bf16, coded for the 8-lane bf16 decoder, losslessly or in the
// variable-precision type at a quality floor (encode --method vp), or
// quantised to MXFP4 (golden/quant, blocks of 32) for the card's MX source
// (golden/factory/mx_stream.hpp). The classifier (the embedding in
// stories260K) stays lossless: small tensors stay out of the lossy path. Each matrix keeps its hardware setup (table words,
// registers, lane streams) and golden's decode of the coded tensor, the
// weights the golden reference multiplies with.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "golden/model/llama2_weights.hpp"

namespace ws::host {

struct DeviceMatrix {
  std::string name;
  int64_t rows = 0, cols = 0;
  uint32_t source = 0;  // 0: ANS lanes (setup's table and lanes); 1: MX (lane 0 code words, lane 1 scale words)
  uint32_t block = 32;  // MX: weights a scale covers
  golden::TensorSetup setup;
  std::vector<uint16_t> weights;  // golden's decode of the coded tensor, bf16, row-major
  uint64_t coded_bytes = 0;       // lane streams and the table as the container stores them
};

struct DeviceModelOptions {
  std::string method = "lossless";  // lossless | vp | mxfp4
  std::string quality = "sqnr=30dB";  // vp: the floor of every linear matrix but the classifier
  int lanes = 8;
  // Tables are loaded before each product, one word a clock, and small matrices decode in fewer clocks than
  // a 4096-word table loads. On stories260K, 9 instead of 12 costs 0.03% in bits per weight and takes the
  // load cycles per step from 58k to 22k.
  int max_table_log = 9;
};

struct DeviceModel {
  std::string method;
  std::vector<DeviceMatrix> matrices;
  uint64_t weights() const;
  uint64_t coded_bytes() const;
  // Throws golden::Error (Internal) for a name the model has no matrix of.
  const DeviceMatrix& find(const std::string& name) const;
};

// Throws golden::Error (Usage) for an unknown method or a bad floor.
DeviceModel encode_device_model(const golden::Llama2Weights& weights, const DeviceModelOptions& options,
                                const std::function<void(size_t, size_t)>& progress = {});

}  // namespace ws::host
