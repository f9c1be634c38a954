# Helpers that bring the SystemVerilog of rtl/ into the build: Verilator models
# through verilate(), and lint/compile checks under Verilator and Icarus.

set(WS_RTL_DIR ${PROJECT_SOURCE_DIR}/rtl)
set(WS_LINT_WAIVERS ${WS_RTL_DIR}/lint_waivers.vlt)

# ws_verilate(<target> TOP <module> SOURCES <files...> [PREFIX <class>] [TRACE] [ARGS <extra...>])
# Verilates <module> into <target> (class V<module> unless PREFIX names
# another, for a second configuration) with -Wall and the waiver file.
function(ws_verilate target)
  cmake_parse_arguments(WSV "TRACE" "TOP;PREFIX" "SOURCES;ARGS" ${ARGN})
  if(NOT WSV_PREFIX)
    set(WSV_PREFIX V${WSV_TOP})
  endif()
  set(trace_option)
  if(WSV_TRACE)
    set(trace_option TRACE_FST)
  endif()
  verilate(${target}
    SOURCES ${WS_LINT_WAIVERS} ${WSV_SOURCES}
    TOP_MODULE ${WSV_TOP}
    PREFIX ${WSV_PREFIX}
    ${trace_option}
    VERILATOR_ARGS -Wall --x-assign unique --x-initial unique ${WSV_ARGS})
  # Consumers see the generated and runtime headers as system headers, so
  # that the project's -Werror does not judge Verilator's code.
  get_target_property(include_dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  set_property(TARGET ${target} APPEND PROPERTY INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${include_dirs})
endfunction()

# ws_add_rtl_lint_test(<name> TOP <module> SOURCES <files...> [PARAMS <name=value>...])
# Two ctest cases: Verilator --lint-only -Wall, and an Icarus -g2012 elaboration.
function(ws_add_rtl_lint_test name)
  cmake_parse_arguments(WSL "" "TOP" "SOURCES;PARAMS" ${ARGN})
  set(verilator_params)
  set(iverilog_params)
  foreach(p IN LISTS WSL_PARAMS)
    list(APPEND verilator_params -G${p})
    list(APPEND iverilog_params -P${WSL_TOP}.${p})
  endforeach()
  add_test(NAME lint.verilator.${name}
    COMMAND ${VERILATOR_PROGRAM} --lint-only -Wall ${verilator_params} --top-module ${WSL_TOP}
            ${WS_LINT_WAIVERS} ${WSL_SOURCES})
  add_test(NAME lint.iverilog.${name}
    COMMAND ${IVERILOG_PROGRAM} -g2012 -Wall -o ${CMAKE_CURRENT_BINARY_DIR}/lint_${name}.vvp
            -s ${WSL_TOP} ${iverilog_params} ${WSL_SOURCES})
  set_tests_properties(lint.verilator.${name} lint.iverilog.${name} PROPERTIES LABELS "lint")
  set_tests_properties(lint.iverilog.${name} PROPERTIES FAIL_REGULAR_EXPRESSION "warning|error")
endfunction()
