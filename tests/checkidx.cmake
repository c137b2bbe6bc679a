# tests/checkidx.cmake -- dbperf check-indexes: the history store and its scheduling examples.
# (The store's unit tests, tests/unit/test_store.c, are registered by the unit glob with
# LABELS unit.)
#   check-indexes/live   two throwaway PostgreSQL 15 servers (primary and "replica" of one
#                        database) and a throwaway MariaDB, started and stopped by the test
#                        (ports 55970-55974): simulated days, pg_stat_reset, a MariaDB
#                        restart, a replica-only index, exit codes, Prometheus, 4 concurrent
#                        runs on one SQLite store, the PostgreSQL store.
#   check-indexes/units  docs/dbperf-check-indexes.{service,timer} through systemd-analyze
#                        verify, docs/crontab.example through a crontab parser, and the
#                        dbperf command line of each run for real.
add_test(NAME check-indexes/live
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/check_indexes_live.sh
                 ${DBPERF_CLI} ${CMAKE_SOURCE_DIR})
set_tests_properties(check-indexes/live PROPERTIES LABELS integration TIMEOUT 600
                     RESOURCE_LOCK dbperf-ports-55970-55974)
add_test(NAME check-indexes/units
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/check_indexes_units.sh
                 ${DBPERF_CLI} ${CMAKE_SOURCE_DIR})
set_tests_properties(check-indexes/units PROPERTIES LABELS integration TIMEOUT 120)
