# tests/mylive.cmake -- integration tests of the live MySQL/MariaDB collector (label integration).
#
# A fixture starts a throwaway MariaDB 10.11 (scripts/mariadb-server.sh through
# tests/integration/my_live_server.sh) on a free port in 55800-55899, loads
# sql/test/my_problems.sql, and stops it at the end. A server that cannot be
# started makes every test of the fixture fail (CTest reports them as not run),
# never skip.
if(NOT DBPERF_WITH_MYSQL_FOUND)
  return()
endif()
add_executable(my_live_test ${CMAKE_CURRENT_SOURCE_DIR}/integration/my_live_test.c)
target_include_directories(my_live_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/drivers)
target_link_libraries(my_live_test PRIVATE -Wl,--start-group ${DBPERF_DRIVER_LIBS} dbperf_core
                      -Wl,--end-group PkgConfig::DBPERF_WITH_MYSQL_PKG)
dbperf_test_program(my_live_test_run my_live_test)

set(mylive_state ${CMAKE_CURRENT_BINARY_DIR}/mylive/server.state)
add_test(NAME integration/my_live_server_start
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/my_live_server.sh start ${mylive_state})
add_test(NAME integration/my_live_server_stop
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/my_live_server.sh stop ${mylive_state})
set_tests_properties(integration/my_live_server_start PROPERTIES
                     FIXTURES_SETUP mylive LABELS integration TIMEOUT 120 RESOURCE_LOCK mylive)
set_tests_properties(integration/my_live_server_stop PROPERTIES
                     FIXTURES_CLEANUP mylive LABELS integration TIMEOUT 60 RESOURCE_LOCK mylive)
# collect first: it checks the workload's counts before the other cases add statements;
# explain and cli early: the statement history (1000 statements) must still hold the
# workload's examples;
# userstat and nohistory last: they reset performance_schema's index counters and history
set(prev)
foreach(case collect explain cli readonly errors options drop cut limited userstat nohistory)
  if(case STREQUAL "cli")
    add_test(NAME integration/my_live_cli
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/my_live_cli.sh ${DBPERF_CLI}
                     ${mylive_state})
  else()
    add_test(NAME integration/my_live_${case} COMMAND ${my_live_test_run} ${case} ${mylive_state})
  endif()
  set_tests_properties(integration/my_live_${case} PROPERTIES
                       FIXTURES_REQUIRED mylive LABELS integration TIMEOUT 60
                       RESOURCE_LOCK mylive DEPENDS "${prev}")
  set(prev integration/my_live_${case})
endforeach()
