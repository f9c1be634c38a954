# ctest driver for an Icarus vector test:
#   cmake -DWEIGHTSTREAM=... -DFORMAT=... -DVVP=... -DVVP_IMAGE=... -DWORK_DIR=... -DSEED=... -P run_vector_test.cmake
# Writes the golden vectors of FORMAT, runs the compiled testbench on them and
# fails unless the testbench passes.
set(vectors ${WORK_DIR}/${FORMAT}.vec)
execute_process(COMMAND ${WEIGHTSTREAM} format --format ${FORMAT} --vectors ${vectors} --count 200000
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "writing vectors for ${FORMAT} failed (${status})")
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
  message(FATAL_ERROR "Icarus vector test of ${FORMAT} failed (exit ${status})")
endif()
