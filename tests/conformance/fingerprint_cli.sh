#!/bin/sh
# fingerprint_cli.sh -- `dbperf fingerprint --style pt` against the real
# pt-fingerprint, both run here on the same input: every single-line,
# ';'-terminated statement of the corpus slow logs (percona-toolkit and
# go-mysql samples). Prints the agreement, lists each difference, and fails
# below 98% agreement, on a different line count, or on a non-zero exit.
#
# usage: fingerprint_cli.sh DBPERF CORPUS WORKDIR
set -u
dbperf=$1 corpus=$2 work=$3
command -v pt-fingerprint >/dev/null 2>&1 || { echo "pt-fingerprint not installed"; exit 1; }
mkdir -p "$work" || exit 1
in=$work/statements.sql
cat "$corpus"/percona-toolkit/slowlogs/*.txt "$corpus"/go-mysql/slow-logs/*.log |
    LC_ALL=C grep -a -E '^[A-Za-z0-9_].*;$' | LC_ALL=C grep -a -v '^SET timestamp=' |
    LC_ALL=C sort -u >"$in" || exit 1
n=$(wc -l <"$in")
[ "$n" -ge 500 ] || { echo "too few statements extracted ($n)"; exit 1; }

pt-fingerprint "$in" >"$work/pt.out" || { echo "pt-fingerprint failed"; exit 1; }
"$dbperf" fingerprint --style pt "$in" >"$work/dbperf.out" || { echo "dbperf fingerprint failed ($?)"; exit 1; }
# the CLI also reads stdin and must give the same
"$dbperf" fingerprint --style pt <"$in" | cmp -s - "$work/dbperf.out" ||
    { echo "stdin and file output differ"; exit 1; }

a=$(wc -l <"$work/pt.out") b=$(wc -l <"$work/dbperf.out")
[ "$a" -eq "$n" ] && [ "$b" -eq "$n" ] || { echo "line counts differ: input $n, pt-fingerprint $a, dbperf $b"; exit 1; }

paste "$work/pt.out" "$work/dbperf.out" "$in" | LC_ALL=C awk -F '\t' -v n="$n" '
    function cut(s) { return length(s) > 200 ? substr(s, 1, 200) "..." : s }
    $1 == $2 { same++; next }
    { printf "DIFF line %d\n  input        : %s\n  pt-fingerprint: %s\n  dbperf       : %s\n", NR, cut($3), cut($1), cut($2) }
    END {
        pct = 100.0 * same / n
        printf "pt-fingerprint vs dbperf fingerprint --style pt: %d/%d identical (%.1f%%)\n", same, n, pct
        exit (pct >= 98.0 ? 0 : 1)
    }'
