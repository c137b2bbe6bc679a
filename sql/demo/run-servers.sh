#!/usr/bin/env bash
# sql/demo/run-servers.sh DIR -- start throwaway PostgreSQL 15 and MariaDB 10.11 servers under
# DIR, load the demo shop and run its workload on both, so that dbperf has real servers and
# real logs to audit. Prints the sources to audit, one per line, on stdout:
#   the PostgreSQL server (postgresql://...), its stderr/csv/json logs, the MariaDB server
#   (mysql://...) and its slow log.
# Stop them with: scripts/pg-server.sh stop DIR/pg; scripts/mariadb-server.sh stop DIR/my
# Env: DEMO_PG_PORT (default 55432), DEMO_MY_PORT (default 53306); the next free port is taken
# when one is in use.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
DIR=${1:?usage: run-servers.sh DIR}
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
# the first free port from the default on (another demo may be running)
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
PGP=$(free_port "${DEMO_PG_PORT:-55432}")
MYP=$(free_port "${DEMO_MY_PORT:-53306}")
PSQL=(/usr/lib/postgresql/15/bin/psql -X -q -h "$DIR/pg/sock" -p "$PGP" -U postgres -v ON_ERROR_STOP=1)
export PGOPTIONS="-c client_min_messages=warning"

"$top/scripts/pg-server.sh" start "$DIR/pg" "$PGP" >&2
"${PSQL[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='shop'" | grep -q 1 \
  || "${PSQL[@]}" -d postgres -c "CREATE DATABASE shop" >&2
"${PSQL[@]}" -d shop -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; CREATE EXTENSION IF NOT EXISTS hypopg;" >&2
# loading is not part of the workload: no statement logging, no auto_explain (the foreign-key
# checks of the bulk inserts alone would log hundreds of MB)
PGOPTIONS="$PGOPTIONS -c log_min_duration_statement=-1 -c auto_explain.log_min_duration=-1" \
  "${PSQL[@]}" -d shop -f "$here/pg_schema.sql" >&2
"${PSQL[@]}" -d shop -c "SELECT pg_stat_statements_reset(); SELECT pg_stat_reset();" >/dev/null
"$here/workload.sh" pg | "${PSQL[@]}" -d shop -o /dev/null

"$top/scripts/mariadb-server.sh" start "$DIR/my" "$MYP" >&2
MY=(mariadb --defaults-file="$DIR/my/my.cnf" -uroot)
"${MY[@]}" -e "CREATE DATABASE IF NOT EXISTS shop"
"${MY[@]}" shop --init-command="SET SESSION long_query_time=1000" <"$here/my_schema.sql" >&2
"${MY[@]}" -e "TRUNCATE performance_schema.events_statements_summary_by_digest; FLUSH INDEX_STATISTICS; FLUSH TABLE_STATISTICS"
"$here/workload.sh" mysql | "${MY[@]}" shop >/dev/null

echo "postgresql://postgres@127.0.0.1:$PGP/shop"
echo "$DIR/pg/log/postgresql.log"
echo "mysql://bench:bench@127.0.0.1:$MYP/shop"
echo "$DIR/my/slow.log"
