# tests/pglog.cmake -- PostgreSQL log parsers: conformance with pgbadger on the corpus
# fixtures, and with pg_stat_statements / pgbadger on logs of a real server (integration).
if(TARGET dbperf_driver_postgres)
  add_executable(pg_log_conform ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_log_conform.c)
  target_link_libraries(pg_log_conform PRIVATE -Wl,--start-group ${DBPERF_DRIVER_LIBS} dbperf_core
                        -Wl,--end-group)
  dbperf_test_program(pg_log_conform_run pg_log_conform)

  # pgbadger -x json on the stderr fixtures of ../shared/corpus/pgbadger: total duration
  # per statement class within 0.1%
  add_test(NAME conformance/pg_log_pgbadger
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_log_pgbadger.sh
                   ${pg_log_conform_run} ${DBPERF_CORPUS})
  set_tests_properties(conformance/pg_log_pgbadger PROPERTIES LABELS conformance TIMEOUT 300)

  # a throwaway PostgreSQL 15 (scripts/pg-server.sh), a psql + pgbench workload: calls per
  # class in the stderr, csv and json logs == pg_stat_statements; stderr durations == pgbadger
  add_test(NAME integration/pg_log_pgss
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_log_pgss.sh
                   ${pg_log_conform_run} ${CMAKE_SOURCE_DIR}/scripts/pg-server.sh
                   ${DBPERF_CLI})
  set_tests_properties(integration/pg_log_pgss PROPERTIES LABELS integration TIMEOUT 180
                       RUN_SERIAL TRUE)
  # the same with log_statement = all + log_duration (statement and duration on separate
  # lines) and auto_explain's text plans
  add_test(NAME integration/pg_log_pgss_log_statement
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/pg_log_pgss.sh
                   ${pg_log_conform_run} ${CMAKE_SOURCE_DIR}/scripts/pg-server.sh
                   ${DBPERF_CLI} log_statement)
  set_tests_properties(integration/pg_log_pgss_log_statement PROPERTIES LABELS integration
                       TIMEOUT 180 RUN_SERIAL TRUE)
endif()
