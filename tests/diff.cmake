# tests/diff.cmake -- dbperf diff / audit --baseline against real servers.
add_test(NAME integration/diff_regression
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/diff_regression.sh ${DBPERF_CLI})
set_tests_properties(integration/diff_regression PROPERTIES LABELS integration TIMEOUT 300
                     RESOURCE_LOCK dbperf-ports-55901-55902)
if(DBPERF_TEST_WRAPPER)
  # it compares per-call server latencies between rounds: under valgrind (the valgrind/suite
  # pass, beside the main pass) the CPU load of concurrent tests made one more class "regress"
  set_tests_properties(integration/diff_regression PROPERTIES RUN_SERIAL TRUE)
endif()
