# ctest driver for an Icarus vector test:
#   cmake -DWEIGHTSTREAM=... -DFORMAT=... -DVVP=... -DVVP_IMAGE=... -DWORK_DIR=... -P run_vector_test.cmake
# Writes the golden vectors of FORMAT, runs the compiled testbench on them and
# fails unless the testbench passes.
set(vectors ${WORK_DIR}/${FORMAT}.vec)
execute_process(COMMAND ${WEIGHTSTREAM} format --format ${FORMAT} --vectors ${vectors} --count 200000 --force
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "writing vectors for ${FORMAT} failed (${status})")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/run_testbench.cmake)
ws_run_testbench("${FORMAT}" ${vectors})
