#!/usr/bin/env bash
# pg_log_pgss.sh -- the PostgreSQL log parsers against the server's own numbers.
#
# Starts a throwaway PostgreSQL 15 (scripts/pg-server.sh: pg_stat_statements with
# track=all, auto_explain JSON plans of every statement, log_min_duration_statement=0,
# stderr + csvlog + jsonlog at once), resets pg_stat_statements, runs a varied workload
# (psql scripts with multi-line and utility statements, an error, COPY; pgbench in the
# simple, extended and prepared protocols), reads pg_stat_statements, stops the server,
# and then requires, for each of the three logs, that the calls of every statement class
# equal pg_stat_statements' calls, read by `dbperf audit --format json`
# (pg_log_audit_pgss.py) and by the parsers directly (pg_log_conform --pgss). The three logs are also run
# through pgbadger -x json, whose per-class durations must agree within 0.1%.
# A server that cannot be started fails the test (it is never skipped).
#   pg_log_pgss.sh PG_LOG_CONFORM PG_SERVER_SH DBPERF [MODE]
# MODE min_duration (default): log_min_duration_statement = 0, one "duration: ... statement:"
#   line per execution, auto_explain plans in JSON.
# MODE log_statement: log_statement = all + log_duration = on (the statement line first, its
#   "duration:" line later), auto_explain plans in text format.
set -euo pipefail
CONFORM=${1:?usage: pg_log_pgss.sh PG_LOG_CONFORM PG_SERVER_SH DBPERF [MODE]}
SERVER=${2:?usage: pg_log_pgss.sh PG_LOG_CONFORM PG_SERVER_SH DBPERF [MODE]}
DBPERF=${3:?usage: pg_log_pgss.sh PG_LOG_CONFORM PG_SERVER_SH DBPERF [MODE]}
MODE=${4:-min_duration}
HERE=$(cd "$(dirname "$0")" && pwd)
case $MODE in
  min_duration) ;;
  log_statement) export PG_EXTRA_CONF="log_min_duration_statement = -1
log_statement = 'all'
log_duration = on
auto_explain.log_format = text" ;;
  *) echo "pg_log_pgss.sh: unknown mode $MODE" >&2; exit 2 ;;
esac
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DIR=$(mktemp -d /tmp/pglog.XXXXXX)
chmod 755 "$DIR"
# a port in 55400-55499 not in use
PORT=
for p in $(shuf -i 55400-55499 -n 30); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then PORT=$p; break; fi
done
[ -n "$PORT" ] || { echo "FAIL: no free port in 55400-55499" >&2; exit 1; }
cleanup() { bash "$SERVER" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT

if ! bash "$SERVER" start "$DIR" "$PORT" >"$DIR/start.out" 2>&1; then
  echo "FAIL: the PostgreSQL server could not be started:" >&2
  cat "$DIR/start.out" "$DIR/server.log" >&2 2>/dev/null || true
  exit 1
fi
export PGHOST=$DIR/sock PGPORT=$PORT PGUSER=postgres PGDATABASE=bench
PSQL=("$PGBIN/psql" -X -q)
LOG=$DIR/log

# set-up (before the reset: not compared)
"$PGBIN/pgbench" -i -s 1 -q >/dev/null 2>&1
"${PSQL[@]}" -v ON_ERROR_STOP=1 -c "CREATE TABLE dbp_items (id int PRIMARY KEY, order_id int,
  note text)" -c "INSERT INTO dbp_items SELECT g, g % 50, 'n' || g FROM generate_series(1, 2000) g" \
  -c "ANALYZE dbp_items"

# cut each log where the compared run starts: wait until the collector is quiet
sizes() { stat -c %s "$LOG/postgresql.log" "$LOG/postgresql.csv" "$LOG/postgresql.json" | tr '\n' ' '; }
prev=
for _ in $(seq 50); do
  cur=$(sizes); [ "$cur" = "$prev" ] && break; prev=$cur; sleep 0.2
done
read -r off_log off_csv off_json <<<"$(sizes)"
"${PSQL[@]}" -v ON_ERROR_STOP=1 -c "SELECT pg_stat_statements_reset()" >/dev/null

# the workload. Two things pg_stat_statements 15 counts differently from the executions
# the server logs are left out on purpose: a utility statement run through a named
# prepared statement (pgbench -M prepared's BEGIN/END) is counted at its first execution
# only (pgss_ProcessUtility zeroes the cached statement's queryId), and
# COPY (query) TO is counted twice (the COPY and, with track=all, its query).
# The prepared protocol runs a script without utility statements instead.
cat >"$DIR/work.sql" <<'SQL'
BEGIN;
SELECT count(*)
  FROM dbp_items
 WHERE order_id = 7
   AND note LIKE 'n%';
UPDATE dbp_items SET note = 'x' WHERE id = 3;
COMMIT;
SET work_mem = '8MB';
SELECT id, note FROM dbp_items WHERE order_id = 1 ORDER BY id LIMIT 5;
SELECT * FROM dbp_items WHERE id = 1;
SELECT * FROM dbp_items WHERE id = 2;
SELECT * FROM dbp_items WHERE id = 3;
SELECT * FROM dbp_items WHERE id = 4;
SELECT * FROM dbp_items WHERE id = 5;
SELECT * FROM dbp_items WHERE id = 6;
SELECT 1/0;
COPY dbp_items (id) TO STDOUT;
SELECT 'multi
line literal' AS s, $$dollar ' quoted$$ AS d;
SELECT i.order_id, count(*) AS n
  FROM dbp_items i
  JOIN pgbench_branches b ON b.bid = i.order_id
 GROUP BY i.order_id
 ORDER BY n DESC;
SHOW work_mem;
RESET work_mem;
PREPARE dbp_p(int) AS SELECT note FROM dbp_items WHERE id = $1;
EXECUTE dbp_p(1);
EXECUTE dbp_p(2);
DEALLOCATE dbp_p;
SQL
for i in 1 2 3; do
  "${PSQL[@]}" -f "$DIR/work.sql" >/dev/null 2>"$DIR/psql.err" || true
done
grep -q "division by zero" "$DIR/psql.err" || { echo "FAIL: workload error missing" >&2; exit 1; }
# one simple-protocol query string holding several statements (logged as one line)
for i in 1 2; do
  "${PSQL[@]}" -c "SELECT 1 AS a; SELECT 'x;y' AS b; SELECT \$\$;\$\$ AS c, id FROM dbp_items WHERE id = 4" >/dev/null
done
"$PGBIN/pgbench" -n -M simple -c 2 -t 15 >/dev/null 2>&1
"$PGBIN/pgbench" -n -M extended -c 2 -t 15 >/dev/null 2>&1
cat >"$DIR/prepared.pgb" <<'PGB'
\set aid random(1, 100000)
\set delta random(-5000, 5000)
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
SELECT count(*)
  FROM pgbench_tellers
 WHERE bid = 1;
PGB
"$PGBIN/pgbench" -n -M prepared -c 2 -t 15 -f "$DIR/prepared.pgb" >/dev/null 2>&1
"$PGBIN/pgbench" -n -M extended -c 1 -t 10 -S >/dev/null 2>&1

"${PSQL[@]}" -At -v ON_ERROR_STOP=1 -c "SELECT /* dbperf-pgss-dump */ json_agg(json_build_object(
  'query', query, 'calls', calls, 'total_ms', total_exec_time)) FROM pg_stat_statements" \
  >"$DIR/pgss.json"
bash "$SERVER" stop "$DIR" >/dev/null 2>&1
tail -c +$((off_log + 1)) "$LOG/postgresql.log" >"$DIR/run.log"
tail -c +$((off_csv + 1)) "$LOG/postgresql.csv" >"$DIR/run.csv"
tail -c +$((off_json + 1)) "$LOG/postgresql.json" >"$DIR/run.json"
grep -q 'Query Text' "$DIR/run.log" || { echo "FAIL: no auto_explain plan in the log" >&2; exit 1; }

fail=0
# the CLI: dbperf audit --format json, formats detected, csvlog and jsonlog gzip-compressed
gzip -k "$DIR/run.csv" "$DIR/run.json"
echo "== dbperf audit vs pg_stat_statements"
python3 "$HERE/pg_log_audit_pgss.py" "$DBPERF" "$DIR/pgss.json" "$DIR/run.log" \
  "$DIR/run.csv.gz" "$DIR/run.json.gz" || { echo "FAIL: dbperf audit"; fail=1; }
# the parsers directly, each format named
for f in log:postgres-stderr csv:postgres-csv json:postgres-json; do
  ext=${f%%:*} fmt=${f#*:}
  echo "== $fmt vs pg_stat_statements"
  "$CONFORM" --format "$fmt" --expect-plans --pgss "$DIR/pgss.json" "$DIR/run.$ext" \
    || { echo "FAIL: $fmt"; fail=1; }
done
PREFIX='%m [%p] %c %l user=%u,db=%d,app=%a,client=%h '
if [ "$MODE" = log_statement ]; then
  # Not compared with pgbadger in this mode: pgbadger 13 does not add the separate
  # "duration:" lines of log_duration to their statements, and it counts the "Query Text:"
  # of every text auto_explain plan as one more execution with the plan's duration (seen:
  # 1021 queries for 578 executions, 12.7 ms of 57.4 ms), so its numbers are not a reference.
  echo "== postgres-stderr vs pgbadger: not compared with log_statement + log_duration"
elif ! pgbadger -q -x json -o "$DIR/pgbadger.json" --pid-dir "$DIR" -f stderr --prefix "$PREFIX" \
     "$DIR/run.log" >"$DIR/pgbadger.err" 2>&1; then
  echo "FAIL: pgbadger failed:"; cat "$DIR/pgbadger.err"; fail=1
else
  echo "== postgres-stderr vs pgbadger"
  "$CONFORM" --format postgres-stderr --prefix "$PREFIX" --pgbadger "$DIR/pgbadger.json" \
    "$DIR/run.log" || { echo "FAIL: stderr vs pgbadger"; fail=1; }
  # csvlog and jsonlog: pgbadger counts every auto_explain plan as one more query (the
  # plan's JSON is its text, the plan's duration its time); pg_log_conform leaves those
  # out and reports how many. Everything else must agree.
  for f in csv:csv:postgres-csv json:jsonlog:postgres-json; do
    ext=${f%%:*} rest=${f#*:}; pgf=${rest%%:*} fmt=${rest#*:}
    if ! pgbadger -q -x json -o "$DIR/pgbadger.$ext.json" --pid-dir "$DIR" -f "$pgf" \
         "$DIR/run.$ext" >"$DIR/pgbadger.err" 2>&1; then
      echo "FAIL: pgbadger -f $pgf failed:"; cat "$DIR/pgbadger.err"; fail=1; continue
    fi
    echo "== $fmt vs pgbadger"
    "$CONFORM" --format "$fmt" --pgbadger "$DIR/pgbadger.$ext.json" "$DIR/run.$ext" \
      || { echo "FAIL: $fmt vs pgbadger"; fail=1; }
  done
fi
[ $fail -eq 0 ] || { [ -n "${KEEP:-}" ] && cp -r "$DIR" "$DIR.kept" && echo "kept in $DIR.kept"; }
exit $fail
