// Run-time access to every numeric format of the golden library by name, for
// the command line and for tests that loop over formats.
//
// Names: posit<N>es<ES> (N 2..32, ES 0..3; the 2022 standard posits are
// posit<N>es2), fp32, fp16, bf16, e5m2, e4m3, e3m2, e2m3, e2m1, e8m0.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "golden/formats/float_format.hpp"
#include "golden/formats/unpacked.hpp"

namespace ws::golden {

enum class FormatFamily : uint8_t { Float, Posit, Scale };

struct PositParams {
  int n = 0;   // pattern bits N
  int es = 0;  // exponent bits ES
};

struct FloatParams {
  int exponent_bits = 0;  // E
  int fraction_bits = 0;  // M
  FloatFlavor flavor = FloatFlavor::Ieee;
};

struct FormatInfo {
  std::string name;
  FormatFamily family;
  int bits;            // pattern width
  PositParams posit;   // Posit family only
  FloatParams fp;      // Float family only
  int exp_width;       // hardware unpacked exponent width (0: no hardware decoder)
  int sig_width;       // hardware unpacked significand width
  Unpacked (*decode)(uint32_t bits);
  uint32_t (*encode)(const Unpacked& u);
};

std::span<const FormatInfo> all_formats();
const FormatInfo* find_format(std::string_view name);
std::string known_format_names();  // comma-separated, for error messages

}  // namespace ws::golden
