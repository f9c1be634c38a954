# ctest script: cmake -DHLS_DIR=<hls/> -P check_hls_rules.cmake
# Fails when a header of hls/ breaks a rule an HLS tool needs: no standard
# header that allocates or throws (containers, strings, streams, function
# objects, smart pointers), no heap (new, malloc), no exceptions, no run-time
# polymorphism, no 128-bit integers, and no loop without a static bound
# (while, do). The companion test hls.rules.run compiles every model with
# -fno-exceptions -fno-rtti and runs them with the heap forbidden.
file(GLOB_RECURSE headers ${HLS_DIR}/*.hpp ${HLS_DIR}/*.h)
if(NOT headers)
  message(FATAL_ERROR "no headers under ${HLS_DIR}")
endif()
set(banned_includes
  vector string string_view memory map unordered_map set unordered_set list deque forward_list queue stack
  functional iostream sstream fstream ostream istream regex thread mutex future any variant stdexcept exception)
set(banned_words new delete malloc calloc realloc free throw try catch virtual dynamic_cast typeid __int128
  while do goto)
set(failures)
foreach(header IN LISTS headers)
  file(STRINGS ${header} lines)
  file(RELATIVE_PATH name ${HLS_DIR}/.. ${header})
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    string(REGEX REPLACE "//.*$" "" code "${line}")  # comments may say anything
    foreach(include IN LISTS banned_includes)
      if(code MATCHES "#[ \t]*include[ \t]*<${include}>")
        list(APPEND failures "${name}:${number}: includes <${include}>")
      endif()
    endforeach()
    foreach(word IN LISTS banned_words)
      if(code MATCHES "(^|[^A-Za-z0-9_])${word}([^A-Za-z0-9_]|$)")
        list(APPEND failures "${name}:${number}: uses '${word}'")
      endif()
    endforeach()
  endforeach()
endforeach()
if(failures)
  list(JOIN failures "\n" text)
  message(FATAL_ERROR "hls/ breaks the rules of synthesizable C++:\n${text}")
endif()
list(LENGTH headers count)
message(STATUS "hls/: ${count} headers keep the rules")
