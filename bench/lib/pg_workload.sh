#!/usr/bin/env bash
# bench/lib/pg_workload.sh -- a varied pgbench workload against a throwaway PostgreSQL
# (scripts/pg-server.sh), so that DIR/log/postgresql.{log,csv,json} hold real server output.
#
#   bench/lib/pg_workload.sh DIR PORT [TRANSACTIONS_PER_CLIENT]
#
# pgbench -i -s 2, then 4 clients run a weighted mix: the built-in tpcb-like and select-only
# scripts plus custom scripts (joins, IN lists, range scans, aggregates, an N+1 loop of point
# lookups, updates and inserts), simple and extended protocol. Every statement is logged
# (log_min_duration_statement = 0); auto_explain is off (AUTO_EXPLAIN_MS=-1) unless the
# caller sets AUTO_EXPLAIN_MS.
set -euo pipefail
DIR=${1:?usage: pg_workload.sh DIR PORT [TX]}
PORT=${2:?usage: pg_workload.sh DIR PORT [TX]}
TX=${3:-1500}
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
AUTO_EXPLAIN_MS=${AUTO_EXPLAIN_MS:--1} "$ROOT/scripts/pg-server.sh" start "$DIR" "$PORT" >/dev/null
S="$DIR/scripts"
mkdir -p "$S"
cat >"$S/join.sql" <<'SQL'
\set aid random(1, 200000)
\set bid random(1, 2)
SELECT a.aid, a.abalance, b.bbalance FROM pgbench_accounts a JOIN pgbench_branches b ON b.bid = a.bid WHERE a.aid = :aid;
SELECT count(*), sum(abalance) FROM pgbench_accounts WHERE bid = :bid AND aid BETWEEN :aid AND :aid + 50;
SELECT t.tid, t.tbalance FROM pgbench_tellers t WHERE t.bid = :bid ORDER BY t.tbalance DESC LIMIT 5;
SQL
cat >"$S/inlist.sql" <<'SQL'
\set a random(1, 200000)
\set b random(1, 200000)
\set c random(1, 200000)
SELECT aid, abalance FROM pgbench_accounts WHERE aid IN (:a, :b, :c);
SELECT aid, abalance FROM pgbench_accounts WHERE aid IN (:a, :b, :c, :a + 1, :b + 1) AND abalance > -100000;
SELECT filler FROM pgbench_accounts WHERE aid = ANY (ARRAY[:a::int, :b::int]);
SQL
cat >"$S/nplus1.sql" <<'SQL'
\set tid random(1, 20)
SELECT tid, bid FROM pgbench_tellers WHERE tid = :tid;
SELECT aid FROM pgbench_accounts WHERE aid = :tid * 1000 + 1;
SELECT aid FROM pgbench_accounts WHERE aid = :tid * 1000 + 2;
SELECT aid FROM pgbench_accounts WHERE aid = :tid * 1000 + 3;
SELECT aid FROM pgbench_accounts WHERE aid = :tid * 1000 + 4;
SELECT aid FROM pgbench_accounts WHERE aid = :tid * 1000 + 5;
SQL
cat >"$S/write.sql" <<'SQL'
\set aid random(1, 200000)
\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, :aid, :delta, CURRENT_TIMESTAMP);
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
COMMIT;
SQL
cat >"$S/scan.sql" <<'SQL'
\set d random(-5000, 5000)
SELECT count(*) FROM pgbench_history WHERE delta > :d;
SELECT bid, avg(abalance) FROM pgbench_accounts WHERE abalance <> :d GROUP BY bid;
SQL
chmod -R a+rX "$S"
PB=("$PGBIN/pgbench" -h "$DIR/sock" -p "$PORT" -U postgres)
"${PB[@]}" -i -q -s 2 bench >"$DIR/pgbench.out" 2>&1 || { tail -5 "$DIR/pgbench.out" >&2; exit 1; }
"${PB[@]}" -n -c 2 -j 2 -t "$TX" -M simple -b tpcb-like@3 -b select-only@2 \
  -f "$S/join.sql@3" -f "$S/inlist.sql@2" -f "$S/nplus1.sql@1" -f "$S/write.sql@2" \
  -f "$S/scan.sql@1" bench >"$DIR/pgbench.out" 2>&1 || { tail -5 "$DIR/pgbench.out" >&2; exit 1; }
"${PB[@]}" -n -c 2 -j 2 -t "$((TX / 2))" -M extended -b select-only@2 -f "$S/join.sql@2" \
  -f "$S/inlist.sql@1" -f "$S/write.sql@1" bench >"$DIR/pgbench.out" 2>&1 || { tail -5 "$DIR/pgbench.out" >&2; exit 1; }
"$ROOT/scripts/pg-server.sh" stop "$DIR"
