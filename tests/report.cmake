# tests/report.cmake -- report writers and the dbperf-json loader beyond the unit
# test: the JSON schema (docs/report.schema.json) validated by python3-jsonschema on
# every report the unit test writes and on the golden files, the real binary's
# report read back through detection, and the fuzz target replayed on the goldens.
find_program(DBPERF_PYTHON3 python3 REQUIRED)
set(report_out ${CMAKE_CURRENT_BINARY_DIR}/report-out)

# the unit test saves each JSON report it writes (golden cases, reloaded reports)
dbperf_test_program(test_report_run test_report)
add_test(NAME report/write-json
         COMMAND ${CMAKE_COMMAND} -E env DBPERF_REPORT_OUT=${report_out} ${test_report_run})
set_tests_properties(report/write-json PROPERTIES LABELS report FIXTURES_SETUP report_json)
add_test(NAME report/clean COMMAND ${CMAKE_COMMAND} -E rm -rf ${report_out})
add_test(NAME report/mkdir COMMAND ${CMAKE_COMMAND} -E make_directory ${report_out})
set_tests_properties(report/clean PROPERTIES LABELS report FIXTURES_SETUP report_dir)
set_tests_properties(report/mkdir PROPERTIES LABELS report FIXTURES_SETUP report_dir DEPENDS report/clean)
set_tests_properties(report/write-json PROPERTIES FIXTURES_REQUIRED report_dir)

add_test(NAME report/schema
         COMMAND ${DBPERF_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/data/report/validate_schema.py
                 ${CMAKE_SOURCE_DIR}/docs/report.schema.json ${report_out}
                 ${CMAKE_CURRENT_SOURCE_DIR}/data/report)
set_tests_properties(report/schema PROPERTIES LABELS report FIXTURES_REQUIRED report_json)

# real logs (PostgreSQL stderr and a MySQL slow log) -> JSON -> read back -> same statements
add_test(NAME report/cli-roundtrip
         COMMAND ${DBPERF_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/data/report/cli_roundtrip.py
                 ${DBPERF_CLI} ${CMAKE_SOURCE_DIR}/docs/report.schema.json
                 ${CMAKE_CURRENT_BINARY_DIR}/report-cli
                 ${DBPERF_CORPUS}/pgbadger/fixtures/stmt_type.log
                 ${DBPERF_CORPUS}/percona-toolkit/slowlogs/slow002.txt)
set_tests_properties(report/cli-roundtrip PROPERTIES LABELS "report;cli")

# the golden reports are seeds of fuzz_report_load too (the .seeds file is for corpus paths)
if(TARGET replay-report_load)
  dbperf_test_program(report_load_run replay-report_load)
  add_test(NAME fuzz-replay/report_load-golden
           COMMAND ${report_load_run} ${CMAKE_CURRENT_SOURCE_DIR}/data/report)
  set_tests_properties(fuzz-replay/report_load-golden PROPERTIES LABELS fuzz)
endif()
