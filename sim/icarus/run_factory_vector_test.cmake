# ctest driver for the Icarus token factory test:
#   cmake -DVECTOR_TOOL=... -DTENSOR=... -DSLOTS=... -DVVP=... -DVVP_IMAGE=... -DWORK_DIR=...
#         -P run_factory_vector_test.cmake
# Writes the golden vectors of one token factory job (ws_factory_vectors:
# TENSOR of the embedded model as bf16 in 8 lanes, SLOTS random activation
# vectors), runs the compiled testbench on them with a random seed (WS_SEED
# when set) for its stalls and fails unless the testbench passes.
set(vectors ${WORK_DIR}/factory_vectors)
file(REMOVE_RECURSE ${vectors})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${VECTOR_TOOL} --tensor ${TENSOR} --slots ${SLOTS} -o ${vectors} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "writing the token factory vectors of ${TENSOR} failed (${status})")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/run_testbench.cmake)
ws_run_testbench("the token factory on ${TENSOR}" ${vectors})
