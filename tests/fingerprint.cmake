# tests/fingerprint.cmake -- fingerprint conformance on the peer corpus, and the
# `dbperf fingerprint` CLI against the real pt-fingerprint on the same input.
add_executable(fingerprint_conformance ${CMAKE_CURRENT_SOURCE_DIR}/conformance/fingerprint_conformance.c)
target_link_libraries(fingerprint_conformance PRIVATE dbperf_core)
target_compile_definitions(fingerprint_conformance PRIVATE DBPERF_CORPUS="${DBPERF_CORPUS}")
dbperf_test_program(fingerprint_conformance_run fingerprint_conformance)
add_test(NAME conformance/fingerprint COMMAND ${fingerprint_conformance_run} ${DBPERF_CORPUS})
set_tests_properties(conformance/fingerprint PROPERTIES LABELS conformance)

add_test(NAME cli/fingerprint-vs-pt-fingerprint
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/conformance/fingerprint_cli.sh ${DBPERF_CLI}
                 ${DBPERF_CORPUS} ${CMAKE_CURRENT_BINARY_DIR}/fingerprint-cli)
set_tests_properties(cli/fingerprint-vs-pt-fingerprint PROPERTIES LABELS "cli;conformance")
