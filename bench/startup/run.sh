#!/usr/bin/env bash
# bench/startup/run.sh -- start-up time of dbperf: best-of-N wall time of `dbperf --version`
# (fork, exec, dynamic loading, library constructors, exit), as bash's $EPOCHREALTIME sees it.
# Usage: bench/startup/run.sh [DBPERF [N]]   (default build-rel/dbperf, N = 20)
set -euo pipefail
bin=${1:-build-rel/dbperf}
n=${2:-20}
"$bin" --version >/dev/null # warm the page cache
best=
for ((i = 0; i < n; i++)); do
  t0=$EPOCHREALTIME
  "$bin" --version >/dev/null
  t1=$EPOCHREALTIME
  us=$(((${t1/./} - ${t0/./})))
  if [ -z "$best" ] || [ "$us" -lt "$best" ]; then
    best=$us
  fi
done
printf '%s --version: best of %d: %d.%01d ms\n' "$bin" "$n" $((best / 1000)) $((best % 1000 / 100))
