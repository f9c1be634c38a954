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
execute_process(COMMAND ${WEIGHTSTREAM} encode ${MODEL} --as bf16 --lanes ${LANES} -o ${container}
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "encoding ${MODEL} failed (${status})")
endif()
execute_process(COMMAND ${WEIGHTSTREAM} sim ${container} --write-vectors ${vectors} --tensor ${TENSOR} --width ${WIDTH}
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "writing the vectors of ${TENSOR} failed (${status})")
endif()
if("$ENV{WS_SEED}" STREQUAL "")
  string(RANDOM LENGTH 9 ALPHABET 0123456789 SEED)
  string(REGEX REPLACE "^0+" "" SEED "1${SEED}")
else()
  set(SEED $ENV{WS_SEED})
endif()
execute_process(COMMAND ${VVP} -n ${VVP_IMAGE} +vectors=${vectors} +seed=${SEED}
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
message("${output}${errors}")
if(NOT status EQUAL 0 OR NOT output MATCHES "PASS")
  message(FATAL_ERROR "Icarus ANS vector test of ${TENSOR} failed (exit ${status}, seed ${SEED})")
endif()
