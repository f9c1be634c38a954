#include "host/driver/device_model.hpp"

#include "golden/codec/lossless_codec.hpp"
#include "golden/common/error.hpp"
#include "golden/formats/float_format.hpp"
#include "golden/factory/mx_stream.hpp"
#include "golden/quant/quant_methods.hpp"
#include "golden/vp/vp_model.hpp"

namespace ws::host {

uint64_t DeviceModel::weights() const {
  uint64_t n = 0;
  for (const DeviceMatrix& m : matrices) n += m.weights.size();
  return n;
}

uint64_t DeviceModel::coded_bytes() const {
  uint64_t n = 0;
  for (const DeviceMatrix& m : matrices) n += m.coded_bytes;
  return n;
}

const DeviceMatrix& DeviceModel::find(const std::string& name) const {
  for (const DeviceMatrix& m : matrices) {
    if (m.name == name) return m;
  }
  throw golden::Error(golden::ErrorCode::Internal, "the device model has no matrix '" + name + "'");
}

DeviceModel encode_device_model(const golden::Llama2Weights& weights, const DeviceModelOptions& options,
                                const std::function<void(size_t, size_t)>& progress) {
  if (options.method != "lossless" && options.method != "vp" && options.method != "mxfp4") {
    throw golden::Error(golden::ErrorCode::Usage,
                        "--method " + options.method + ": the token factory takes lossless, vp or mxfp4 weights");
  }
  // The matrices in forward-pass order, as bf16 tensors.
  std::vector<const golden::Matrix*> sources;
  for (const golden::Llama2Layer& layer : weights.layers) {
    for (const golden::Matrix* m : {&layer.wq, &layer.wk, &layer.wv, &layer.wo, &layer.w1, &layer.w2, &layer.w3}) {
      sources.push_back(m);
    }
  }
  sources.push_back(&weights.classifier());
  std::vector<golden::Tensor> tensors;
  for (const golden::Matrix* m : sources) {
    golden::Tensor t{m->name, golden::DType::BF16, {m->rows, m->cols}, {}};
    t.bits.reserve(m->values.size());
    for (float v : m->values) t.bits.push_back(golden::Bf16::encode(static_cast<double>(v)));
    tensors.push_back(std::move(t));
  }

  golden::LosslessOptions lossless;
  lossless.lanes = options.lanes;
  lossless.max_joint_bits = 3;
  lossless.min_weights_per_lane = 1;  // every matrix in all lanes: every MAC busy
  lossless.max_table_log = options.max_table_log;
  std::vector<golden::EncodedTensor> encoded;
  if (options.method == "mxfp4") {
    // The linear layers' matrices in MXFP4, the classifier lossless.
    DeviceModelOptions classifier = options;
    classifier.method = "lossless";
    DeviceModel model = encode_device_model(weights, classifier, progress);
    model.method = options.method;
    for (size_t i = 0; i + 1 < sources.size(); ++i) {
      const golden::Matrix& m = *sources[i];
      const golden::QuantizedTensor q = golden::quantize({"mxfp4"}, m.values, m.rows, m.cols, nullptr).stored;
      golden::factory::MxStreams streams = golden::factory::mx_streams(q, options.lanes);
      DeviceMatrix& d = model.matrices[i];
      d.source = 1;
      d.block = static_cast<uint32_t>(q.group);
      d.setup = golden::TensorSetup{};
      for (std::vector<uint32_t>* words : {&streams.codes, &streams.scales}) {
        golden::LaneSetup lane;
        lane.count = words->size();
        lane.stream_bytes = words->size() * 4;
        lane.words = std::move(*words);
        d.setup.lanes.push_back(std::move(lane));
      }
      d.weights = std::move(streams.weights);
      d.coded_bytes = static_cast<uint64_t>(q.bits_per_weight() * static_cast<double>(q.size()) / 8.0 + 0.5);
    }
    return model;
  }
  if (options.method == "lossless") {
    encoded = golden::encode_lossless(tensors, lossless, [&](size_t done) {
      if (progress) progress(done, tensors.size());
    });
  } else {
    golden::vp::VpRequest request;
    try {
      request.floor = golden::vp::parse_quality(options.quality);
    } catch (const std::invalid_argument& e) {
      throw golden::Error(golden::ErrorCode::Usage, std::string("--quality: ") + e.what());
    }
    request.all = false;  // the linear layers' matrices; the classifier (the embedding) lossless
    encoded = golden::vp::encode_vp_model(tensors, request, lossless, [&](size_t done) {
      if (progress) progress(done, tensors.size());
    }).tensors;
  }
  const std::vector<std::shared_ptr<const golden::TansTable>> tables = golden::build_tables(encoded, "device model");

  DeviceModel model;
  model.method = options.method;
  for (size_t i = 0; i < encoded.size(); ++i) {
    const golden::EncodedTensor& e = encoded[i];
    DeviceMatrix m;
    m.name = e.name;
    m.rows = sources[i]->rows;
    m.cols = sources[i]->cols;
    m.setup = golden::tensor_setup(e, *tables[i], 16);
    const golden::Tensor decoded = golden::decode_lossless(e, *tables[i], "device model");
    m.weights.assign(decoded.bits.begin(), decoded.bits.end());
    m.coded_bytes = e.payload_bytes() + e.table_bytes.size();
    model.matrices.push_back(std::move(m));
  }
  return model;
}

}  // namespace ws::host
