#include "sim/factory/factory_vectors.hpp"

#include "sim/common/hex_file.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include "golden/codec/lossless_codec.hpp"
#include "golden/common/error.hpp"
#include "golden/factory/factory_arith.hpp"
#include "golden/model/llama2c_reader.hpp"

namespace ws::sim {
namespace {

// A random bf16 activation in a realistic range, ±2^-8 .. 2^4, with some
// zeros and some around the operand window's floor (flushed to 0 below it).
uint16_t random_activation(std::mt19937_64& rng) {
  const auto pick = static_cast<uint32_t>(rng() % 100);
  const uint32_t sign = static_cast<uint32_t>(rng() & 1) << 15;
  if (pick < 8) return static_cast<uint16_t>(sign);  // ±0
  int exponent = -8 + static_cast<int>(rng() % 12);  // -8 .. 3
  if (pick < 12) exponent = golden::factory::kExpMin - 6 + static_cast<int>(rng() % 8);
  return static_cast<uint16_t>(sign | static_cast<uint32_t>(exponent + 127) << 7 | static_cast<uint32_t>(rng() & 0x7F));
}

}  // namespace

std::vector<uint32_t> factory_expected(const golden::TensorSetup& setup, const golden::factory::FactoryJob& job,
                                       const golden::factory::ActivationImage& image) {
  const golden::SetupDecode decoded = golden::decode_tensor_setup(setup);
  if (!decoded.ok()) throw std::runtime_error("factory vectors: a lane of the setup does not decode");
  if (decoded.weights.size() < static_cast<size_t>(job.rows) * job.cols) {
    throw std::runtime_error("factory vectors: the setup has fewer weights than rows * cols");
  }
  std::vector<uint32_t> results;
  if (!golden::factory::golden_factory_run(decoded.weights, job, image, results)) {
    throw std::runtime_error("factory vectors: golden finds an operand out of the factory's range");
  }
  return results;
}

FactoryStimulus stories_factory_stimulus(const std::string& model_path, const std::string& tensor, int lanes,
                                         uint32_t slots, uint64_t seed, int built_slots) {
  std::vector<golden::Tensor> matrices;
  for (golden::Tensor& t : golden::read_llama2c(model_path).tensors) {
    if (t.shape.size() == 2) matrices.push_back(golden::to_bf16(t));
  }
  golden::LosslessOptions o;
  o.lanes = lanes;
  o.max_joint_bits = 3;
  o.min_weights_per_lane = 1;
  const std::vector<golden::EncodedTensor> encoded = golden::encode_lossless(matrices, o);
  const auto tables = golden::build_tables(encoded, "stories");
  size_t i = 0;
  while (i < encoded.size() && encoded[i].name != tensor) ++i;
  if (i == encoded.size()) throw std::invalid_argument("the model has no matrix '" + tensor + "'");

  const auto cols = static_cast<uint32_t>(matrices[i].shape.back());
  const auto rows = static_cast<uint32_t>(matrices[i].bits.size() / cols);
  golden::TensorSetup setup = golden::tensor_setup(encoded[i], *tables[i], 16);
  const auto l = static_cast<uint32_t>(setup.lanes.size());
  const golden::factory::FactoryJob job{rows, cols, golden::factory::factory_period(cols, l), l, slots};
  std::mt19937_64 rng(seed);
  std::vector<uint16_t> x(static_cast<size_t>(cols) * slots);
  for (auto& v : x) v = random_activation(rng);
  golden::factory::ActivationImage image(x, cols, l, static_cast<int>(slots), built_slots);
  std::vector<uint32_t> expected = factory_expected(setup, job, image);
  return FactoryStimulus{tensor, std::move(setup), job, std::move(image), std::move(expected)};
}

void write_factory_vectors(const std::string& directory, const golden::TensorSetup& s,
                           const golden::factory::FactoryJob& job, const golden::factory::ActivationImage& image,
                           std::span<const uint32_t> expected) {
  const std::filesystem::path dir(directory);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw golden::OutputError(directory + ": cannot create the directory: " + error.message());
  std::vector<uint64_t> config = {s.lanes.size(), s.cfg.pack(), s.table.size(), job.rows,  job.cols,
                                  job.period,     job.lanes,    job.slots,      static_cast<uint64_t>(image.built_slots()),
                                  expected.size()};
  for (const auto& lane : s.lanes) config.push_back(lane.count);
  for (const auto& lane : s.lanes) config.push_back(lane.words.size());
  write_hex(dir / "config.hex", config);
  write_hex(dir / "table.hex", s.table);
  for (size_t k = 0; k < s.lanes.size(); ++k) write_hex(dir / ("lane" + std::to_string(k) + ".hex"), s.lanes[k].words);

  // Bank words: built_slots * 16 bits, the highest slot first in the text.
  const std::filesystem::path banks = dir / "banks.hex";
  std::ofstream out(banks);
  for (uint32_t k = 0; k < image.lanes(); ++k) {
    for (uint32_t a = 0; a < image.period(); ++a) {
      const std::span<const uint16_t> word = image.word(k, a);
      std::string line;
      for (size_t b = word.size(); b-- > 0;) {
        char text[8];
        std::snprintf(text, sizeof text, "%04x", static_cast<unsigned>(word[b]));
        line += text;
      }
      out << line << "\n";
    }
  }
  out.flush();
  if (!out) throw golden::OutputError(banks.string() + ": cannot write");
  write_hex(dir / "expected.hex", expected);
}

}  // namespace ws::sim
