# Warning flags, sanitizers and project-wide paths, applied to the project's own
# targets only (generated Verilator code is compiled with Verilator's flags).

option(WS_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

add_library(ws_warnings INTERFACE)
target_compile_options(ws_warnings INTERFACE -Wall -Wextra -Werror)
# GCC 12 reports false -Wrestrict errors inside std::string concatenation
# (GCC bug 105329); the warning stays on for other compilers.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(ws_warnings INTERFACE -Wno-restrict)
endif()

add_library(ws_project INTERFACE)
target_include_directories(ws_project INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_definitions(ws_project INTERFACE
  WS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
  WS_MODELS_DIR="${PROJECT_SOURCE_DIR}/models")
if(WS_SANITIZE)
  target_compile_options(ws_project INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                               -fno-sanitize-recover=all)
  target_link_options(ws_project INTERFACE -fsanitize=address,undefined)
endif()

# ws_target(<target>): the project's standard flags for a target it owns.
function(ws_target target)
  target_link_libraries(${target} PRIVATE ws_warnings)
  target_link_libraries(${target} PUBLIC ws_project)
endfunction()
