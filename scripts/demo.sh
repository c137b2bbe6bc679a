#!/usr/bin/env bash
# scripts/demo.sh -- install everything, build dbperf, and run its main job on the bundled demo:
#   1. `dbperf audit` on the bundled sample inputs (sql/demo/samples: a PostgreSQL server log, a
#      MariaDB slow log and an EXPLAIN plan, all produced by real servers running the demo shop);
#   2. unless --offline: throwaway PostgreSQL 15 and MariaDB 10.11 servers on loopback ports in a
#      temporary directory, loaded with the demo shop (sql/demo/*_schema.sql) and its workload,
#      audited live and through their logs; the servers are stopped afterwards.
# Usage: scripts/demo.sh [--offline]   (root, or a user with sudo, for the package installs)
set -euo pipefail
cd "$(dirname "$0")/.."
offline=0
[ "${1:-}" = "--offline" ] && offline=1
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target dbperf >/dev/null
echo "== dbperf audit sql/demo/samples/* =="
rc=0
./build/dbperf audit sql/demo/samples/* || rc=$?
[ "$offline" -eq 1 ] && exit "$rc"

tmp=$(mktemp -d /tmp/dbperf-demo.XXXXXX)
chmod 755 "$tmp" # the servers run as their own users
cleanup() {
  ./scripts/pg-server.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  ./scripts/mariadb-server.sh stop "$tmp/my" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
echo "== starting throwaway PostgreSQL and MariaDB servers in $tmp =="
if ! sql/demo/run-servers.sh "$tmp" >"$tmp/sources" 2>"$tmp/servers.log"; then
  cat "$tmp/servers.log" >&2
  echo "demo: the throwaway servers could not be started (see above)" >&2
  exit 1
fi
mapfile -t sources <"$tmp/sources"
echo "== dbperf audit ${sources[*]} =="
./build/dbperf audit "${sources[@]}" || rc=$?
exit "$rc"
