# Warning flags, sanitizers and project-wide settings, applied to the project's
# own targets only (generated Verilator code is compiled with Verilator's flags).

option(WS_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(WS_WITH_VERILATOR
       "Build the RTL under Verilator: the rtl engines, the RTL tests and benchmarks (off: golden, hls and the codec commands only)"
       ON)

# Code generated from the tables of golden/contract/ (ws_contract_gen).
set(WS_GENERATED_DIR ${PROJECT_BINARY_DIR}/generated)

add_library(ws_warnings INTERFACE)
target_compile_options(ws_warnings INTERFACE -Wall -Wextra -Werror)
# GCC 12 reports false -Wrestrict errors inside std::string concatenation
# (GCC bug 105329); the warning stays on for other compilers.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(ws_warnings INTERFACE -Wno-restrict)
endif()

add_library(ws_project INTERFACE)
target_include_directories(ws_project INTERFACE ${PROJECT_SOURCE_DIR} ${WS_GENERATED_DIR})
if(WS_WITH_VERILATOR)
  target_compile_definitions(ws_project INTERFACE WS_WITH_VERILATOR=1)
endif()
# No path of the build machine in what is built (__FILE__ and debug info).
target_compile_options(ws_project INTERFACE -ffile-prefix-map=${PROJECT_SOURCE_DIR}/=
                                            -ffile-prefix-map=${PROJECT_BINARY_DIR}/=)
# fp32 arithmetic exactly as written: no fused multiply-add, so the golden
# forward pass gives llama2.c's results bit for bit on any x86-64 or ARM build.
target_compile_options(ws_project INTERFACE -ffp-contract=off)
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
