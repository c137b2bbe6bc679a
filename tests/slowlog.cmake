# tests/slowlog.cmake -- MySQL/MariaDB slow query log conformance: dbperf's
# mysql-slow parser against pt-query-digest (run by the test) on every slow
# log of the corpus. Needs the MySQL driver (the parser lives in it).
if(DBPERF_WITH_MYSQL_FOUND)
  find_program(PT_QUERY_DIGEST pt-query-digest)
  add_executable(slowlog_conformance ${CMAKE_CURRENT_SOURCE_DIR}/conformance/slowlog_conformance.c)
  target_include_directories(slowlog_conformance PRIVATE ${CMAKE_SOURCE_DIR}/src
                             ${CMAKE_SOURCE_DIR}/drivers)
  target_link_libraries(slowlog_conformance PRIVATE -Wl,--start-group ${DBPERF_DRIVER_LIBS}
                        dbperf_core -Wl,--end-group PkgConfig::CJSON)
  if(NOT PT_QUERY_DIGEST)
    # no skip: the test fails and says why
    set(PT_QUERY_DIGEST /usr/bin/pt-query-digest)
  endif()
  dbperf_test_program(slowlog_conformance_run slowlog_conformance)
  add_test(NAME conformance/slowlog_pt_query_digest
           COMMAND ${slowlog_conformance_run} ${DBPERF_CORPUS} ${PT_QUERY_DIGEST})
  set_tests_properties(conformance/slowlog_pt_query_digest PROPERTIES LABELS conformance TIMEOUT 600)
endif()
