#!/usr/bin/env bash
# tests/fuzz/run-all.sh -- run every libFuzzer target (tests/fuzz/fuzz_<name>.c) for a bounded
# time, seeded from ../shared/corpus (tests/fuzz/<name>.seeds) and the kept regression inputs
# (tests/fuzz/regress/<name>/).
#
#   tests/fuzz/run-all.sh BUILD_DIR [SECONDS_PER_TARGET] [CORPUS_DIR]
#
# BUILD_DIR is a build configured with CC=clang -DDBPERF_FUZZ=ON (it has fuzz-<name> binaries).
# Default 20 s per target. Every target found in tests/fuzz/ must have its binary. A crash,
# leak, sanitizer report or timeout fails the run; the input libFuzzer saved is copied to
# BUILD_DIR/fuzz-crashes/<name>/ and named in the output, ready to be fixed and kept as
# tests/fuzz/regress/<name>/<file>. Inputs libFuzzer finds are kept between runs in
# BUILD_DIR/fuzz-work/<name>/ (not in the source tree). Exit 0 only if every target ran clean.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:?usage: run-all.sh BUILD_DIR [SECONDS_PER_TARGET] [CORPUS_DIR]}
SECS=${2:-20}
CORPUS=${3:-$HERE/../../../shared/corpus}
BUILD=$(cd "$BUILD" && pwd)
fail=0 ran=0
for src in "$HERE"/fuzz_*.c; do
  name=$(basename "$src" .c)
  name=${name#fuzz_}
  bin=$BUILD/tests/fuzz-$name
  [ -x "$bin" ] || bin=$BUILD/fuzz-$name
  if [ ! -x "$bin" ]; then
    echo "run-all.sh: $bin missing (configure $BUILD with CC=clang -DDBPERF_FUZZ=ON)" >&2
    fail=1
    continue
  fi
  work=$BUILD/fuzz-work/$name
  seeds=$BUILD/fuzz-seeds/$name
  crashes=$BUILD/fuzz-crashes/$name
  rm -rf "$seeds" "$crashes" # crashes: only this run's
  mkdir -p "$work" "$seeds" "$crashes"
  if [ -f "$HERE/$name.seeds" ]; then
    while IFS= read -r s; do
      case "$s" in '' | '#'*) continue ;; esac
      [ -f "$CORPUS/$s" ] && cp "$CORPUS/$s" "$seeds/$(echo "$s" | tr / _)"
    done <"$HERE/$name.seeds"
  fi
  [ -d "$HERE/regress/$name" ] && cp "$HERE/regress/$name"/* "$seeds/" 2>/dev/null
  log=$BUILD/fuzz-$name.log
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "$work" "$seeds" >"$log" 2>&1
  rc=$?
  ran=$((ran + 1))
  runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
  if [ "$rc" -ne 0 ]; then
    fail=1
    echo "FAIL fuzz-$name (exit $rc): $(grep -m1 -E 'ERROR|SUMMARY|runtime error' "$log")"
    for f in "$crashes"/*; do [ -f "$f" ] && echo "  input: $f"; done
    echo "  log: $log"
  else
    echo "ok   fuzz-$name: ${runs:-?} runs in ${SECS}s, corpus $(ls "$work" | wc -l) inputs"
  fi
done
echo "run-all.sh: $ran targets, $([ $fail = 0 ] && echo all clean || echo FAILURES)"
exit $fail
