# tests/pglive.cmake -- integration tests of the live PostgreSQL driver (label integration).
#
# A fixture starts a throwaway PostgreSQL 15 (scripts/pg-server.sh through
# tests/integration/pg_live_server.sh) and a streaming replica of it on free
# ports in 55700-55799, loads sql/test/pg_problems.sql, and stops both at the
# end; DBPERF_TEST_PG_DSN (and DBPERF_TEST_PG_REPLICA_DSN) point the tests at
# existing servers instead. A server that cannot be started makes every test of
# the fixture fail (CTest reports them as not run), never skip. The tests share
# the server, one at a time (RESOURCE_LOCK), in the order listed.
if(NOT DBPERF_WITH_PG_FOUND)
  return()
endif()
add_executable(pg_live_test ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_live_test.c)
target_include_directories(pg_live_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/drivers)
target_link_libraries(pg_live_test PRIVATE -Wl,--start-group ${DBPERF_DRIVER_LIBS} dbperf_core
                      -Wl,--end-group PkgConfig::DBPERF_WITH_PG_PKG)
dbperf_test_program(pg_live_test_run pg_live_test)

set(pglive_state ${CMAKE_CURRENT_BINARY_DIR}/pglive/server.state)
add_test(NAME integration/pg_live_server_start
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_live_server.sh start ${pglive_state})
add_test(NAME integration/pg_live_server_stop
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_live_server.sh stop ${pglive_state})
set_tests_properties(integration/pg_live_server_start PROPERTIES
                     FIXTURES_SETUP pglive LABELS integration TIMEOUT 120 RESOURCE_LOCK pglive)
set_tests_properties(integration/pg_live_server_stop PROPERTIES
                     FIXTURES_CLEANUP pglive LABELS integration TIMEOUT 60 RESOURCE_LOCK pglive)
# collect first: the others add statements to pg_stat_statements
foreach(case collect readonly explain hypopg errors replica pre13 midresult partial)
  add_test(NAME integration/pg_live_${case} COMMAND ${pg_live_test_run} ${case} ${pglive_state})
  set_tests_properties(integration/pg_live_${case} PROPERTIES
                       FIXTURES_REQUIRED pglive LABELS integration TIMEOUT 60
                       RESOURCE_LOCK pglive)
endforeach()
# end to end: the audit command finds the problems of pg_problems.sql and not the healthy parts
add_test(NAME integration/pg_live_audit
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_live_audit.sh ${DBPERF_CLI}
                 ${pglive_state})
set_tests_properties(integration/pg_live_audit PROPERTIES
                     FIXTURES_REQUIRED pglive LABELS integration TIMEOUT 60 RESOURCE_LOCK pglive)
# pg_qualstats supplies the missing-index rule's predicate columns (evidence predicates_from);
# a refused pg_qualstats() is a diagnostic, a missing extension leaves no trace (own database)
add_test(NAME integration/pg_live_qualstats
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_live_qualstats.sh ${DBPERF_CLI}
                 ${pglive_state})
set_tests_properties(integration/pg_live_qualstats PROPERTIES
                     FIXTURES_REQUIRED pglive LABELS integration TIMEOUT 120 RESOURCE_LOCK pglive)
# statement classification and plan cost extraction: no server needed
add_test(NAME integration/pg_live_classify COMMAND ${pg_live_test_run} classify none)
set_tests_properties(integration/pg_live_classify PROPERTIES LABELS integration TIMEOUT 30)
