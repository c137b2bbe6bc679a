# tests/tui.cmake -- the terminal UI driven through tmux (label tui).
#
# tests/tui/tui_test.py runs the real dbperf binary inside a dedicated tmux
# server (80x24; TERM=xterm-256color in UTF-8, TERM=vt100 in the C locale,
# NO_COLOR=1), sends keys and asserts on capture-pane: every view, sorting,
# filtering, the plan tree, help, resize, quitting and signals, and that the
# terminal is restored. Expected values come from `dbperf audit --format json`
# on the same bundled samples (sql/demo/samples). The live case starts a
# throwaway PostgreSQL (scripts/pg-server.sh, ports 55960-55969), checks the
# per-interval deltas, then stops the server and checks the status line.
find_program(DBPERF_TMUX tmux)
find_package(Python3 COMPONENTS Interpreter)
if(NOT DBPERF_TMUX OR NOT Python3_FOUND)
  message(WARNING "tmux or python3 missing: the tui tests will fail")
endif()
add_test(NAME tui/offline
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tui/tui_test.py offline
                 ${DBPERF_CLI} ${CMAKE_SOURCE_DIR})
set_tests_properties(tui/offline PROPERTIES LABELS tui TIMEOUT 300)
if(DBPERF_WITH_PG_FOUND)
  add_test(NAME tui/live_pg
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/tui/tui_test.py live
                   ${DBPERF_CLI} ${CMAKE_SOURCE_DIR})
  set_tests_properties(tui/live_pg PROPERTIES LABELS "tui;integration" TIMEOUT 300
                       RESOURCE_LOCK dbperf-ports-55960-55969)
endif()

# the TUI's rows (src/tui/tui_data.c has no curses): sorting, filtering, deltas, plan folding
add_executable(test_tui_data ${CMAKE_CURRENT_SOURCE_DIR}/tui/test_tui_data.c
                             ${CMAKE_SOURCE_DIR}/src/tui/tui_data.c)
target_include_directories(test_tui_data PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(test_tui_data PRIVATE dbperf_core PkgConfig::CMOCKA m)
dbperf_test_program(test_tui_data_run test_tui_data)
add_test(NAME tui/data COMMAND ${test_tui_data_run})
set_tests_properties(tui/data PROPERTIES LABELS "tui;unit")
