# ctest script: cmake -DBINARY=... -DSOURCE_DIR=... -DBUILD_DIR=... -P check_no_build_paths.cmake
# Fails when the binary holds the source or build directory of the machine it
# was built on: it must find its files relative to itself.
foreach(dir IN ITEMS ${SOURCE_DIR} ${BUILD_DIR})
  file(STRINGS ${BINARY} hits REGEX "${dir}")
  if(hits)
    list(LENGTH hits count)
    list(GET hits 0 first)
    message(FATAL_ERROR "${BINARY} holds ${count} strings with the build machine's ${dir}, e.g. ${first}")
  endif()
endforeach()
message(STATUS "${BINARY}: no path of ${SOURCE_DIR} or ${BUILD_DIR}")
