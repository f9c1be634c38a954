# ctest script for one formal proof with yosys-smtbmc:
#   cmake -DYOSYS=... -DSMTBMC=... -DSOLVER=z3 -DTOP=<harness> -DSOURCES="a.sv;b.sv" -DINCLUDE=<dir>
#         -DDEPTH=<steps> [-DINDUCTION=ON] [-DEXPECT=FAIL -DMUTATE_FILE=f -DMUTATE_FROM=a -DMUTATE_TO=b]
#         -DWORK_DIR=... -P run_formal.cmake
# Reads the sources with `read_verilog -formal` (FORMAL defined: the RTL's
# WS_ASSERT/WS_ASSUME become properties), flattens the design (kept
# hierarchy included), writes SMT-LIB2 and runs a bounded model check of
# DEPTH steps, then, with INDUCTION, the induction step. The checks unroll
# the steps (--unroll): z3 4.8 takes minutes on the ans_lane's first step
# otherwise, and seconds this way. The
# proof must pass, or with EXPECT=FAIL must fail: the text MUTATE_FROM is
# replaced by MUTATE_TO in a copy of MUTATE_FILE first, a mutant the proof
# has to catch.
file(MAKE_DIRECTORY ${WORK_DIR})
set(sources ${SOURCES})
if(MUTATE_FILE)
  file(READ ${MUTATE_FILE} text)
  string(FIND "${text}" "${MUTATE_FROM}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "mutation: '${MUTATE_FROM}' is not in ${MUTATE_FILE}")
  endif()
  string(REPLACE "${MUTATE_FROM}" "${MUTATE_TO}" text "${text}")
  get_filename_component(base ${MUTATE_FILE} NAME)
  file(WRITE ${WORK_DIR}/mutant_${base} "${text}")
  list(TRANSFORM sources REPLACE "^${MUTATE_FILE}$" "${WORK_DIR}/mutant_${base}")
endif()
list(JOIN sources " " source_text)
execute_process(
  COMMAND ${YOSYS} -q -p "read_verilog -sv -formal -I${INCLUDE} ${source_text}; prep -top ${TOP}; setattr -mod -unset keep_hierarchy *; flatten; opt_clean; async2sync; dffunmap; write_smt2 -wires ${WORK_DIR}/${TOP}.smt2"
  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "yosys could not read ${TOP}:\n${output}${errors}")
endif()
set(modes "bmc")
if(INDUCTION)
  list(APPEND modes "induction")
endif()
set(failed OFF)
foreach(mode IN LISTS modes)
  set(args -t ${DEPTH})
  if(mode STREQUAL "induction")
    set(args -i -t ${DEPTH})
  endif()
  execute_process(COMMAND ${SMTBMC} -s ${SOLVER} --unroll ${args} --dump-vcd ${WORK_DIR}/${TOP}_trace.vcd ${WORK_DIR}/${TOP}.smt2
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
  string(REGEX MATCHALL "[^\n]*(Assert failed|Status)[^\n]*" summary "${output}")
  list(JOIN summary "\n" summary)
  message("${TOP} (${mode}, ${DEPTH} steps):\n${summary}")
  if(status EQUAL 0 AND output MATCHES "Status: PASSED")
    continue()
  endif()
  # Only a property that fails counts as a failed proof; anything else is a broken run.
  if(NOT output MATCHES "Status: FAILED" OR NOT output MATCHES "(Assert failed|failed)")
    message(FATAL_ERROR "yosys-smtbmc did not run (exit ${status}):\n${output}${errors}")
  endif()
  set(failed ON)
  break()
endforeach()
if(EXPECT STREQUAL "FAIL")
  if(NOT failed)
    message(FATAL_ERROR "the proof did not catch the mutant: '${MUTATE_FROM}' -> '${MUTATE_TO}' in ${MUTATE_FILE}")
  endif()
elseif(failed)
  message(FATAL_ERROR "${TOP}: a property fails; counterexample in ${WORK_DIR}/${TOP}_trace.vcd\n${output}${errors}")
endif()
