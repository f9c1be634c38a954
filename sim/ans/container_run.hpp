// Every tensor of a decoded-in-memory .wsc container through an ANS decoder
// engine, each weight and lane error checked against golden's reading of the
// same lane streams (sim --engine and the main job share this).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "golden/codec/lossless_codec.hpp"
#include "sim/ans/ans_harness.hpp"

namespace ws::sim {

struct TensorRun {
  std::string name;
  size_t lanes = 0;
  AnsRunStats stats;
  golden::Status container;  // golden's full decode of the tensor (BadInput: the container is corrupt)

  bool bit_exact() const { return stats.ok() && container.ok(); }
  // The outcome: the hardware's disagreement or hang first, then a corrupt input.
  golden::ErrorCode outcome() const {
    if (!stats.ok() && stats.status.code() != golden::ErrorCode::BadInput) return stats.status.code();
    if (!stats.ok() || !container.ok()) return golden::ErrorCode::BadInput;
    return golden::ErrorCode::None;
  }
  std::string error() const {
    if (container.ok() || container.message() == stats.status.message()) return stats.status.message();
    return stats.ok() ? name + ": golden: " + container.message() + " (the hardware decodes what the lanes hold)"
                      : stats.status.message() + " (golden: " + container.message() + ")";
  }
};

// One lossless tensor (its lanes loaded), checked by golden, then decoded by
// `decode(setup, expected) -> AnsRunStats` on a setup of `width`-bit words.
template <class Decode>
TensorRun run_container_tensor_with(const golden::EncodedTensor& t, const golden::TansTable& table,
                                    const std::string& source, int width, Decode&& decode) {
  TensorRun run{t.name, t.lane_streams.size(), {}, {}};
  try {
    golden::check_lane_backing(t, table, source);
  } catch (const golden::InputError& e) {
    // The lanes cannot hold the tensor: nothing of its declared size is built.
    run.container = golden::Status(golden::ErrorCode::BadInput, e.what());
    run.stats.status = run.container;
    return run;
  }
  try {
    (void)golden::decode_lossless(t, table, source);
  } catch (const golden::InputError& e) {
    run.container = golden::Status(golden::ErrorCode::BadInput, e.what());
  }
  const golden::TensorSetup setup = golden::tensor_setup(t, table, width);
  run.stats = decode(setup, golden::decode_tensor_setup(setup));
  return run;
}

// One lossless tensor (its lanes loaded) through the engine; the stall
// seed is options.seed.
template <AnsEngine Engine>
TensorRun run_container_tensor(Engine& engine, const golden::EncodedTensor& t, const golden::TansTable& table,
                               const std::string& source, const AnsRunOptions& options) {
  return run_container_tensor_with(t, table, source, engine.width(),
                                   [&](const golden::TensorSetup& setup, const golden::SetupDecode& expected) {
                                     return run_tensor(engine, t.name, setup, expected, options);
                                   });
}

// Runs the lossless tensors (only `only` when it is not empty) in order,
// tensor i with stall seed options.seed + i; `progress`, when set, is called
// before each tensor with its index. Quantised tensors are skipped: they are
// stored as codes, not as ANS lanes.
template <AnsEngine Engine, class Progress>
std::vector<TensorRun> run_container(Engine& engine, const std::vector<golden::EncodedTensor>& tensors,
                                     const std::vector<std::shared_ptr<const golden::TansTable>>& tables,
                                     const std::string& source, AnsRunOptions options, const std::string& only,
                                     Progress&& progress) {
  std::vector<TensorRun> runs;
  const uint64_t seed = options.seed;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const golden::EncodedTensor& t = tensors[i];
    if ((!only.empty() && t.name != only) || t.quantized) continue;
    progress(i);
    options.seed = seed + i;
    runs.push_back(run_container_tensor(engine, t, *tables[i], source, options));
  }
  return runs;
}

}  // namespace ws::sim
