#include "sim/ans/ans_vectors.hpp"

#include "golden/common/error.hpp"
#include "sim/common/hex_file.hpp"

#include <filesystem>
#include <stdexcept>
#include <vector>

namespace ws::sim {
namespace {

}  // namespace

void write_ans_vectors(const std::string& directory, const golden::TensorSetup& s,
                       std::span<const uint32_t> expected) {
  const std::filesystem::path dir(directory);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw golden::OutputError(directory + ": cannot create the directory: " + error.message());
  const contract::AnsCfg& c = s.cfg;
  // docs/FORMAT.md 12.3; the raw fields are per table word (table.hex).
  std::vector<uint64_t> config = {s.lanes.size(),  c.table_log,       c.pattern_bits,
                                  c.repeat_enable, c.repeat_distance, expected.size()};
  for (const auto& lane : s.lanes) config.push_back(lane.count);
  for (const auto& lane : s.lanes) config.push_back(lane.words.size());
  write_hex(dir / "config.hex", config);
  write_hex(dir / "table.hex", s.table);
  for (size_t k = 0; k < s.lanes.size(); ++k) write_hex(dir / ("lane" + std::to_string(k) + ".hex"), s.lanes[k].words);
  write_hex(dir / "expected.hex", expected);
}

}  // namespace ws::sim
