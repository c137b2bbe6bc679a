#!/usr/bin/env bash
# tests/valgrind/suite.sh -- run the tests of a build configured with a valgrind
# DBPERF_TEST_WRAPPER (scripts/test.sh: build-test-valgrind), then read valgrind's logs.
#
#   suite.sh BUILD_DIR LOG_DIR [ctest arguments...]
#
# LOG_DIR is the directory of the wrapper's --log-file=LOG_DIR/%p.log; it is emptied first.
# Fails if a test fails, if no valgrind log was written at all (nothing ran under valgrind),
# or if any log is not empty: with --quiet and --show-leak-kinds=definite,indirect valgrind
# writes only errors (invalid reads and writes, uninitialised values, bad frees, overlaps...)
# and definite or indirect leaks. Prints every such log.
set -uo pipefail
BUILD=${1:?usage: suite.sh BUILD_DIR LOG_DIR [ctest arguments...]}
LOGS=${2:?usage: suite.sh BUILD_DIR LOG_DIR [ctest arguments...]}
shift 2
rm -rf "$LOGS"
mkdir -p "$LOGS"
(cd "$BUILD" && ctest --output-on-failure "$@")
rc=$?
n=$(find "$LOGS" -type f -name '*.log' | wc -l)
echo "valgrind: $n processes ran under memcheck"
if [ "$n" -eq 0 ]; then
  echo "FAIL: no valgrind log in $LOGS: nothing ran under valgrind" >&2
  rc=1
fi
bad=0
while IFS= read -r -d '' f; do
  bad=$((bad + 1))
  echo "---- $f"
  head -c 20000 "$f"
done < <(find "$LOGS" -type f -name '*.log' -size +0 -print0 | sort -z)
if [ "$bad" -gt 0 ]; then
  echo "FAIL: valgrind reported errors or leaks in $bad processes (logs above, in $LOGS)" >&2
  rc=1
fi
exit "$rc"
