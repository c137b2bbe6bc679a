#!/usr/bin/env bash
# tests/integration/diff_regression.sh DBPERF -- `dbperf diff` on real servers (issue: baselines
# and regressions). On a throwaway PostgreSQL 15 and MariaDB 10.11: run a workload and save the
# audit; drop the index that serves one query and run the same workload again: the diff flags that
# query, and only that query, as a regression (exit 1 with --fail-on regression); recreate the
# index: the next diff reports it as improved and nothing as regressed. PostgreSQL is measured
# twice: through pg_stat_statements (counters, reset between rounds) and through its stderr log
# (per-call latencies: the rank test decides); MariaDB through performance_schema.
set -u
DBPERF=${1:?usage: diff_regression.sh path/to/dbperf}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/dbpdiff.XXXXXX)
chmod 755 "$tmp" # the servers run as the postgres and mysql users
PGP=55901 MYP=55902
cleanup() {
  "$SRC/scripts/pg-server.sh" stop "$tmp/pg" >/dev/null 2>&1
  "$SRC/scripts/mariadb-server.sh" stop "$tmp/my" >/dev/null 2>&1
  [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"; [ -n "${KEEP_TMP:-}" ] && echo "kept $tmp"
}
trap cleanup EXIT
pass=0 fail=0
check() { if [ "$1" = "$2" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $3: got '$1', want '$2'"; fi; }

# verdicts of a diff JSON: "verdict<TAB>text" lines for every class that changed
verdicts() {
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["statements"]:
    if s["verdict"] in ("regressed", "improved"):
        print(s["verdict"] + "\t" + " ".join(s["text"].split()))
PY
}
# the one regressed/improved class must be the sku lookup
only_sku() { # FILE VERDICT LABEL
  local v; v=$(verdicts "$1")
  check "$(printf '%s\n' "$v" | grep -c .)" 1 "$3: number of changed classes ($v)"
  check "$(printf '%s\n' "$v" | cut -f1)" "$2" "$3: verdict"
  case "$(printf '%s\n' "$v" | cut -f2)" in
    *sku*) pass=$((pass + 1)) ;;
    *) fail=$((fail + 1)); echo "FAIL: $3: changed class is not the sku lookup: $v" ;;
  esac
}

# The workload: 120 calls of each of three queries, one query at a time, so that the full scans
# of the dropped-index round do not slow the other queries down through shared caches (which is
# real, and measured: interleaved, MariaDB's primary-key lookups got 10x slower).
workload_sql() {
  for i in $(seq 1 120); do echo "SELECT id, category FROM items WHERE sku = 'sku-$((i * 997 % 200000 + 1))';"; done
  for i in $(seq 1 120); do echo "SELECT payload FROM items WHERE id = $((i * 13 + 1));"; done
  for i in $(seq 1 120); do echo "SELECT name FROM colors WHERE id = $((i % 20 + 1));"; done
}

# ---------------------------------------------------------------- PostgreSQL
"$SRC/scripts/pg-server.sh" start "$tmp/pg" "$PGP" >"$tmp/pg-start.log" 2>&1 \
  || { cat "$tmp/pg-start.log"; echo "0 passed, 1 failed"; exit 1; }
export PGOPTIONS="-c client_min_messages=warning"
PSQL=(/usr/lib/postgresql/15/bin/psql -X -q -h "$tmp/pg/sock" -p "$PGP" -U postgres -v ON_ERROR_STOP=1 -d bench)
PGOPTIONS="$PGOPTIONS -c log_min_duration_statement=-1 -c auto_explain.log_min_duration=-1" "${PSQL[@]}" <<'SQL'
CREATE TABLE items (id int PRIMARY KEY, sku text NOT NULL, category int NOT NULL, payload text);
INSERT INTO items SELECT g, 'sku-' || g, g % 50, repeat('x', 100) FROM generate_series(1, 200000) g;
CREATE INDEX items_sku_idx ON items (sku);
CREATE TABLE colors (id int PRIMARY KEY, name text);
INSERT INTO colors SELECT g, 'c' || g FROM generate_series(1, 20) g;
VACUUM ANALYZE;
SQL
pg_workload() {
  workload_sql | "${PSQL[@]}" -o /dev/null
}
log="$tmp/pg/log/postgresql.log"
pg_round() { # NAME: reset, workload, live audit and the log slice of this round
  "${PSQL[@]}" -c "SELECT pg_stat_statements_reset()" -o /dev/null
  local from; from=$(stat -c %s "$log")
  pg_workload
  sleep 0.3 # the logging collector writes asynchronously
  tail -c +"$((from + 1))" "$log" >"$tmp/$1.log"
  "$DBPERF" audit -n 0 --no-hypothetical --format json -o "$tmp/$1-live.json" \
    "postgresql://postgres@127.0.0.1:$PGP/bench" 2>"$tmp/$1-live.err" \
    || { [ $? -eq 1 ] || { echo "audit failed: $(cat "$tmp/$1-live.err")"; fail=$((fail + 1)); }; }
  "$DBPERF" audit -n 0 --format json -o "$tmp/$1-log.json" "$tmp/$1.log" 2>"$tmp/$1-log.err" \
    || { echo "log audit failed: $(cat "$tmp/$1-log.err")"; fail=$((fail + 1)); }
}
pg_round base
"${PSQL[@]}" -c "DROP INDEX items_sku_idx"
pg_round dropped
"${PSQL[@]}" -c "CREATE INDEX items_sku_idx ON items (sku)"
pg_round recreated

for src in live log; do
  "$DBPERF" diff --format json --fail-on regression "$tmp/base-$src.json" "$tmp/dropped-$src.json" >"$tmp/d1-$src.json"
  check $? 1 "pg $src: diff base->dropped exits 1 with --fail-on regression"
  only_sku "$tmp/d1-$src.json" regressed "pg $src: base->dropped"
  "$DBPERF" diff --format json --fail-on regression "$tmp/dropped-$src.json" "$tmp/recreated-$src.json" >"$tmp/d2-$src.json"
  check $? 0 "pg $src: diff dropped->recreated exits 0"
  only_sku "$tmp/d2-$src.json" improved "pg $src: dropped->recreated"
done
# the text and Markdown forms name the regression too
"$DBPERF" diff --no-color "$tmp/base-log.json" "$tmp/dropped-log.json" >"$tmp/d1.txt"
check "$(grep -c '^Regressed' "$tmp/d1.txt")" 1 "pg text diff has a Regressed section"
"$DBPERF" diff --format markdown "$tmp/base-log.json" "$tmp/dropped-log.json" >"$tmp/d1.md"
check "$(grep -c '^## Regressed' "$tmp/d1.md")" 1 "pg markdown diff has a Regressed section"
# audit --baseline: the regression rule reports the same class as a finding
"$DBPERF" audit --format json --baseline "$tmp/base-log.json" -o "$tmp/baseline-audit.json" "$tmp/dropped.log"
n=$(python3 -c 'import json,sys; print(sum(1 for f in json.load(open(sys.argv[1]))["findings"] if f["rule"]=="regression"))' "$tmp/baseline-audit.json")
check "$n" 1 "pg: audit --baseline reports one regression finding"

# ---------------------------------------------------------------- MariaDB
"$SRC/scripts/mariadb-server.sh" start "$tmp/my" "$MYP" >"$tmp/my-start.log" 2>&1 \
  || { cat "$tmp/my-start.log"; fail=$((fail + 1)); echo "$pass passed, $fail failed"; exit 1; }
MY=(mariadb --defaults-file="$tmp/my/my.cnf" -uroot bench)
"${MY[@]}" <<'SQL'
SET SESSION long_query_time = 1000;
CREATE TABLE items (id INT PRIMARY KEY, sku VARCHAR(32) NOT NULL, category INT NOT NULL, payload VARCHAR(200));
INSERT INTO items SELECT seq, CONCAT('sku-', seq), seq % 50, REPEAT('x', 100) FROM seq_1_to_200000;
CREATE INDEX items_sku_idx ON items (sku);
CREATE TABLE colors (id INT PRIMARY KEY, name VARCHAR(20));
INSERT INTO colors SELECT seq, CONCAT('c', seq) FROM seq_1_to_20;
ANALYZE TABLE items, colors;
SQL
my_round() {
  "${MY[@]}" -e "TRUNCATE performance_schema.events_statements_summary_by_digest"
  workload_sql | "${MY[@]}" >/dev/null
  "$DBPERF" audit -n 0 --format json -o "$tmp/my-$1.json" "mysql://bench:bench@127.0.0.1:$MYP/bench" \
    2>"$tmp/my-$1.err" || { [ $? -eq 1 ] || { echo "audit failed: $(cat "$tmp/my-$1.err")"; fail=$((fail + 1)); }; }
}
my_round base
"${MY[@]}" -e "DROP INDEX items_sku_idx ON items"
my_round dropped
"${MY[@]}" -e "CREATE INDEX items_sku_idx ON items (sku)"
my_round recreated
"$DBPERF" diff --format json --fail-on regression "$tmp/my-base.json" "$tmp/my-dropped.json" >"$tmp/m1.json"
check $? 1 "mariadb: diff base->dropped exits 1 with --fail-on regression"
only_sku "$tmp/m1.json" regressed "mariadb: base->dropped"
"$DBPERF" diff --format json --fail-on regression "$tmp/my-dropped.json" "$tmp/my-recreated.json" >"$tmp/m2.json"
check $? 0 "mariadb: diff dropped->recreated exits 0"
only_sku "$tmp/m2.json" improved "mariadb: dropped->recreated"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
