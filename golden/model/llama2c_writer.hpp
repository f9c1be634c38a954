// A llama2.c checkpoint made from a model's weights (the inverse of
// llama2c_reader): its tensors in llama2.c's order and the source layout of
// the file they make, so that an encoder can store a changed model (rotated
// weights, an untied classifier) and decode writes a checkpoint llama2.c
// runs. The header follows the weights' configuration (a negative vocab_size
// when the classifier is separate); the RoPE tables, which are not weights,
// are copied from the layout of the checkpoint the weights came from.
#pragma once

#include "golden/model/llama2_weights.hpp"
#include "golden/model/llama2c_reader.hpp"

namespace ws::golden {

// Throws std::invalid_argument when `original` is not a llama2.c layout with
// its RoPE tables.
Llama2Model llama2c_model(const Llama2Weights& weights, const SourceLayout& original);

}  // namespace ws::golden
