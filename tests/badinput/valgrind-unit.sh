#!/usr/bin/env bash
# tests/badinput/valgrind-unit.sh -- run every unit test (tests/unit/test_*.c) of a build made
# without sanitizers under valgrind.
#
#   valgrind-unit.sh BUILD_DIR valgrind [valgrind options...]
#
# Fails if any unit test fails or valgrind reports an error or a definite leak
# (--error-exitcode). Runs two tests at a time; prints one line per test.
set -uo pipefail
BUILD=${1:?usage: valgrind-unit.sh BUILD_DIR valgrind [options...]}
BUILD=$(cd "$BUILD" && pwd)
shift
[ $# -gt 0 ] || { echo "usage: valgrind-unit.sh BUILD_DIR valgrind [options...]" >&2; exit 2; }
TESTS=$(find "$BUILD/tests" -maxdepth 1 -type f -name 'test_*' -perm -u+x | sort)
[ -n "$TESTS" ] || { echo "valgrind-unit.sh: no unit tests in $BUILD/tests" >&2; exit 1; }
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT
run() {
  local t=$1 name
  name=$(basename "$t")
  if (cd "$BUILD/tests" && "${@:2}" "$t" >"$LOGS/$name.log" 2>&1); then
    echo "ok   $name"
  else
    echo "FAIL $name"
    grep -E '==[0-9]+==|FAILED|\[  FAILED' "$LOGS/$name.log" | head -40
    return 1
  fi
}
export -f run
export LOGS BUILD
printf '%s\n' $TESTS | xargs -P 2 -I{} bash -c 'run "$@"' _ {} "$@"
