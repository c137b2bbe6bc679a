#!/usr/bin/env bash
# bench/tui/run.sh -- time per keystroke of `dbperf tui` on a generated snapshot.
#
#   bench/tui/run.sh [DBPERF] [CLASSES...]      default: build-tui-rel/dbperf, 10000 100000 1000000
#
# Uses the hidden `dbperf tui --bench-keys SCRIPT --bench-classes N`: it generates N
# statement classes (1-5 calls each, latency sketches filled as from a log), replays the
# key script against an 80x24 screen written to /dev/null (key handling + full redraw +
# doupdate per key, as in the real loop) and prints the time of every key. This script
# groups them: the first sort by each key (builds that key's index array once), sorts
# after that (cached arrays), navigation, typing a filter (narrowing in place), erasing
# it (re-filter from the sorted array) and Esc (filter cleared). Best of 3 runs per group.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$here/build-tui-rel/dbperf}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(10000 100000 1000000)
KEYS="s s s s s s s s s s Down*50 PgDn*20 End Home / o r d e r s BS BS BS BS BS BS Esc 2 1"
export TERM=${TERM:-xterm-256color}
[ "$TERM" = dumb ] && export TERM=xterm-256color

printf '%-9s %-36s %6s %10s %10s\n' classes group keys "mean ms" "max ms"
for n in "${SIZES[@]}"; do
  for run in 1 2 3; do
    "$BIN" tui --bench-classes "$n" --bench-keys "$KEYS" > "/tmp/dbperf-tui-bench.$$.$run"
  done
  for run in 1 2 3; do
    awk -v n="$n" -v run="$run" '
      /^classes/ { first = $0; sub(/.*first screen \(sort by total\) /, "", first); sub(/ ms$/, "", first)
                   g["open: first screen (sort by total)"] = first; c["open: first screen (sort by total)"] = 1;
                   m["open: first screen (sort by total)"] = first; next }
      /^key / {
        k = $3; ms = $4
        if (k == "s") { grp = (++ns <= 4) ? "first sort by calls/mean/p95/rows" : "sort again (cached arrays)" }
        else if (k == "Down" || k == "PgDn" || k == "End" || k == "Home") grp = "navigation"
        else if (k == "/") grp = "open filter"
        else if (k == "BS") grp = "erase filter char"
        else if (k == "Esc") grp = "Esc (clear filter)"
        else if (k == "1" || k == "2") grp = "switch view"
        else grp = "type filter char"
        g[grp] += ms; c[grp]++; if (ms > m[grp]) m[grp] = ms
      }
      END { for (x in g) printf "%s\t%s\t%d\t%.3f\t%.3f\t%d\n", n, x, c[x], g[x] / c[x], m[x], run }
    ' "/tmp/dbperf-tui-bench.$$.$run"
  done | sort -t$'\t' -k2,2 -k4,4n | awk -F'\t' '!seen[$2]++ { printf "%-9s %-36s %6d %10.3f %10.3f\n", $1, $2, $3, $4, $5 }'
  rm -f /tmp/dbperf-tui-bench.$$.*
done
