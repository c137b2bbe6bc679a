# tests/diff.cmake -- dbperf diff / audit --baseline against real servers.
add_test(NAME integration/diff_regression
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/diff_regression.sh ${DBPERF_CLI})
# RUN_SERIAL: it compares per-call server latencies between rounds, and the CPU load of
# concurrent tests slows sub-millisecond lookups in one round and not the other -- measured:
# the main pass beside valgrind/suite and the fuzzers once saw two primary-key lookups
# "regress" by more than min_delta_ms, which dbperf rightly reported
set_tests_properties(integration/diff_regression PROPERTIES LABELS integration TIMEOUT 300
                     RESOURCE_LOCK dbperf-ports-55901-55902 RUN_SERIAL TRUE)
