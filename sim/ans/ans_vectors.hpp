// Vector files for the Icarus ANS decoder testbench (sim/icarus/tb_ans_decoder.sv),
// written from golden data; layout in docs/FORMAT.md ("ANS decoder vectors").
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "golden/codec/lane_setup.hpp"

namespace ws::sim {

void write_ans_vectors(const std::string& directory, const golden::TensorSetup& setup,
                       std::span<const uint32_t> expected);

}  // namespace ws::sim
