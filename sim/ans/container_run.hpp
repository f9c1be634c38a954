// Every tensor of a decoded-in-memory .wsc container through an ANS decoder
// engine, each weight checked against the golden decoder (sim --engine and
// the main job share this).
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
  std::string golden_error;  // set when golden itself cannot decode the tensor (a corrupt stream)

  bool bit_exact() const { return stats.ok && golden_error.empty(); }
  // A corrupt stream the hardware reported (or failed to report).
  bool input_error() const {
    return !golden_error.empty() || stats.error.find("decode error") != std::string::npos;
  }
  std::string error() const {
    if (golden_error.empty()) return stats.error;
    return stats.ok ? name + ": golden: " + golden_error + "; the hardware reported no error"
                    : stats.error + " (golden: " + golden_error + ")";
  }
};

// Runs the tensors (only `only` when it is not empty) in order; `progress`,
// when set, is called before each tensor with its index.
template <class Engine, class Progress>
std::vector<TensorRun> run_container(Engine& engine, const std::vector<golden::EncodedTensor>& tensors,
                                     const std::vector<std::shared_ptr<const golden::TansTable>>& tables,
                                     const std::string& source, AnsRunOptions options, const std::string& only,
                                     Progress&& progress) {
  std::vector<TensorRun> runs;
  const uint64_t seed = options.seed;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const golden::EncodedTensor& t = tensors[i];
    if (!only.empty() && t.name != only) continue;
    progress(i);
    TensorRun run{t.name, t.lane_streams.size(), {}, {}};
    std::vector<uint32_t> expected(t.count, 0);
    try {
      expected = golden::decode_lossless(t, *tables[i], source).bits;
    } catch (const golden::InputError& e) {
      run.golden_error = e.what();
    }
    options.compare = run.golden_error.empty();
    options.seed = seed + i;
    run.stats = run_tensor(engine, t.name, golden::tensor_setup(t, *tables[i], engine.width()), expected, options);
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace ws::sim
