# Helpers that bring the SystemVerilog of rtl/ into the build: Verilator models
# through verilate(), and lint/compile checks under Verilator and Icarus.

set(WS_RTL_DIR ${PROJECT_SOURCE_DIR}/rtl)
set(WS_RTL_INCLUDE ${WS_RTL_DIR}/common)  # ws_assert.svh
set(WS_LINT_WAIVERS ${WS_RTL_DIR}/lint_waivers.vlt)

# ws_verilate(<target> TOP <module> SOURCES <files...> [PREFIX <class>] [TRACE] [ARGS <extra...>])
# Verilates <module> into <target> (class V<module> unless PREFIX names
# another, for a second configuration) with -Wall, the waiver file and the
# RTL's assertions on (--assert).
function(ws_verilate target)
  cmake_parse_arguments(WSV "TRACE" "TOP;PREFIX" "SOURCES;ARGS" ${ARGN})
  if(NOT WSV_PREFIX)
    set(WSV_PREFIX V${WSV_TOP})
  endif()
  set(trace_option)
  if(WSV_TRACE)
    set(trace_option TRACE_FST)
  endif()
  # Sources relative to the directory Verilator runs in, and the build tree
  # mapped away: the model names its files without the build machine's paths.
  set(sources)
  foreach(source IN LISTS WS_LINT_WAIVERS WSV_SOURCES)
    file(RELATIVE_PATH relative ${CMAKE_CURRENT_SOURCE_DIR} ${source})
    list(APPEND sources ${relative})
  endforeach()
  target_compile_options(${target} PRIVATE -ffile-prefix-map=${PROJECT_BINARY_DIR}/=
                                           -ffile-prefix-map=${PROJECT_SOURCE_DIR}/=)
  verilate(${target}
    SOURCES ${sources}
    TOP_MODULE ${WSV_TOP}
    PREFIX ${WSV_PREFIX}
    INCLUDE_DIRS ${WS_RTL_INCLUDE}
    ${trace_option}
    # The model's once-run code (constructors, trace declarations) at -O0:
    # half of the generated C++, compiled in a fraction of the time.
    OPT_SLOW -O0
    VERILATOR_ARGS -Wall --assert --x-assign unique --x-initial unique ${WSV_ARGS})
  # Consumers see the generated and runtime headers as system headers, so
  # that the project's -Werror does not judge Verilator's code.
  get_target_property(include_dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  set_property(TARGET ${target} APPEND PROPERTY INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${include_dirs})
endfunction()

# ws_add_rtl_lint_test(<name> TOP <module> SOURCES <files...> [PARAMS <name=value>...] [NO_ICARUS])
# Two ctest cases: Verilator --lint-only -Wall, and an Icarus -g2012
# elaboration (NO_ICARUS: the module's ports use ws_pkg types, which Icarus 11
# resolves only under a top that imports the package; its testbench checks it).
function(ws_add_rtl_lint_test name)
  cmake_parse_arguments(WSL "NO_ICARUS" "TOP" "SOURCES;PARAMS" ${ARGN})
  set(verilator_params)
  set(iverilog_params)
  foreach(p IN LISTS WSL_PARAMS)
    list(APPEND verilator_params -G${p})
    list(APPEND iverilog_params -P${WSL_TOP}.${p})
  endforeach()
  add_test(NAME lint.verilator.${name}
    COMMAND ${VERILATOR_PROGRAM} --lint-only -Wall -I${WS_RTL_INCLUDE} ${verilator_params} --top-module ${WSL_TOP}
            ${WS_LINT_WAIVERS} ${WSL_SOURCES})
  set_tests_properties(lint.verilator.${name} PROPERTIES LABELS "lint")
  if(NOT WSL_NO_ICARUS)
    add_test(NAME lint.iverilog.${name}
      COMMAND ${IVERILOG_PROGRAM} -g2012 -Wall -I${WS_RTL_INCLUDE} -o ${CMAKE_CURRENT_BINARY_DIR}/lint_${name}.vvp
              -s ${WSL_TOP} ${iverilog_params} ${WSL_SOURCES})
    set_tests_properties(lint.iverilog.${name} PROPERTIES LABELS "lint" FAIL_REGULAR_EXPRESSION "warning|error")
  endif()
endfunction()

# ws_read_decoder_units(<prefix>): reads golden/contract/decoder_units.json
# into <prefix>_COUNT and, for i in 0..COUNT-1, <prefix>_<i>_NAME, _MODULE,
# _PARAMS (a list of name=value), _ICARUS (ON/OFF).
function(ws_read_decoder_units prefix)
  set(table_path ${PROJECT_SOURCE_DIR}/golden/contract/decoder_units.json)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${table_path})
  file(READ ${table_path} table)
  string(JSON count LENGTH "${table}" units)
  set(${prefix}_COUNT ${count} PARENT_SCOPE)
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON name GET "${table}" units ${i} name)
    string(JSON module GET "${table}" units ${i} module)
    string(JSON param_count LENGTH "${table}" units ${i} parameters)
    math(EXPR last_param "${param_count} - 1")
    set(params)
    foreach(j RANGE ${last_param})
      string(JSON key MEMBER "${table}" units ${i} parameters ${j})
      string(JSON value GET "${table}" units ${i} parameters ${key})
      list(APPEND params ${key}=${value})
    endforeach()
    string(JSON icarus ERROR_VARIABLE no_icarus GET "${table}" units ${i} icarus)
    if(no_icarus)
      set(icarus OFF)
    endif()
    set(${prefix}_${i}_NAME ${name} PARENT_SCOPE)
    set(${prefix}_${i}_MODULE ${module} PARENT_SCOPE)
    set(${prefix}_${i}_PARAMS ${params} PARENT_SCOPE)
    set(${prefix}_${i}_ICARUS ${icarus} PARENT_SCOPE)
  endforeach()
endfunction()
