# tests/plans.cmake -- conformance of the plan parsers (PostgreSQL text/JSON,
# MySQL/MariaDB JSON) against the peer corpus: pev2 and Pg::Explain parsed
# trees, psql output styles, myflames MySQL 8.4 / MariaDB plans.
if(TARGET dbperf_driver_postgres AND TARGET dbperf_driver_mysql)
  add_executable(plans_conform ${CMAKE_CURRENT_SOURCE_DIR}/conformance/plans_conform.c)
  target_include_directories(plans_conform PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/drivers)
  target_link_libraries(plans_conform PRIVATE -Wl,--start-group ${DBPERF_DRIVER_LIBS} dbperf_core
                        -Wl,--end-group)
  dbperf_test_program(plans_conform_run plans_conform)
  foreach(check pev2 depesz frames samples myflames)
    add_test(NAME conformance/plans-${check} COMMAND ${plans_conform_run} ${check} ${DBPERF_CORPUS})
    set_tests_properties(conformance/plans-${check} PROPERTIES LABELS "conformance;plans")
  endforeach()
endif()

# live: a throwaway PostgreSQL 15 and MariaDB 10.11 print plans for ~30 queries; JSON and text
# of the same EXPLAIN must give the same tree, ANALYZE output must parse, MariaDB trees must
# name every table (tests/integration/plans_live.sh)
if(TARGET plans_conform)
  add_test(NAME integration/plans_live
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/integration/plans_live.sh ${plans_conform_run})
  set_tests_properties(integration/plans_live PROPERTIES LABELS "integration;plans" TIMEOUT 600
                       RESOURCE_LOCK dbperf-ports-55540-55594)
endif()
