# tests/split.cmake -- `dbperf audit -j N` (a log parsed in chunks at once) reports exactly
# what `-j 1` reports: corpus logs of every splittable format and generated logs with N+1
# runs in interleaved sessions, cut into dozens of chunks (DBPERF_SPLIT_MIN_BYTES).
find_program(DBPERF_PYTHON3 python3 REQUIRED)
add_test(NAME robustness/split-equals-one-pass
         COMMAND ${DBPERF_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/integration/split_equiv.py
                 ${DBPERF_CLI} ${DBPERF_CORPUS} ${CMAKE_CURRENT_BINARY_DIR}/split-out)
set_tests_properties(robustness/split-equals-one-pass PROPERTIES LABELS "robustness;cli"
                     TIMEOUT 600)
