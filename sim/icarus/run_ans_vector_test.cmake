# ctest driver for the Icarus ANS decoder vector test:
#   cmake -DWEIGHTSTREAM=... -DMODEL=... -DTENSOR=... -DWIDTH=... -DLANES=... -DVVP=... -DVVP_IMAGE=...
#         -DWORK_DIR=... -P run_ans_vector_test.cmake
# Encodes MODEL as bf16 in LANES lanes, writes the golden vectors of TENSOR
# for a decoder of width WIDTH, runs the compiled testbench on them with a
# random seed (WS_SEED when set) and fails unless the testbench passes.
set(container ${WORK_DIR}/ans_model.wsc)
set(vectors ${WORK_DIR}/ans_vectors)
file(REMOVE_RECURSE ${vectors})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${WEIGHTSTREAM} encode ${MODEL} --as bf16 --lanes ${LANES} -o ${container} --force
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "encoding ${MODEL} failed (${status})")
endif()
execute_process(COMMAND ${WEIGHTSTREAM} sim ${container} --write-vectors ${vectors} --tensor ${TENSOR} --width ${WIDTH}
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "writing the vectors of ${TENSOR} failed (${status})")
endif()
include(${CMAKE_CURRENT_LIST_DIR}/run_testbench.cmake)
ws_run_testbench("${TENSOR}" ${vectors})
