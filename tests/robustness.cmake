# tests/robustness.cmake -- robustness tests: the bad-input corpus (tests/badinput/), and, when
# scripts/test.sh prepared the extra build directories, bounded libFuzzer runs and valgrind
# memcheck over the whole suite.
#
#   badinput            tests/badinput/run.py against this build's dbperf (ASan+UBSan in CI)
#   fuzz-run-all        tests/fuzz/run-all.sh DBPERF_FUZZ_BUILD_DIR DBPERF_FUZZ_SECONDS: every
#                       libFuzzer target for a bounded time (a clang -DDBPERF_FUZZ=ON build)
#   valgrind/unit       every unit test of DBPERF_VALGRIND_BUILD_DIR (no sanitizers) under
#                       valgrind --error-exitcode=1 --leak-check=full
#   valgrind/badinput   the bad-input corpus under valgrind (without the 100 MB line)
#   valgrind/split      audit -j against -j 1 (tests/integration/split_equiv.py) under valgrind
#   valgrind/suite      tests/valgrind/suite.sh: ctest in DBPERF_VALGRIND_BUILD_DIR, configured
#                       with a valgrind DBPERF_TEST_WRAPPER (tests/CMakeLists.txt), so that every
#                       CLI, conformance, integration, mongo, report, rules, plans, diff,
#                       check-indexes and tui test runs dbperf and the C test programs under
#                       memcheck; fails on any test failure, any non-empty valgrind log (errors,
#                       definite or indirect leaks) or no log at all. Left out of it, as the
#                       other valgrind/ tests cover them: the unit tests (-L unit), badinput
#                       and robustness/split-equals-one-pass. Not registered there at all:
#                       fuzz-run-all (libFuzzer, its own clang build) and the valgrind/ tests.
# valgrind/suite holds the RESOURCE_LOCKs of the tests whose servers use fixed ports (the ones
# on ports found free, pglive and mylive, keep their state in their own build dir).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(DBPERF_FUZZ_BUILD_DIR "" CACHE PATH "A clang -DDBPERF_FUZZ=ON build dir: registers fuzz-run-all")
set(DBPERF_FUZZ_SECONDS 15 CACHE STRING "Seconds per libFuzzer target in fuzz-run-all")
set(DBPERF_VALGRIND_BUILD_DIR "" CACHE PATH
    "A build dir without sanitizers: registers the valgrind memcheck tests")

add_test(NAME badinput COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/badinput/run.py
                               ${DBPERF_CLI} ${DBPERF_CORPUS}
                               ${CMAKE_CURRENT_BINARY_DIR}/badinput-work)
set_tests_properties(badinput PROPERTIES LABELS robustness TIMEOUT 600)

if(DBPERF_FUZZ_BUILD_DIR)
  add_test(NAME fuzz-run-all COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run-all.sh
                                     ${DBPERF_FUZZ_BUILD_DIR} ${DBPERF_FUZZ_SECONDS} ${DBPERF_CORPUS})
  # each target alone: run it while the rest of the suite uses the other core
  set_tests_properties(fuzz-run-all PROPERTIES LABELS "robustness;fuzz" TIMEOUT 1200)
endif()

if(DBPERF_VALGRIND_BUILD_DIR)
  find_program(VALGRIND valgrind REQUIRED)
  set(vg ${VALGRIND} --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
         --track-origins=no --quiet)
  add_test(NAME valgrind/unit
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/badinput/valgrind-unit.sh ${DBPERF_VALGRIND_BUILD_DIR}
                   ${vg})
  set_tests_properties(valgrind/unit PROPERTIES LABELS "robustness;valgrind" TIMEOUT 1200)
  add_test(NAME valgrind/badinput
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/badinput/run.py
                   ${DBPERF_VALGRIND_BUILD_DIR}/dbperf ${DBPERF_CORPUS}
                   ${CMAKE_CURRENT_BINARY_DIR}/valgrind-badinput-work --skip-big --wrap ${vg})
  set_tests_properties(valgrind/badinput PROPERTIES LABELS "robustness;valgrind" TIMEOUT 900)
  # audit -j: threads, chunk merging and the fallback to one pass, under memcheck
  add_test(NAME valgrind/split
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/integration/split_equiv.py
                   ${DBPERF_VALGRIND_BUILD_DIR}/dbperf ${DBPERF_CORPUS}
                   ${CMAKE_CURRENT_BINARY_DIR}/valgrind-split-work --generated-only --wrap ${vg})
  set_tests_properties(valgrind/split PROPERTIES LABELS "robustness;valgrind" TIMEOUT 900)
  # the wrapper's --log-file=DIR/%p.log names the directory suite.sh reads
  load_cache(${DBPERF_VALGRIND_BUILD_DIR} READ_WITH_PREFIX vg_ DBPERF_TEST_WRAPPER)
  set(vg_logs)
  foreach(w IN LISTS vg_DBPERF_TEST_WRAPPER)
    if(w MATCHES "^--log-file=(.*)/[^/]*$")
      set(vg_logs ${CMAKE_MATCH_1})
    endif()
  endforeach()
  if(NOT vg_logs)
    message(FATAL_ERROR "DBPERF_VALGRIND_BUILD_DIR ${DBPERF_VALGRIND_BUILD_DIR}: its "
            "DBPERF_TEST_WRAPPER has no valgrind --log-file=DIR/%p.log (see scripts/test.sh)")
  endif()
  add_test(NAME valgrind/suite
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/valgrind/suite.sh ${DBPERF_VALGRIND_BUILD_DIR}
                   ${vg_logs} -j2 --timeout 900 -LE unit
                   -E "^(badinput|robustness/split-equals-one-pass)$")
  # the longest test: started first
  set_tests_properties(valgrind/suite PROPERTIES LABELS "robustness;valgrind" TIMEOUT 1500
                       COST 10000 RESOURCE_LOCK "${DBPERF_FIXED_PORT_LOCKS}")
endif()
