#!/usr/bin/env bash
# scripts/test.sh -- install everything and run the whole test suite: a warning-free build
# (-Werror) under AddressSanitizer and UBSan, then every ctest test -- unit tests, conformance
# tests on the peer corpus (../shared/corpus, or -DDBPERF_CORPUS), CLI tests, and integration
# tests against throwaway PostgreSQL and MariaDB servers that the tests start themselves.
# Two more build directories are prepared first and run as ctest tests (tests/robustness.cmake):
# a clang libFuzzer build (every fuzz target for DBPERF_FUZZ_SECONDS, default 10 s each) and a
# build without sanitizers whose tests run dbperf and the C test programs under valgrind
# memcheck (DBPERF_TEST_WRAPPER; logs in its valgrind-logs/, read by tests/valgrind/suite.sh).
# Usage: scripts/test.sh [ctest arguments...]   (root, or a user with sudo, for the installs)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
# clang's sanitizer and libFuzzer runtimes: clang only recommends them, and install-deps.sh
# installs without recommends
if ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q 'install ok installed'
then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends libclang-rt-14-dev ||
    { apt-get update -q && apt-get install -y -q --no-install-recommends libclang-rt-14-dev; }
fi
# The tests' servers listen on fixed loopback ports in 55400-55999, inside Linux's ephemeral
# range (32768-60999): an outgoing connection that the kernel gave one of those as its local port
# made a server's bind fail now and then (EADDRINUSE: seen once in CI for the MariaDB of
# check-indexes/live and the MongoDB double). Reserve the range from automatic assignment where
# we may (root, a writable /proc/sys); explicit binds are not affected.
reserved=/proc/sys/net/ipv4/ip_local_reserved_ports
if [ -w "$reserved" ]; then
  cur=$(cat "$reserved" 2>/dev/null || true)
  case ",$cur," in
  *,55400-55999,*) ;;
  *) echo "${cur:+$cur,}55400-55999" >"$reserved" 2>/dev/null || true ;;
  esac
fi
build=${DBPERF_TEST_BUILD:-build-test}
fuzz_build=${DBPERF_FUZZ_BUILD:-build-test-fuzz}
vg_build=${DBPERF_VALGRIND_BUILD:-build-test-valgrind}
# libFuzzer targets (clang), only the fuzz-* binaries
CC=clang cmake -S . -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDBPERF_FUZZ=ON >/dev/null
fuzz_targets=()
for f in tests/fuzz/fuzz_*.c; do
  n=$(basename "$f" .c)
  fuzz_targets+=(--target "fuzz-${n#fuzz_}")
done
cmake --build "$fuzz_build" -j2 "${fuzz_targets[@]}"
# no sanitizers, every test under valgrind memcheck: errors and definite or indirect leaks are
# written to one log per process (--quiet: nothing else), tests/valgrind/suite.sh reads them
vg_wrapper=(valgrind --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite,indirect
            --show-leak-kinds=definite,indirect --track-origins=no --quiet
            "--suppressions=$PWD/tests/valgrind/dbperf.supp"
            "--log-file=$PWD/$vg_build/valgrind-logs/%p.log")
cmake -S . -B "$vg_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDBPERF_TEST_WRAPPER="$(IFS=';'; echo "${vg_wrapper[*]}")" >/dev/null
mkdir -p "$vg_build/valgrind-logs"
cmake --build "$vg_build" -j2
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DDBPERF_WERROR=ON -DDBPERF_SANITIZE=ON \
  -DDBPERF_FUZZ_BUILD_DIR="$PWD/$fuzz_build" -DDBPERF_FUZZ_SECONDS="${DBPERF_FUZZ_SECONDS:-10}" \
  -DDBPERF_VALGRIND_BUILD_DIR="$PWD/$vg_build" >/dev/null
cmake --build "$build" -j2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$build"
ctest --output-on-failure -j2 --timeout 900 "$@"
