// The one factory of token factory engines.
#include <string>

#include "golden/common/error.hpp"
#include "sim/factory/factory_engine.hpp"
#if WS_FACTORY_RTL
#include "sim/factory/rtl_factory_engine.hpp"
#endif

namespace ws::sim {

std::unique_ptr<FactoryEngineBase> make_factory_engine(EngineKind kind, const std::string& trace_path) {
  const auto usage = [](const std::string& what) { return golden::Error(golden::ErrorCode::Usage, what); };
  if (!engine_available(kind)) {
    throw usage(std::string("the ") + engine_name(kind) +
                " engine is not in this build (configure with -DWS_WITH_VERILATOR=ON)");
  }
  if (!trace_path.empty() && kind != EngineKind::Rtl) throw usage("a waveform trace needs the rtl engine");
  switch (kind) {
    case EngineKind::Hls:
      return std::make_unique<HlsFactoryEngine>();
    case EngineKind::Rtl:
#if WS_FACTORY_RTL
      return std::make_unique<RtlFactoryEngine>(trace_path);
#else
      break;
#endif
    case EngineKind::Golden:
      break;
  }
  throw usage(std::string("the token factory has no ") + engine_name(kind) + " engine (hls or rtl)");
}

}  // namespace ws::sim
