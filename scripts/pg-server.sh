#!/usr/bin/env bash
# pg-server.sh -- a throwaway PostgreSQL 15 cluster for tests, the demo and benchmarks.
#
#   pg-server.sh start DIR PORT   initdb (first time) and start on 127.0.0.1:PORT and DIR/sock,
#                                 with pg_stat_statements, auto_explain (JSON plans),
#                                 pg_qualstats and hypopg; every statement logged to
#                                 DIR/log/postgresql.{log,csv,json} (stderr, csvlog, jsonlog)
#   pg-server.sh stop DIR         stop it (the directory is kept)
#   pg-server.sh env DIR PORT     print export lines (PGHOST, PGPORT, PGUSER) for a shell
#
# Durability is off: never point it at data you want to keep. Runs the server as the
# `postgres` OS user when started as root (PostgreSQL refuses to run as root).
# Env: PGBIN (default /usr/lib/postgresql/15/bin), AUTO_EXPLAIN_MS (default 0 = every plan),
#      PG_LOG_DESTINATION (default stderr,csvlog,jsonlog), PG_EXTRA_CONF (appended lines).
set -euo pipefail
cmd=${1:?usage: pg-server.sh start|stop|env DIR [PORT]}
DIR=${2:?usage: pg-server.sh start|stop|env DIR [PORT]}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
RUNAS=(runuser -u postgres --)
[ "$(id -u)" -ne 0 ] && RUNAS=()
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

case "$cmd" in
stop)
  if [ -f "$DIR/data/postmaster.pid" ]; then
    "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  exit 0 ;;
env)
  PORT=${3:?usage: pg-server.sh env DIR PORT}
  echo "export PGHOST=$DIR/sock PGPORT=$PORT PGUSER=postgres"
  exit 0 ;;
start) ;;
*) echo "usage: pg-server.sh start|stop|env DIR [PORT]" >&2; exit 2 ;;
esac

PORT=${3:?usage: pg-server.sh start DIR PORT}
LOGDEST=${PG_LOG_DESTINATION:-stderr,csvlog,jsonlog}
AE_MS=${AUTO_EXPLAIN_MS:-0}
# the unix socket path must stay under 108 bytes
if [ ${#DIR} -gt 80 ]; then echo "pg-server.sh: $DIR is too long for a unix socket" >&2; exit 2; fi
mkdir -p "$DIR/sock" "$DIR/log"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR" "$DIR/sock" "$DIR/log"
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$DIR"; then
  echo "pg-server.sh: the postgres user cannot reach $DIR (a parent directory is not" \
       "searchable, e.g. made by mktemp -d: chmod 755 it)" >&2
  exit 2
fi
if [ ! -s "$DIR/data/PG_VERSION" ]; then
  "${RUNAS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
fi
# postgresql.auto.conf wins over postgresql.conf: rewrite it on every start
cat >"$DIR/data/postgresql.auto.conf" <<CONF
# written by dbperf scripts/pg-server.sh -- throwaway cluster, durability off
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR/sock'
max_connections = 100
shared_buffers = '128MB'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_preload_libraries = 'pg_stat_statements,auto_explain,pg_qualstats'
compute_query_id = on
pg_stat_statements.max = 10000
pg_stat_statements.track = all
auto_explain.log_min_duration = '${AE_MS}ms'
auto_explain.log_format = json
auto_explain.log_nested_statements = on
pg_qualstats.sample_rate = 1
logging_collector = on
log_destination = '$LOGDEST'
log_directory = '$DIR/log'
log_filename = 'postgresql.log'
log_rotation_age = 0
log_rotation_size = 0
log_truncate_on_rotation = off
log_file_mode = 0644
log_min_duration_statement = 0
log_line_prefix = '%m [%p] %c %l user=%u,db=%d,app=%a,client=%h '
log_connections = on
log_disconnections = on
log_lock_waits = on
log_temp_files = 0
log_checkpoints = on
log_autovacuum_min_duration = 0
lc_messages = 'C'
${PG_EXTRA_CONF:-}
CONF
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR/data/postgresql.auto.conf"
if "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -w -l "$DIR/server.log" restart >/dev/null
else
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -w -t 60 -l "$DIR/server.log" start >/dev/null
fi
export PGOPTIONS="-c client_min_messages=warning"
PSQL=("$PGBIN/psql" -X -q -h "$DIR/sock" -p "$PORT" -U postgres -v ON_ERROR_STOP=1)
for db in bench; do
  "${PSQL[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
    || "${PSQL[@]}" -d postgres -c "CREATE DATABASE $db"
  "${PSQL[@]}" -d "$db" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
    CREATE EXTENSION IF NOT EXISTS hypopg; CREATE EXTENSION IF NOT EXISTS pg_qualstats;"
done
echo "PostgreSQL up: psql -h $DIR/sock -p $PORT -U postgres bench   logs: $DIR/log/"
