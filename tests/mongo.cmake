# tests/mongo.cmake -- MongoDB driver tests beyond the unit tests (label mongo):
#   mongo/live_*   the live collector (libmongoc) against the wire-protocol test double
#                  tests/mongo_double/mongo_double.py (Python 3 standard library), which
#                  answers as mongod does with replies taken from the corpus; each case
#                  uses its own port in 55950-55999 and the double stops by itself.
#                  No MongoDB server runs on the build machines: this is the only live test.
#   mongo/cli_*    dbperf audit on corpus logs: format detection, exit codes, findings.
#   mongo/dl       libmongoc/libbson neither linked nor loaded without a server, and a clear
#                  error when they cannot be loaded (tests/cli/mongo_dl.sh).
if(NOT DBPERF_WITH_MONGO_FOUND)
  return()
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(mongo_live ${CMAKE_CURRENT_SOURCE_DIR}/mongo_double/test_live.py)
add_test(NAME mongo/live_secondary
         COMMAND ${Python3_EXECUTABLE} ${mongo_live} ${DBPERF_CLI} ${DBPERF_CORPUS} 55961
                 secondary)
add_test(NAME mongo/live_primary
         COMMAND ${Python3_EXECUTABLE} ${mongo_live} ${DBPERF_CLI} ${DBPERF_CORPUS} 55962
                 primary)
add_test(NAME mongo/live_refused
         COMMAND ${Python3_EXECUTABLE} ${mongo_live} ${DBPERF_CLI} ${DBPERF_CORPUS} 55963
                 refused)
add_test(NAME mongo/live_replset
         COMMAND ${Python3_EXECUTABLE} ${mongo_live} ${DBPERF_CLI} ${DBPERF_CORPUS} 55964
                 replset)
add_test(NAME mongo/live_mongos
         COMMAND ${Python3_EXECUTABLE} ${mongo_live} ${DBPERF_CLI} ${DBPERF_CORPUS} 55966
                 mongos)
add_test(NAME mongo/live_stall
         COMMAND ${Python3_EXECUTABLE} ${mongo_live} ${DBPERF_CLI} ${DBPERF_CORPUS} 55967
                 stall)
set_tests_properties(mongo/live_secondary mongo/live_primary mongo/live_refused
                     mongo/live_replset mongo/live_mongos mongo/live_stall PROPERTIES
                     LABELS "mongo;integration" TIMEOUT 90
                     RESOURCE_LOCK dbperf-ports-55961-55967)

# the CLI on corpus logs: detection picks the MongoDB formats; the JSON log of 6.0 and the
# 4.0 text log give findings; --fail-on turns them into exit 1
add_test(NAME mongo/cli_json_log
         COMMAND ${DBPERF_CLI} audit --fail-on warning
                 ${DBPERF_CORPUS}/mtools/logfiles/collscans.log
                 ${DBPERF_CORPUS}/mongodb/logs/hatchet-mongod-6.0.11-slowquery-sample.log)
set_tests_properties(mongo/cli_json_log PROPERTIES LABELS mongo WILL_FAIL TRUE)
add_test(NAME mongo/cli_types
         COMMAND ${DBPERF_CLI} audit --list-types)
set_tests_properties(mongo/cli_types PROPERTIES LABELS mongo
                     PASS_REGULAR_EXPRESSION "mongodb-log.*mongodb-log-text.*mongodb-profile.*mongodb-explain.*mongodb-indexstats")

# libmongoc is dlopen'ed by the first MongoDB connect (drivers/mongodb/mongo_dl.c): no binary
# links it, nothing but a mongodb:// target loads it, a missing or too old one is a clear error.
# The stub is a libmongoc-1.0.so.0 without libmongoc's functions.
add_library(stub_libmongoc SHARED ${CMAKE_CURRENT_SOURCE_DIR}/cli/stub_libmongoc.c)
set_target_properties(stub_libmongoc PROPERTIES OUTPUT_NAME mongoc-1.0 SOVERSION 0
                      LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/stub-libmongoc)
add_test(NAME mongo/dl
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/mongo_dl.sh ${DBPERF_CLI} ${DBPERF_CORPUS}
                 $<TARGET_FILE_DIR:stub_libmongoc> $<TARGET_FILE:dbperf> $<TARGET_FILE:test_mongo_docs>
                 $<TARGET_FILE:replay-mongo_doc> $<TARGET_FILE:replay-mongo_log>)
set_tests_properties(mongo/dl PROPERTIES LABELS "mongo;cli")
