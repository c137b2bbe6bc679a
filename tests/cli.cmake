# tests/cli.cmake -- tests that run the real dbperf binary from the command line.
add_test(NAME cli/bad_input COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/bad_input.sh ${DBPERF_CLI})
set_tests_properties(cli/bad_input PROPERTIES LABELS cli)
