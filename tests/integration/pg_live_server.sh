#!/usr/bin/env bash
# pg_live_server.sh -- the throwaway PostgreSQL 15 server of the pg_live_* integration tests
# (a CTest fixture: tests/pglive.cmake).
#
#   pg_live_server.sh start STATE   start a server (scripts/pg-server.sh) in a fresh mktemp
#                                   directory on a free port in 55700-55799, load
#                                   sql/test/pg_problems.sql (schema and workload), start a
#                                   streaming replica of it (pg_basebackup -R), write DIR,
#                                   PORT, DSN, REPLICA_PORT and REPLICA_DSN lines to STATE
#   pg_live_server.sh stop STATE    stop that server and remove its directory
#
# With DBPERF_TEST_PG_DSN set, no server is started: the problems are loaded into that one
# (and DBPERF_TEST_PG_REPLICA_DSN names a replica of it for the replica test).
# A server that cannot be started is a failure (exit 1), never a skip.
set -euo pipefail
cmd=${1:?usage: pg_live_server.sh start|stop STATE}
STATE=${2:?usage: pg_live_server.sh start|stop STATE}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
export PGOPTIONS="-c client_min_messages=warning"

case "$cmd" in
stop)
  [ -f "$STATE" ] || exit 0
  DIR=$(sed -n 's/^DIR=//p' "$STATE")
  if [ -n "$DIR" ]; then
    if [ -f "$DIR/replica/data/postmaster.pid" ]; then
      RUNAS=(runuser -u postgres --)
      [ "$(id -u)" -ne 0 ] && RUNAS=()
      "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/replica/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    "$ROOT/scripts/pg-server.sh" stop "$DIR" || true
    case "$DIR" in /tmp/dbppg.*) rm -rf "$DIR" ;; esac
  fi
  rm -f "$STATE"
  exit 0 ;;
start) ;;
*) echo "usage: pg_live_server.sh start|stop STATE" >&2; exit 2 ;;
esac

mkdir -p "$(dirname "$STATE")"
if [ -n "${DBPERF_TEST_PG_DSN:-}" ]; then
  "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DBPERF_TEST_PG_DSN" \
      -f "$ROOT/sql/test/pg_problems.sql" >/dev/null
  printf 'DIR=\nPORT=\nDSN=%s\nREPLICA_DSN=%s\n' "$DBPERF_TEST_PG_DSN" \
      "${DBPERF_TEST_PG_REPLICA_DSN:-}" >"$STATE"
  exit 0
fi

# a leftover server of an interrupted run
[ -f "$STATE" ] && "$0" stop "$STATE"
DIR=$(mktemp -d /tmp/dbppg.XXXXXX)
cleanup() {
  [ -f "$DIR/replica/data/postmaster.pid" ] && { runuser -u postgres -- "$PGBIN/pg_ctl" \
      -D "$DIR/replica/data" -m fast -w stop >/dev/null 2>&1 || "$PGBIN/pg_ctl" \
      -D "$DIR/replica/data" -m fast -w stop >/dev/null 2>&1 || true; }
  "$ROOT/scripts/pg-server.sh" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"
}
trap cleanup ERR INT TERM
started=
base=$(( 55700 + $$ % 100 ))
for i in 0 1 2 3 4 5 6 7 8 9; do
  PORT=$(( 55700 + (base - 55700 + i * 17) % 100 ))
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then continue; fi  # taken
  if "$ROOT/scripts/pg-server.sh" start "$DIR" "$PORT" >"$DIR.start.log" 2>&1; then
    started=1; break
  fi
done
rm -f "$DIR.start.log"
if [ -z "$started" ]; then
  echo "pg_live_server.sh: could not start PostgreSQL on any port in 55700-55799" >&2
  cat "$DIR/server.log" >&2 2>/dev/null || true
  cleanup; exit 1
fi
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d bench \
    -f "$ROOT/sql/test/pg_problems.sql" >/dev/null
# a streaming replica of it (same cluster identity, its own counters)
RUNAS=(runuser -u postgres --)
[ "$(id -u)" -ne 0 ] && RUNAS=()
RPORT=
for i in 1 2 3 4 5 6 7 8 9; do
  p=$(( 55700 + (PORT - 55700 + i * 31) % 100 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then RPORT=$p; break; fi
done
[ -n "$RPORT" ] || { echo "pg_live_server.sh: no free port for the replica" >&2; cleanup; exit 1; }
mkdir -p "$DIR/replica/sock" "$DIR/replica/log"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$DIR/replica"
"${RUNAS[@]}" "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U postgres -D "$DIR/replica/data" \
    -R -X stream -c fast >/dev/null
cat >>"$DIR/replica/data/postgresql.auto.conf" <<CONF
port = $RPORT
unix_socket_directories = '$DIR/replica/sock'
log_directory = '$DIR/replica/log'
CONF
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/replica/data" -w -t 60 -l "$DIR/replica/server.log" \
    start >/dev/null
printf 'DIR=%s\nPORT=%s\nDSN=host=127.0.0.1 port=%s user=postgres dbname=bench\n' \
    "$DIR" "$PORT" "$PORT" >"$STATE"
printf 'REPLICA_PORT=%s\nREPLICA_DSN=host=127.0.0.1 port=%s user=postgres dbname=bench\n' \
    "$RPORT" "$RPORT" >>"$STATE"
trap - ERR INT TERM
echo "PostgreSQL for pg_live tests: $DIR port $PORT"
