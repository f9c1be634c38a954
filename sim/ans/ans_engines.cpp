// The one factory of ANS decoder engines.
#include <string>

#include "sim/ans/ans_engine.hpp"
#include "sim/ans/golden_engine.hpp"
#include "sim/ans/hls_engine.hpp"
#if WS_WITH_VERILATOR
#include "sim/ans/rtl_engine.hpp"
#endif

namespace ws::sim {

std::optional<EngineKind> parse_engine_kind(std::string_view name) {
  if (name == "golden") return EngineKind::Golden;
  if (name == "hls") return EngineKind::Hls;
  if (name == "rtl") return EngineKind::Rtl;
  return std::nullopt;
}

const char* engine_name(EngineKind kind) {
  switch (kind) {
    case EngineKind::Golden: return "golden";
    case EngineKind::Hls: return "hls";
    case EngineKind::Rtl: return "rtl";
  }
  return "unknown";
}

bool engine_available(EngineKind kind) {
#if WS_WITH_VERILATOR
  (void)kind;
  return true;
#else
  return kind != EngineKind::Rtl;
#endif
}

int engine_max_lanes(EngineKind kind, int width) {
  if (kind == EngineKind::Rtl) return width == 16 ? 8 : 16;
  return contract::kMaxLanes;
}

std::unique_ptr<AnsEngineBase> make_ans_engine(EngineKind kind, const AnsEngineOptions& o) {
  const auto usage = [](const std::string& what) { return golden::Error(golden::ErrorCode::Usage, what); };
  if (!engine_available(kind)) {
    throw usage(std::string("the ") + engine_name(kind) +
                " engine is not in this build (configure with -DWS_WITH_VERILATOR=ON)");
  }
  if (o.width != 16 && o.width != 32) throw usage("decoder width " + std::to_string(o.width) + ": 16 or 32");
  const int max_lanes = engine_max_lanes(kind, o.width);
  if (o.lanes < 1 || o.lanes > max_lanes) {
    throw usage(std::to_string(o.lanes) + " lanes: the " + engine_name(kind) + " decoder of width " +
                std::to_string(o.width) + " has 1.." + std::to_string(max_lanes));
  }
  if (!o.trace_path.empty() && !(kind == EngineKind::Rtl && o.width == 32)) {
    throw usage("a waveform trace needs the 32-bit rtl engine");
  }
  switch (kind) {
    case EngineKind::Golden:
      return std::make_unique<AnsEngineAdapter<GoldenAnsEngine>>(o.lanes, o.width);
    case EngineKind::Hls:
      if (o.width == 16) return std::make_unique<AnsEngineAdapter<HlsAnsEngine<hls::AnsLaneConfig<16>>>>(o.lanes);
      return std::make_unique<AnsEngineAdapter<HlsAnsEngine<hls::AnsLaneConfig<32>>>>(o.lanes);
    case EngineKind::Rtl:
#if WS_WITH_VERILATOR
      if (o.width == 16) return std::make_unique<AnsEngineAdapter<RtlAnsEngine16>>();
      return std::make_unique<AnsEngineAdapter<RtlAnsEngine>>(o.trace_path);
#else
      break;
#endif
  }
  throw usage("unknown engine");
}

}  // namespace ws::sim
