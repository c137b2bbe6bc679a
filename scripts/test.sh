#!/usr/bin/env bash
# scripts/test.sh -- install everything and run the whole test suite: a warning-free build
# (-Werror) under AddressSanitizer and UBSan, then every ctest test -- unit tests, conformance
# tests on the peer corpus (../shared/corpus, or -DDBPERF_CORPUS), CLI tests, and integration
# tests against throwaway PostgreSQL and MariaDB servers that the tests start themselves.
# Usage: scripts/test.sh [ctest arguments...]   (root, or a user with sudo, for the installs)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
build=${DBPERF_TEST_BUILD:-build-test}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DDBPERF_WERROR=ON -DDBPERF_SANITIZE=ON >/dev/null
cmake --build "$build" -j2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
ctest --output-on-failure -j2 --timeout 900 "$@"
