#!/usr/bin/env bash
# my_live_server.sh -- the throwaway MariaDB 10.11 of the my_live_* integration tests
# (a CTest fixture: tests/mylive.cmake).
#
#   my_live_server.sh start STATE   start a server (scripts/mariadb-server.sh) in a fresh short
#                                   mktemp directory on a free port in 55800-55899 with the
#                                   statement history consumers on (EXPLAIN needs example
#                                   statements), load sql/test/my_problems.sql (schema and
#                                   workload), add the user limited/limited (SELECT on bench
#                                   only), write DIR, PORT and SOCKET lines to STATE
#   my_live_server.sh stop STATE    stop that server and remove its directory
#
# A server that cannot be started is a failure (exit 1), never a skip.
set -euo pipefail
cmd=${1:?usage: my_live_server.sh start|stop STATE}
STATE=${2:?usage: my_live_server.sh start|stop STATE}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

stop_dir() {
  "$ROOT/scripts/mariadb-server.sh" stop "$1" >/dev/null 2>&1 || true
  case "$1" in /tmp/dbpmy.*) rm -rf "$1" ;; esac
}

case "$cmd" in
stop)
  [ -f "$STATE" ] || exit 0
  DIR=$(sed -n 's/^DIR=//p' "$STATE")
  [ -n "$DIR" ] && stop_dir "$DIR"
  rm -f "$STATE"
  exit 0 ;;
start) ;;
*) echo "usage: my_live_server.sh start|stop STATE" >&2; exit 2 ;;
esac

mkdir -p "$(dirname "$STATE")"
[ -f "$STATE" ] && "$0" stop "$STATE"   # a leftover server of an interrupted run
DIR=$(mktemp -d /tmp/dbpmy.XXXXXX)
trap 'stop_dir "$DIR"' ERR INT TERM
# events_statements_history_long only fills when events_statements_current is on too
export MARIADB_EXTRA_CONF="performance-schema-consumer-events-statements-current = ON"
started=
for i in 0 1 2 3 4 5 6 7 8 9; do
  PORT=$(( 55800 + ($$ + i * 23) % 100 ))
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then continue; fi  # taken
  if "$ROOT/scripts/mariadb-server.sh" start "$DIR" "$PORT" >"$DIR/start.log" 2>&1; then
    started=1; break
  fi
  "$ROOT/scripts/mariadb-server.sh" stop "$DIR" >/dev/null 2>&1 || true
done
if [ -z "$started" ]; then
  echo "my_live_server.sh: could not start MariaDB on any port in 55800-55899" >&2
  cat "$DIR/start.log" "$DIR/error.log" >&2 2>/dev/null || true
  stop_dir "$DIR"; exit 1
fi
mariadb --defaults-file="$DIR/my.cnf" -ubench -pbench bench <"$ROOT/sql/test/my_problems.sql" \
    >/dev/null
# a user that may read bench and nothing else: no performance_schema, no mysql schema
mariadb --defaults-file="$DIR/my.cnf" -uroot <<'SQL'
CREATE USER IF NOT EXISTS 'limited'@'127.0.0.1' IDENTIFIED BY 'limited';
GRANT SELECT ON bench.* TO 'limited'@'127.0.0.1';
SQL
printf 'DIR=%s\nPORT=%s\nSOCKET=%s\n' "$DIR" "$PORT" "$DIR/mysql.sock" >"$STATE"
trap - ERR INT TERM
echo "MariaDB for my_live tests: $DIR port $PORT"
