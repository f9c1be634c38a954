#include "golden/formats/format_registry.hpp"

#include <utility>
#include <vector>

#include "golden/formats/float_format.hpp"
#include "golden/formats/posit.hpp"
#include "golden/formats/scale_e8m0.hpp"

namespace ws::golden {
namespace {

template <class F>
FormatInfo float_info(std::string name) {
  return {std::move(name), FormatFamily::Float, F::kBits, {}, {F::kExponentBits, F::kFractionBits, F::kFlavor},
          F::kExpWidth, F::kSigWidth, &F::decode, static_cast<uint32_t (*)(const Unpacked&)>(&F::encode)};
}

template <int N, int ES>
FormatInfo posit_info() {
  using P = Posit<N, ES>;
  return {"posit" + std::to_string(N) + "es" + std::to_string(ES), FormatFamily::Posit, N, {N, ES}, {},
          P::kExpWidth, P::kSigWidth, &P::decode, static_cast<uint32_t (*)(const Unpacked&)>(&P::encode)};
}

template <int N, int... ES>
void add_posits_of_width(std::vector<FormatInfo>& out, std::integer_sequence<int, ES...>) {
  (out.push_back(posit_info<N, ES>()), ...);
}

template <int... Offset>
void add_all_posits(std::vector<FormatInfo>& out, std::integer_sequence<int, Offset...>) {
  (add_posits_of_width<Offset + 2>(out, std::make_integer_sequence<int, 4>{}), ...);
}

std::vector<FormatInfo> build_registry() {
  std::vector<FormatInfo> formats = {
      float_info<Fp32>("fp32"), float_info<Fp16>("fp16"), float_info<Bf16>("bf16"),
      float_info<E5M2>("e5m2"), float_info<E4M3>("e4m3"), float_info<E3M2>("e3m2"),
      float_info<E2M3>("e2m3"), float_info<E2M1>("e2m1"),
      {"e8m0", FormatFamily::Scale, 8, {}, {}, 0, 0, &ScaleE8M0::decode,
       static_cast<uint32_t (*)(const Unpacked&)>(&ScaleE8M0::encode)},
  };
  add_all_posits(formats, std::make_integer_sequence<int, 31>{});  // N = 2..32
  return formats;
}

}  // namespace

std::span<const FormatInfo> all_formats() {
  static const std::vector<FormatInfo> registry = build_registry();
  return registry;
}

const FormatInfo* find_format(std::string_view name) {
  for (const FormatInfo& f : all_formats()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string known_format_names() {
  std::string names;
  for (const FormatInfo& f : all_formats()) {
    if (f.family == FormatFamily::Posit) continue;
    names += f.name + ", ";
  }
  return names + "posit<N>es<ES> (N 2..32, ES 0..3; e.g. posit8es0, posit16es1, posit32es2)";
}

}  // namespace ws::golden
