# tests/robustness.cmake -- robustness tests: the bad-input corpus (tests/badinput/), and, when
# scripts/test.sh prepared the extra build directories, bounded libFuzzer runs and a valgrind
# memcheck pass.
#
#   badinput            tests/badinput/run.py against this build's dbperf (ASan+UBSan in CI)
#   fuzz-run-all        tests/fuzz/run-all.sh DBPERF_FUZZ_BUILD_DIR DBPERF_FUZZ_SECONDS: every
#                       libFuzzer target for a bounded time (a clang -DDBPERF_FUZZ=ON build)
#   valgrind/unit       every unit test of DBPERF_VALGRIND_BUILD_DIR (no sanitizers) under
#                       valgrind --error-exitcode=1 --leak-check=full
#   valgrind/badinput   the bad-input corpus under valgrind (without the 100 MB line)
#   valgrind/split      audit -j against -j 1 (tests/integration/split_equiv.py) under valgrind
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(DBPERF_FUZZ_BUILD_DIR "" CACHE PATH "A clang -DDBPERF_FUZZ=ON build dir: registers fuzz-run-all")
set(DBPERF_FUZZ_SECONDS 15 CACHE STRING "Seconds per libFuzzer target in fuzz-run-all")
set(DBPERF_VALGRIND_BUILD_DIR "" CACHE PATH
    "A build dir without sanitizers: registers the valgrind memcheck tests")

add_test(NAME badinput COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/badinput/run.py
                               $<TARGET_FILE:dbperf> ${DBPERF_CORPUS}
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
endif()
