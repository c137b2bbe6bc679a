#!/bin/sh
# bench/mongodb/run.sh -- dbperf on a mongod JSON log of >= 200 MB: throughput
# (MB/s) and peak RSS (/usr/bin/time -v), against `wc -l` on the same file.
#
# usage: bench/mongodb/run.sh [MB]        (log size, default 210)
# env:   DBPERF=path/to/dbperf  use this binary instead of building a Release one
#        CORPUS=path            the corpus (default: ../shared/corpus beside the checkout)
#
# The log (bench/out/mongodb/mongod-bench.log, git-ignored) is built by
# gen_log.py from the real slow-query lines of the corpus (hatchet's mongod
# 6.0.11 log and the 6.0.14 replica-set sample) with fresh timestamps,
# connections, durations, counters and filter values (seeded). Each command
# runs 3 times; the best wall time counts.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mb=${1:-210}
corpus=${CORPUS:-$root/../shared/corpus}
out=$root/bench/out/mongodb
mkdir -p "$out"
if [ -z "${DBPERF:-}" ]; then
    cmake -S "$root" -B "$root/bench/out/build-release-mongo" -DCMAKE_BUILD_TYPE=Release \
        -DDBPERF_WITH_PG=OFF -DDBPERF_WITH_MYSQL=OFF -DDBPERF_WITH_MONGO=ON >/dev/null
    cmake --build "$root/bench/out/build-release-mongo" -j2 --target dbperf >/dev/null
    DBPERF=$root/bench/out/build-release-mongo/dbperf
fi
log=$out/mongod-bench.log
python3 "$here/gen_log.py" "$corpus" "$mb" >"$log"
bytes=$(stat -c %s "$log")
lines=$(wc -l <"$log")
echo "input: $log: $bytes bytes, $lines lines"

best() { # best wall time (s) and its peak RSS (KB) of 3 runs of "$@"
    b=""; rss=""
    for i in 1 2 3; do
        /usr/bin/time -v "$@" >/dev/null 2>"$out/time.txt"
        t=$(awk -F': ' '/Elapsed/ { n = split($2, p, ":"); s = 0;
                for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$out/time.txt")
        r=$(awk -F': ' '/Maximum resident/ { print $2 }' "$out/time.txt")
        if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$t; rss=$r; fi
    done
    echo "$b $rss"
}
set -- $(best "$DBPERF" audit "$log" --format json -o "$out/report.json")
d_s=$1; d_rss=$2
set -- $(best wc -l "$log")
w_s=$1; w_rss=$2
entries=$("$DBPERF" audit "$log" --format json | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["sources"][0]["entries"])')
awk -v by="$bytes" -v ds="$d_s" -v dr="$d_rss" -v ws="$w_s" -v wr="$w_rss" -v e="$entries" 'BEGIN {
    mb = by / 1048576
    printf "| tool | best time | MB/s | peak RSS |\n|---|---|---|---|\n"
    printf "| `dbperf audit --format json` (%d slow queries) | %.2f s | %.0f | %.1f MB |\n", e, ds, mb / ds, dr / 1024
    printf "| `wc -l` | %.2f s | %.0f | %.1f MB |\n", ws, mb / ws, wr / 1024
    printf "dbperf / wc -l time ratio: %.1f\n", ds / ws
}'
