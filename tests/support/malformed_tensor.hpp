// A table of single changes to a well-formed quantised tensor, each of which
// check_quantized must refuse with an InputError (the good tensor passes).
#pragma once

#include <gtest/gtest.h>

#include <span>

#include "golden/common/error.hpp"
#include "golden/quant/quantized_tensor.hpp"

namespace ws::test {

struct Malformation {
  const char* what;
  void (*change)(golden::QuantizedTensor&);
};

inline void expect_each_refused(const golden::QuantizedTensor& good, std::span<const Malformation> cases) {
  EXPECT_NO_THROW(golden::check_quantized(good, "t"));
  for (const Malformation& c : cases) {
    golden::QuantizedTensor q = good;
    c.change(q);
    EXPECT_THROW(golden::check_quantized(q, "t"), golden::InputError) << c.what;
  }
}

}  // namespace ws::test
