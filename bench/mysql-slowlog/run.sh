#!/usr/bin/env bash
# bench/mysql-slowlog/run.sh -- dbperf vs pt-query-digest on one MariaDB slow log.
#
#   bench/mysql-slowlog/run.sh [SIZE_MB] [PORT]     (defaults 300 and 55610)
#
# 1. starts a throwaway MariaDB 10.11 (scripts/mariadb-server.sh: slow log at
#    long_query_time=0, log_slow_verbosity=query_plan,explain) in a temporary
#    directory, loads schema.sql and runs workload.py from 4 client sessions;
# 2. grows that real slow log to SIZE_MB with replicate.py (the same entries,
#    new literals, new thread ids, later times);
# 3. times, on the same file in the same run, one after the other:
#      dbperf audit --format json FILE -o /dev/null
#      pt-query-digest --output json FILE > /dev/null
#    with /usr/bin/time -v (wall time, CPU time = user + sys, peak RSS; dbperf
#    best of 3) and prints MB/s and the ratios as a Markdown table for
#    bench/RESULTS.md.
# KEEP=1 keeps the temporary directory (the logs) for inspection.
# Needs: a built dbperf (DBPERF=path, default build-bench/dbperf, built here in
# Release mode if missing), MariaDB server binaries, python3, pt-query-digest.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SIZE_MB=${1:-300}
PORT=${2:-55610}
DBPERF=${DBPERF:-$ROOT/build-bench/dbperf}
if [ ! -x "$DBPERF" ]; then
  cmake -S "$ROOT" -B "$ROOT/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$ROOT/build-bench" --target dbperf -j2 >/dev/null
fi
WORK=$(mktemp -d /tmp/dbperf-slowbench.XXXXXX)
chmod 755 "$WORK" # the server runs as mysql when we are root
cleanup() {
  "$ROOT/scripts/mariadb-server.sh" stop "$WORK/db" >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
[ -z "${KEEP:-}" ] || echo "keeping $WORK" >&2

"$ROOT/scripts/mariadb-server.sh" start "$WORK/db" "$PORT" >/dev/null
SQL=(mariadb --defaults-file="$WORK/db/my.cnf" -ubench -pbench bench)
"${SQL[@]}" <"$HERE/schema.sql"
for s in 1 2 3 4; do
  python3 "$HERE/workload.py" "$s" 2500 >"$WORK/w$s.sql"
  "${SQL[@]}" <"$WORK/w$s.sql" >/dev/null &
done
wait
"$ROOT/scripts/mariadb-server.sh" stop "$WORK/db"
REAL="$WORK/db/slow.log"
FILE="$WORK/bench.log"
python3 "$HERE/replicate.py" "$REAL" "$SIZE_MB" "$FILE"
BYTES=$(stat -c %s "$FILE")
MB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1048576 }')

measure() { # label, command...: prints "wall_s cpu_s rss_kb"
  local label=$1; shift
  /usr/bin/time -v "$@" >/dev/null 2>"$WORK/$label.time" || true
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0;
                for (i = 1; i <= n; i++) w = w * 60 + p[i] }
              /User time/ { c += $2 } /System time/ { c += $2 }
              /Maximum resident set size/ { r = $2 }
              END { print w, c, r }' "$WORK/$label.time"
}
cat "$FILE" >/dev/null # warm the page cache for both tools alike
# dbperf: best of 3 (the machine may be shared); pt-query-digest once (it takes minutes)
D_WALL=999999 D_CPU=999999 D_RSS=0
for _ in 1 2 3; do
  read -r w c r < <(measure dbperf "$DBPERF" audit --format json "$FILE" -o /dev/null)
  D_WALL=$(awk -v a="$D_WALL" -v b="$w" 'BEGIN { print (b < a ? b : a) }')
  D_CPU=$(awk -v a="$D_CPU" -v b="$c" 'BEGIN { print (b < a ? b : a) }')
  D_RSS=$(awk -v a="$D_RSS" -v b="$r" 'BEGIN { print (b > a ? b : a) }')
done
read -r P_WALL P_CPU P_RSS < <(measure pt pt-query-digest --no-version-check --output json "$FILE")
REAL_MB=$(awk -v b="$(stat -c %s "$REAL")" 'BEGIN { printf "%.1f", b / 1048576 }')
ENTRIES=$(grep -c '^# Query_time:' "$FILE" || true)
echo "| date | input | dbperf wall | dbperf CPU | dbperf RSS | pt-query-digest wall | pt CPU | pt RSS | speed-up (wall / CPU) |"
echo "|---|---|---|---|---|---|---|---|---|"
awk -v mb="$MB" -v dw="$D_WALL" -v dc="$D_CPU" -v dr="$D_RSS" -v pw="$P_WALL" -v pc="$P_CPU" \
    -v pr="$P_RSS" -v real="$REAL_MB" -v n="$ENTRIES" -v date="$(date -u +%Y-%m-%d)" 'BEGIN {
  printf "| %s | %s MB, %d entries (grown from a %s MB MariaDB 10.11 slow log) | %.2f s (%.0f MB/s) | %.2f s (%.0f MB/s) | %.0f MB | %.1f s (%.1f MB/s) | %.1f s (%.1f MB/s) | %.0f MB | %.0fx / %.0fx |\n",
    date, mb, n, real, dw, mb / dw, dc, mb / dc, dr / 1024, pw, mb / pw, pc, mb / pc, pr / 1024,
    pw / dw, pc / dc }'
