# tests/diff.cmake -- dbperf diff / audit --baseline against real servers.
add_test(NAME integration/diff_regression
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/diff_regression.sh $<TARGET_FILE:dbperf>)
set_tests_properties(integration/diff_regression PROPERTIES LABELS integration TIMEOUT 300)
