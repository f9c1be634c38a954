# Shared by the Icarus ctest drivers: ws_run_testbench(<what> <vectors>) runs
# the compiled testbench VVP_IMAGE on <vectors> with a random seed (WS_SEED
# when set, printed either way) and fails unless the testbench prints PASS
# and no RTL assertion printed an ERROR (Icarus reports them without failing).
function(ws_run_testbench what vectors)
  if("$ENV{WS_SEED}" STREQUAL "")
    string(RANDOM LENGTH 9 ALPHABET 0123456789 seed)
    string(REGEX REPLACE "^0+" "" seed "1${seed}")
  else()
    set(seed $ENV{WS_SEED})
  endif()
  execute_process(COMMAND ${VVP} -n ${VVP_IMAGE} +vectors=${vectors} +seed=${seed}
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
  message("${output}${errors}")
  if(NOT status EQUAL 0 OR NOT output MATCHES "PASS" OR output MATCHES "ERROR:")
    message(FATAL_ERROR "Icarus test of ${what} failed (exit ${status}, seed ${seed})")
  endif()
endfunction()
