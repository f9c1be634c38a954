#include "golden/model/llama2c_reader.hpp"

#include <bit>
#include <cstring>

#include "golden/common/crc32.hpp"
#include "golden/io/file_io.hpp"

namespace ws::golden {

static_assert(std::endian::native == std::endian::little, "the model readers assume a little-endian host");

namespace {

constexpr size_t kHeaderBytes = 7 * sizeof(int32_t);

Llama2Config config_of(std::span<const uint8_t> first_bytes) {
  int32_t header[7];
  std::memcpy(header, first_bytes.data(), kHeaderBytes);
  Llama2Config c;
  c.dim = header[0];
  c.hidden_dim = header[1];
  c.n_layers = header[2];
  c.n_heads = header[3];
  c.n_kv_heads = header[4];
  c.shared_classifier = header[5] > 0;
  // INT32_MIN has no positive counterpart: it stays negative and is implausible.
  c.vocab_size = header[5] > 0 ? header[5] : header[5] == INT32_MIN ? header[5] : -header[5];
  c.seq_len = header[6];
  return c;
}

bool plausible(const Llama2Config& c) {
  return c.dim > 0 && c.hidden_dim > 0 && c.n_layers > 0 && c.n_heads > 0 && c.n_kv_heads > 0 && c.vocab_size > 0 &&
         c.seq_len > 0 && c.dim % c.n_heads == 0 && c.n_heads % c.n_kv_heads == 0 && c.dim <= (1 << 16) &&
         c.hidden_dim <= (1 << 18) && c.n_layers <= 1024 && c.vocab_size <= (1 << 22) && c.seq_len <= (1 << 20);
}

}  // namespace

bool looks_like_llama2c(std::span<const uint8_t> first_bytes) { return llama2c_config(first_bytes).has_value(); }

std::optional<Llama2Config> llama2c_config(std::span<const uint8_t> first_bytes) {
  if (first_bytes.size() < kHeaderBytes) return std::nullopt;
  const Llama2Config c = config_of(first_bytes);
  return plausible(c) ? std::optional(c) : std::nullopt;
}

Llama2Model read_llama2c(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  if (bytes.size() < kHeaderBytes) {
    throw InputError(path + ": " + std::to_string(bytes.size()) + " bytes, too short for a llama2.c header (28 bytes)");
  }
  Llama2Model model;
  const Llama2Config c = model.config = config_of(bytes);
  if (!plausible(c)) {
    throw InputError(path + ": offset 0: implausible llama2.c header (dim " + std::to_string(c.dim) + ", hidden " +
                     std::to_string(c.hidden_dim) + ", layers " + std::to_string(c.n_layers) + ", heads " +
                     std::to_string(c.n_heads) + "/" + std::to_string(c.n_kv_heads) + ", vocab " +
                     std::to_string(c.shared_classifier ? c.vocab_size : -int64_t{c.vocab_size}) + ", seq_len " +
                     std::to_string(c.seq_len) + ")");
  }

  const int64_t dim = c.dim, hidden = c.hidden_dim, layers = c.n_layers;
  const int64_t kv_dim = dim * c.n_kv_heads / c.n_heads;
  const int64_t head_size = dim / c.n_heads;
  size_t offset = kHeaderBytes;
  // The file's layout: the header and the RoPE tables verbatim, the weights between them.
  SourceLayout& layout = model.layout;
  layout.kind = SourceKind::Llama2c;
  layout.file_size = bytes.size();
  layout.file_crc = crc32_of(bytes);
  layout.segments.push_back({false, 0, std::vector<uint8_t>(bytes.begin(), bytes.begin() + kHeaderBytes)});

  auto read_floats = [&](const std::string& name, const std::vector<int64_t>& shape) {
    const int64_t count = element_count(shape);
    const size_t size = static_cast<size_t>(count) * sizeof(float);
    if (bytes.size() - offset < size) {
      throw InputError(path + ": tensor " + name + " at offset " + std::to_string(offset) + " needs " +
                       std::to_string(size) + " bytes, file has " + std::to_string(bytes.size() - offset) + " left");
    }
    const size_t at = offset;
    offset += size;
    return std::span<const uint8_t>(bytes).subspan(at, size);
  };
  auto take = [&](const std::string& name, std::vector<int64_t> shape) {
    const std::span<const uint8_t> data = read_floats(name, shape);
    Tensor t{name, DType::F32, std::move(shape), std::vector<uint32_t>(data.size() / sizeof(float))};
    std::memcpy(t.bits.data(), data.data(), data.size());  // little-endian host
    layout.segments.push_back({true, model.tensors.size(), {}});
    return t;
  };
  auto skip = [&](const std::string& name, const std::vector<int64_t>& shape) {
    const std::span<const uint8_t> data = read_floats(name, shape);
    layout.segments.push_back({false, 0, std::vector<uint8_t>(data.begin(), data.end())});
  };
  // A stacked [layers][rows][cols] tensor, split into one tensor per layer.
  auto take_layers = [&](const std::string& name, std::vector<int64_t> per_layer) {
    for (int64_t l = 0; l < layers; ++l) model.tensors.push_back(take("layers." + std::to_string(l) + "." + name, per_layer));
  };

  model.tensors.push_back(take("token_embedding_table", {c.vocab_size, dim}));
  // llama2.c stores each kind for all layers before the next kind.
  take_layers("rms_att_weight", {dim});
  take_layers("wq", {dim, dim});
  take_layers("wk", {kv_dim, dim});
  take_layers("wv", {kv_dim, dim});
  take_layers("wo", {dim, dim});
  take_layers("rms_ffn_weight", {dim});
  take_layers("w1", {hidden, dim});
  take_layers("w2", {dim, hidden});
  take_layers("w3", {hidden, dim});
  model.tensors.push_back(take("rms_final_weight", {dim}));
  skip("freq_cis_real", {c.seq_len, head_size / 2});  // RoPE tables: not weights
  skip("freq_cis_imag", {c.seq_len, head_size / 2});
  if (!c.shared_classifier) model.tensors.push_back(take("wcls", {c.vocab_size, dim}));
  if (offset != bytes.size()) {
    throw InputError(path + ": offset " + std::to_string(offset) + ": " + std::to_string(bytes.size() - offset) +
                     " unexpected bytes after the last tensor");
  }
  return model;
}

}  // namespace ws::golden
