# tests/rules.cmake -- the rules through the real binary: generated PostgreSQL logs
# audited with several config files (n-plus-one flagged / not flagged, the session
# tracker configured from [rule.n-plus-one], severity override, config errors).
find_program(DBPERF_PYTHON3 python3 REQUIRED)
add_test(NAME rules/audit-n-plus-one
         COMMAND ${DBPERF_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/data/rules/audit_rules.py
                 ${DBPERF_CLI} ${CMAKE_CURRENT_BINARY_DIR}/rules-out)
set_tests_properties(rules/audit-n-plus-one PROPERTIES LABELS "rules;cli")

# unused-index against MariaDB's sys.schema_unused_indexes, duplicate-index against Percona's
# pt-duplicate-key-checker, on a throwaway MariaDB through the live MySQL driver.
if(DBPERF_WITH_MYSQL_FOUND)
  add_test(NAME integration/rules_my_peers
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/rules_my_peers.sh
                   ${DBPERF_CLI} ${CMAKE_CURRENT_BINARY_DIR}/rules-mypeers/server.state)
  set_tests_properties(integration/rules_my_peers PROPERTIES
                       LABELS "integration;rules" TIMEOUT 180 RESOURCE_LOCK mylive)
endif()

# unused-index and duplicate-index against PostgreSQL's catalogs (the wiki's index
# maintenance queries) on the throwaway PostgreSQL of the pg_live tests (live driver).
if(DBPERF_WITH_PG_FOUND)
  add_test(NAME integration/rules_pg_catalog
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/integration/rules_pg_catalog.sh
                   ${DBPERF_CLI} ${CMAKE_CURRENT_BINARY_DIR}/rules-pgcat/server.state)
  set_tests_properties(integration/rules_pg_catalog PROPERTIES
                       LABELS "integration;rules" TIMEOUT 240 RESOURCE_LOCK pglive)
endif()

# seq-scan's aggregate hints (rows examined far above rows sent) on the corpus slow logs,
# against the per-class Rows_examined / Rows_sent of pt-query-digest, run by the test.
add_test(NAME rules/slowlog-hints-vs-pt-query-digest
         COMMAND ${DBPERF_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/data/rules/slowlog_hints.py
                 ${DBPERF_CLI} ${DBPERF_CORPUS})
set_tests_properties(rules/slowlog-hints-vs-pt-query-digest PROPERTIES
                     LABELS "rules;conformance" TIMEOUT 300)
