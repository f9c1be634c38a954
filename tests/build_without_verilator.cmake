# ctest script (label regress): cmake -DSOURCE_DIR=... -DBUILD_DIR=... -P build_without_verilator.cmake
# Configures, builds and tests the project without its Verilator component
# (WS_WITH_VERILATOR=OFF): golden, the hls models and the command must build
# and pass their tests on a machine without Verilator.
file(REMOVE_RECURSE ${BUILD_DIR})
foreach(step IN ITEMS configure build test)
  if(step STREQUAL "configure")
    set(command ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BUILD_DIR} -DWS_WITH_VERILATOR=OFF)
  elseif(step STREQUAL "build")
    set(command ${CMAKE_COMMAND} --build ${BUILD_DIR} -j2)
  else()
    set(command ${CMAKE_CTEST_COMMAND} --test-dir ${BUILD_DIR} -j2 -LE regress --output-on-failure)
  endif()
  execute_process(COMMAND ${command} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "without Verilator, the ${step} step failed:\n${output}${errors}")
  endif()
endforeach()
message(STATUS "without Verilator: configured, built and tested")
