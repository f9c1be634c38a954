# ctest driver for the Icarus test of placed raw fields:
#   cmake -DPLACED_VECTORS=... -DWIDTH=... -DLANES=... -DVVP=... -DVVP_IMAGE=... -DTESTBENCH_SCRIPT=...
#         -DWORK_DIR=... -P run_placed_vector_test.cmake
# Writes the vectors of a random tensor with raw fields placed per symbol
# (WS_SEED when set, printed either way) and runs the compiled testbench on
# them; fails unless the testbench passes.
set(vectors ${WORK_DIR}/vectors)
file(REMOVE_RECURSE ${vectors})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${PLACED_VECTORS} ${vectors} ${WIDTH} ${LANES}
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
message("${output}${errors}")
if(NOT status EQUAL 0)
  message(FATAL_ERROR "writing the placed vectors failed (${status})")
endif()
include(${TESTBENCH_SCRIPT})
ws_run_testbench("a placed tensor" ${vectors})
