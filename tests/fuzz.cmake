# tests/fuzz.cmake -- fuzz targets: tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput.
#
# Every build links each target with replay_main.c and registers a test that
# replays its regression inputs (tests/fuzz/regress/<name>/) and its seeds, as
# listed in tests/fuzz/<name>.seeds (one path per line, relative to the corpus
# directory ../shared/corpus; lines starting with # are comments).
# With -DDBPERF_FUZZ=ON (CC=clang) it also builds fuzz-<name> with libFuzzer;
# tests/fuzz/run-all.sh runs each for a bounded time.
file(GLOB fuzz_targets CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_*.c)
foreach(src ${fuzz_targets})
  get_filename_component(base ${src} NAME_WE)
  string(REGEX REPLACE "^fuzz_" "" name ${base})
  add_executable(replay-${name} ${src} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/replay_main.c)
  target_include_directories(replay-${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/drivers)
  target_link_libraries(replay-${name} PRIVATE -Wl,--start-group ${DBPERF_DRIVER_LIBS} dbperf_core
                        -Wl,--end-group)
  set(inputs)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/regress/${name})
    list(APPEND inputs ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/regress/${name})
  endif()
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/${name}.seeds)
    file(STRINGS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/${name}.seeds seeds REGEX "^[^#]")
    foreach(s ${seeds})
      list(APPEND inputs ${DBPERF_CORPUS}/${s})
    endforeach()
  endif()
  dbperf_test_program(replay_run replay-${name})
  add_test(NAME fuzz-replay/${name} COMMAND ${replay_run} ${inputs})
  set_tests_properties(fuzz-replay/${name} PROPERTIES LABELS fuzz)
  if(DBPERF_FUZZ)
    add_executable(fuzz-${name} ${src})
    target_include_directories(fuzz-${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/drivers)
    target_compile_options(fuzz-${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(fuzz-${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(fuzz-${name} PRIVATE -Wl,--start-group ${DBPERF_DRIVER_LIBS} dbperf_core
                          -Wl,--end-group)
  endif()
endforeach()
