#!/bin/sh
# bench/fingerprint/run.sh -- statements/s of `dbperf fingerprint` against the
# real pt-fingerprint (Debian's percona-toolkit) on the same input, same run.
#
# usage: bench/fingerprint/run.sh [N]      (N statements, default 200000)
# Each command runs 3 times; the best wall time counts (output to a file).
# env:   DBPERF=path/to/dbperf  use this binary instead of building a Release one
#        CORPUS=path            the corpus (default: ../shared/corpus beside the checkout)
#
# The input is every distinct single-line statement of the corpus MySQL slow
# logs (percona-toolkit and go-mysql samples, lines under 4 KiB), repeated with
# fresh literals (each digit run replaced by a random number, seeded) until N
# lines; written to bench/out/fingerprint/statements.sql (git-ignored).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-200000}
corpus=${CORPUS:-$root/../shared/corpus}
out=$root/bench/out/fingerprint
mkdir -p "$out"

if [ -z "${DBPERF:-}" ]; then
    # fingerprinting needs no database driver: build without them
    cmake -S "$root" -B "$root/bench/out/build-release-fp" -DCMAKE_BUILD_TYPE=Release \
        -DDBPERF_WITH_PG=OFF -DDBPERF_WITH_MYSQL=OFF -DDBPERF_WITH_MONGO=OFF >/dev/null
    cmake --build "$root/bench/out/build-release-fp" -j2 --target dbperf >/dev/null
    DBPERF=$root/bench/out/build-release-fp/dbperf
fi
command -v pt-fingerprint >/dev/null || { echo "pt-fingerprint not found (apt install percona-toolkit)"; exit 1; }

in=$out/statements.sql
cat "$corpus"/percona-toolkit/slowlogs/*.txt "$corpus"/go-mysql/slow-logs/*.log |
    LC_ALL=C grep -a -E '^[A-Za-z0-9_].*;$' | LC_ALL=C grep -a -v '^SET timestamp=' |
    LC_ALL=C awk 'length($0) < 4096' | LC_ALL=C sort -u >"$out/seed.sql"
LC_ALL=C awk -v n="$n" 'BEGIN { srand(42) }
    { line[NR] = $0 }
    END {
        for (i = 0; i < n; i++) {
            s = line[i % NR + 1]; t = ""
            while (match(s, /[0-9]+/)) {
                t = t substr(s, 1, RSTART - 1) int(rand() * 100000)
                s = substr(s, RSTART + RLENGTH)
            }
            print t s
        }
    }' "$out/seed.sql" >"$in"
lines=$(wc -l <"$in")
bytes=$(wc -c <"$in")

now() { date +%s.%N; }
run() { # label command...: best wall time of 3 runs, in seconds
    label=$1; shift
    best=
    for rep in 1 2 3; do
        t0=$(now); "$@" >"$out/$label.out"; t1=$(now)
        d=$(echo "$t1 - $t0" | bc -l)
        if [ -z "$best" ] || [ "$(echo "$d < $best" | bc -l)" = 1 ]; then best=$d; fi
    done
    echo "$best"
}

echo "input: $lines statements, $bytes bytes ($(wc -l <"$out/seed.sql") distinct seeds), $in"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
d_pt=$(run dbperf-pt "$DBPERF" fingerprint --style pt "$in")
d_pgss=$(run dbperf-pgss "$DBPERF" fingerprint --style pgss "$in")
d_peer=$(run pt-fingerprint pt-fingerprint "$in")

same=$(paste -d '\t' "$out/dbperf-pt.out" "$out/pt-fingerprint.out" | LC_ALL=C awk -F '\t' '$1 == $2' | wc -l)
rate() { echo "$lines / $1" | bc -l | xargs printf '%.0f'; }
mbs() { echo "$bytes / $1 / 1000000" | bc -l | xargs printf '%.1f'; }
printf '%-34s %8.3f s %12s stmt/s %8s MB/s\n' "dbperf fingerprint --style pt" "$d_pt" "$(rate "$d_pt")" "$(mbs "$d_pt")"
printf '%-34s %8.3f s %12s stmt/s %8s MB/s\n' "dbperf fingerprint --style pgss" "$d_pgss" "$(rate "$d_pgss")" "$(mbs "$d_pgss")"
printf '%-34s %8.3f s %12s stmt/s %8s MB/s\n' "pt-fingerprint $(pt-fingerprint --version | sed 's/.* //')" "$d_peer" "$(rate "$d_peer")" "$(mbs "$d_peer")"
printf 'ratio (dbperf pt / pt-fingerprint): %.1fx\n' "$(echo "$d_peer / $d_pt" | bc -l)"
printf 'identical fingerprints: %d/%d\n' "$same" "$lines"
