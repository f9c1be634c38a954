// The one interface every linear layer of the forward pass goes through: a
// weight matrix and B input vectors in, B output vectors out. The golden
// backend computes in fp32 in llama2.c's order; others can record the inputs
// (calibration for GPTQ) or route the product to a simulated accelerator.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace ws::golden {

struct LinearWeights {
  std::string name;  // the tensor's name, e.g. "layers.0.wq"
  std::span<const float> w;  // rows x cols, row-major: one output per row
  int64_t rows = 0, cols = 0;
};

class LinearBackend {
 public:
  virtual ~LinearBackend() = default;
  // out[b * rows + i] = sum_j w[i * cols + j] * x[b * cols + j] for b < batch.
  virtual void apply(const LinearWeights& w, std::span<const float> x, std::span<float> out, int batch) = 0;
};

// fp32 products summed in column order into one fp32 accumulator per output,
// as llama2.c's matmul does (the build keeps fp32 arithmetic unfused and in
// source order), so results match it bit for bit.
class Fp32Linear final : public LinearBackend {
 public:
  void apply(const LinearWeights& w, std::span<const float> x, std::span<float> out, int batch) override {
    for (int b = 0; b < batch; ++b) {
      const float* in = x.data() + static_cast<int64_t>(b) * w.cols;
      float* result = out.data() + static_cast<int64_t>(b) * w.rows;
      for (int64_t i = 0; i < w.rows; ++i) {
        const float* row = w.w.data() + i * w.cols;
        float sum = 0.0f;
        for (int64_t j = 0; j < w.cols; ++j) sum += row[j] * in[j];
        result[i] = sum;
      }
    }
  }
};

}  // namespace ws::golden
