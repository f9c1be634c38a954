// The golden posits against the SoftPosit reference vectors: every pattern of
// the 8- and 16-bit configurations, the posit32 sample, and the rounding set.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <map>
#include <sstream>
#include <string>

#include "golden/formats/format_registry.hpp"
#include "golden/formats/unpacked.hpp"
#include "tests/support/gz_lines.hpp"

namespace ws::golden {
namespace {

using ws::test::GzLines;

const std::map<std::string, std::string> kConfigToFormat = {
    {"posit8_es0", "posit8es0"},   {"posit16_es1", "posit16es1"}, {"posit32_es2", "posit32es2"},
    {"pX2_n8_es2", "posit8es2"},   {"pX2_n16_es2", "posit16es2"}, {"pX1_n8_es1", "posit8es1"},
    {"pX1_n16_es1", "posit16es1"},
};

struct Row {
  std::string config;
  uint64_t a;
  std::string b;
};

Row parse(const std::string& line) {
  std::istringstream in(line);
  Row row;
  std::string a;
  std::getline(in, row.config, '\t');
  std::getline(in, a, '\t');
  std::getline(in, row.b, '\t');
  row.a = std::stoull(a, nullptr, 16);
  return row;
}

TEST(PositSoftPosit, DecodeMatchesEveryVector) {
  GzLines lines(WS_SOFTPOSIT_DIR "/posit_to_double.tsv.gz");
  std::string line;
  ASSERT_TRUE(lines.next(line));  // header
  std::map<std::string, int> rows;
  while (lines.next(line)) {
    const Row row = parse(line);
    const FormatInfo* format = find_format(kConfigToFormat.at(row.config));
    ASSERT_NE(format, nullptr);
    const double value = to_double(format->decode(static_cast<uint32_t>(row.a)));
    // SoftPosit's pX2 types return +inf for NaR (see the vectors' README): a NaN here.
    const bool expect_nan = row.b == "nan" || (row.config.starts_with("pX2") && row.b == "7ff0000000000000");
    if (expect_nan) {
      ASSERT_TRUE(std::isnan(value)) << row.config << " pattern " << std::hex << row.a;
    } else {
      ASSERT_EQ(std::bit_cast<uint64_t>(value), std::stoull(row.b, nullptr, 16))
          << row.config << " pattern " << std::hex << row.a;
    }
    ++rows[row.config];
  }
  EXPECT_EQ(rows["posit8_es0"], 256);
  EXPECT_EQ(rows["posit16_es1"], 65536);
  EXPECT_EQ(rows["posit32_es2"], 200000);
  EXPECT_EQ(rows["pX2_n16_es2"], 65536);
  EXPECT_EQ(rows.size(), kConfigToFormat.size());
}

TEST(PositSoftPosit, EncodeMatchesEveryRoundingVector) {
  GzLines lines(WS_SOFTPOSIT_DIR "/double_to_posit.tsv.gz");
  std::string line;
  ASSERT_TRUE(lines.next(line));  // header
  size_t count = 0;
  while (lines.next(line)) {
    const Row row = parse(line);
    const FormatInfo* format = find_format(kConfigToFormat.at(row.config));
    ASSERT_NE(format, nullptr);
    const double input = std::bit_cast<double>(row.a);
    const uint32_t actual = format->encode(unpack_double(input));
    ASSERT_EQ(actual, std::stoul(row.b, nullptr, 16))
        << row.config << " input " << std::hex << row.a << " (" << input << ")";
    ++count;
  }
  EXPECT_EQ(count, 1010821u);
}

}  // namespace
}  // namespace ws::golden
