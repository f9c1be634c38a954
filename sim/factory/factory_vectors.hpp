// Vector files for the Icarus token factory testbench
// (sim/icarus/tb_token_factory.sv), written from golden data: one job's
// table, ANS registers, lane streams, run registers, activation banks and
// the results golden_factory_run computes from the weights golden decodes.
//
// A directory of text files, one lowercase hex value a line ($readmemh):
//   config.hex    K (the tensor's lanes), the ANS cfg register
//                 (contract::AnsCfg::pack()), table words (2^table_log),
//                 rows, cols, period, lanes, slots (the run registers),
//                 built slots (the bank word's slots), results (rows *
//                 slots), then K symbol counts and K stream word counts
//   table.hex     the hardware table words
//   lane<k>.hex   lane k's 32-bit stream words
//   banks.hex     lanes * period bank words, lane-major then address; a word
//                 is built-slots * 16 bits, slot b's bf16 at [b*16 +: 16]
//   expected.hex  fp32 bits of result r * slots + b (row r, slot b)
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "golden/codec/lane_setup.hpp"
#include "golden/factory/factory_job.hpp"

namespace ws::sim {

// One token factory job and golden's results.
struct FactoryStimulus {
  std::string name;
  golden::TensorSetup setup;
  golden::factory::FactoryJob job;
  golden::factory::ActivationImage image;
  std::vector<uint32_t> expected;  // expected[r * slots + b]
};

// Golden's results of a job: the weights decode_tensor_setup reads from the
// setup, through golden_factory_run. Throws std::runtime_error when a lane
// does not decode or an operand is out of the factory's range.
std::vector<uint32_t> factory_expected(const golden::TensorSetup& setup, const golden::factory::FactoryJob& job,
                                       const golden::factory::ActivationImage& image);

// The matrix `tensor` of the llama2.c model at `model_path`: every matrix of
// the model as bf16, losslessly encoded in exactly `lanes` lanes
// (min_weights_per_lane 1, max_joint_bits 3, as rtl_token_factory_test
// does), `slots` random bf16 activation vectors (±2^-8 .. 2^4, some zeros,
// some below the operand window) drawn from `seed`, banks of `built_slots`
// slots, and golden's results. Throws std::invalid_argument for an unknown
// tensor.
FactoryStimulus stories_factory_stimulus(const std::string& model_path, const std::string& tensor, int lanes,
                                         uint32_t slots, uint64_t seed, int built_slots = 16);

// Writes the vector files of a job into `directory` (created when missing).
// Throws golden::OutputError when a file cannot be written.
void write_factory_vectors(const std::string& directory, const golden::TensorSetup& setup,
                           const golden::factory::FactoryJob& job, const golden::factory::ActivationImage& image,
                           std::span<const uint32_t> expected);
inline void write_factory_vectors(const std::string& directory, const FactoryStimulus& s) {
  write_factory_vectors(directory, s.setup, s.job, s.image, s.expected);
}

}  // namespace ws::sim
