#!/usr/bin/env bash
# check_indexes_live.sh -- dbperf check-indexes against real servers: two throwaway
# PostgreSQL 15 instances standing in as the primary and a replica of one database
# (--cluster shop), and a throwaway MariaDB. Simulated days through --now / DBPERF_NOW.
#
#   check_indexes_live.sh DBPERF SRCDIR
#
# Covers: snapshots across days (short history is said, not concluded), a stats reset
# between two snapshots (pg_stat_reset(); a MariaDB restart), an index only a replica
# uses, protected indexes (primary key, MariaDB foreign key), a target that cannot be
# read (exit 3, the others still recorded), Prometheus output written atomically, JSON,
# 4 concurrent runs on one SQLite store (all snapshots there, integrity_check ok), and
# the PostgreSQL store (a database on the throwaway server, concurrent runs too).
# Ports 55970-55974. Prints "N passed, N failed"; exits 1 on any failure.
set -uo pipefail
DBPERF=${1:?usage: check_indexes_live.sh DBPERF SRCDIR}
SRC=${2:?usage: check_indexes_live.sh DBPERF SRCDIR}
PG1=55970 PG2=55971 MY=55972 DEAD=55974
W=$(mktemp -d /tmp/dbpci.XXXXXX)
chmod 755 "$W"
cleanup() {
  "$SRC/scripts/pg-server.sh" stop "$W/pg1" >/dev/null 2>&1
  "$SRC/scripts/pg-server.sh" stop "$W/pg2" >/dev/null 2>&1
  "$SRC/scripts/mariadb-server.sh" stop "$W/my" >/dev/null 2>&1
  rm -rf "$W"
}
trap cleanup EXIT

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
has() { grep -qF -- "$2" "$1"; }
hasnt() { ! grep -qF -- "$2" "$1"; }

"$SRC/scripts/pg-server.sh" start "$W/pg1" $PG1 >"$W/pg1.start" 2>&1 || { cat "$W/pg1.start"; exit 1; }
"$SRC/scripts/pg-server.sh" start "$W/pg2" $PG2 >"$W/pg2.start" 2>&1 || { cat "$W/pg2.start"; exit 1; }
"$SRC/scripts/mariadb-server.sh" start "$W/my" $MY >"$W/my.start" 2>&1 || { cat "$W/my.start"; exit 1; }

psql1() { psql -X -q -tA -h "$W/pg1/sock" -p $PG1 -U postgres -v ON_ERROR_STOP=1 "${@}"; }
psql2() { psql -X -q -tA -h "$W/pg2/sock" -p $PG2 -U postgres -v ON_ERROR_STOP=1 "${@}"; }
my() { mariadb --defaults-file="$W/my/my.cnf" -uroot bench "$@"; }
P1="postgresql://postgres@127.0.0.1:$PG1/bench"
P2="postgresql://postgres@127.0.0.1:$PG2/bench"
M="mysql://bench:bench@127.0.0.1:$MY/bench"
day() { date -u -d "2026-03-01 + $1 days" +%Y-%m-%dT%H:%M:%SZ; }
# use index IX of table t on a PostgreSQL instance N times (an index scan forced)
pguse() { # pguse psql1|psql2 COLUMN N
  local i
  for i in $(seq 1 "$3"); do
    "$1" bench -c "SET enable_seqscan = off; SET enable_bitmapscan = off;
                   SELECT count(*) FROM t WHERE $2 = $i;" >/dev/null
  done
}

SCHEMA="CREATE TABLE t (id int PRIMARY KEY, a int, b int, c int);
        CREATE INDEX t_a ON t (a); CREATE INDEX t_b ON t (b); CREATE INDEX t_c ON t (c);
        INSERT INTO t SELECT g, g, g, g FROM generate_series(1, 2000) g; ANALYZE t;"
psql1 bench -c "$SCHEMA" && psql2 bench -c "$SCHEMA" || { echo "schema failed"; exit 1; }

# ---- PostgreSQL: a primary and a "replica" of one database, simulated days ---------
S=$W/history.db
run() { # run DAY OUTFILE ARGS... -> exit code in $rc
  DBPERF_NOW=$(day "$1") "$DBPERF" check-indexes --store "$S" --cluster shop "${@:3}" >"$2" 2>"$2.err"
  rc=$?
}
run 0 "$W/d0.txt" "$P1" "$P2"
check "day 0: exit 0" test $rc -eq 0
check "day 0: short history is said" has "$W/d0.txt" "the store holds 0.0 days of history"
check "day 0: cannot conclude yet" has "$W/d0.txt" "cannot yet call any index unused"
check "day 0: both instances recorded into cluster shop" \
  test "$(grep -c 'recorded 4 indexes of 127.0.0.1:[0-9]* (cluster shop)' "$W/d0.txt")" -eq 2

pguse psql1 a 3          # the primary uses t_a
pguse psql2 c 2          # only the replica uses t_c
run 5 "$W/d5.txt" "$P1" "$P2"
check "day 5: exit 0" test $rc -eq 0
# stats reset on the primary, then one more use of t_a: the counter is 1, below 3
psql1 bench -c "SELECT pg_stat_reset();" >/dev/null
pguse psql1 a 1
run 10 "$W/d10.txt" "$P1" "$P2"
pguse psql2 c 1          # the replica again, day 20
run 20 "$W/d20.txt" "$P1" "$P2" -f json
check "day 20: JSON parses, not conclusive yet" python3 - "$W/d20.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["conclusive"] is False and d["summary"]["unused"] == 0, d["summary"]
assert d["store"]["snapshots"] == 8, d["store"]
assert abs(d["store"]["history_days"] - 20) < 0.01
PY

run 36 "$W/d36.json" "$P1" "$P2" -f json
check "day 36: exit 1 (unused indexes)" test $rc -eq 1
check "day 36: verdicts" python3 - "$W/d36.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ix = {i["index"]: i for i in d["indexes"]}
assert d["conclusive"] is True
# t_b: never used on either instance for 36 days
assert ix["t_b"]["verdict"] == "unused", ix.get("t_b")
assert ix["t_b"]["instances"] == 2 and ix["t_b"]["cluster"] == "shop"
assert abs(ix["t_b"]["unused_days"] - 36) < 0.01
assert ix["t_b"]["drop_statement"] == "-- DROP INDEX CONCURRENTLY public.t_b;", ix["t_b"]
assert ix["t_b"]["size_bytes"] > 0
# t_a: 3 uses, pg_stat_reset, 1 use: the counter went down to 1 -- a reset with a use
# after it, so the last use is day 10 (26 days ago): in use, not listed
assert "t_a" not in ix, ix.get("t_a")
# t_c: the primary never used it, the replica did on day 20: in use
assert "t_c" not in ix, ix.get("t_c")
# the primary key is never proposed
assert ix["t_pkey"]["verdict"] == "protected"
assert ix["t_pkey"]["not_droppable_because"] == "it backs the primary key"
assert ix["t_pkey"]["drop_statement"] is None
assert d["summary"]["unused"] == 1 and d["summary"]["used"] == 2, d["summary"]
PY
# t_a's reset is visible once it is reported: day 41 (31 days after its last use)
run 41 "$W/d41.json" "$P1" "$P2" -f json
check "day 41: t_a unused after its reset, reset counted" python3 - "$W/d41.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ix = {i["index"]: i for i in d["indexes"]}
a = ix["t_a"]
assert a["verdict"] == "unused" and a["resets"] >= 1, a
assert a["last_use"] == "2026-03-11T00:00:00Z", a
assert abs(a["unused_days"] - 31) < 0.01, a
assert "t_c" not in ix
PY
check "day 41: text output" bash -c "DBPERF_NOW=$(day 41) '$DBPERF' check-indexes --store '$S' >'$W/d41.txt'; test \$? -eq 1"
check "day 41: DROP commented out, never run" has "$W/d41.txt" "-- DROP INDEX CONCURRENTLY public.t_b;  (dbperf never runs this)"
check "day 41: primary key reason" has "$W/d41.txt" "public.t t_pkey (id): no recorded use for 41.0 days, but it backs the primary key"
check "indexes still exist on the server (nothing dropped)" \
  test "$(psql1 bench -c "SELECT count(*) FROM pg_indexes WHERE tablename = 't'")" -eq 4

# the same history without the replica: t_c looks unused -- the replica is what keeps it
S2=$W/primary-only.db
for d in 0 36; do
  DBPERF_NOW=$(day $d) "$DBPERF" check-indexes --store "$S2" "$P1" -f json >"$W/p$d.json" 2>/dev/null
done
check "primary alone: t_c unused (control for the replica case)" python3 - "$W/p36.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ix = {i["index"]: i for i in d["indexes"]}
# the primary's t_c counter was 0 all along: unused when the replica is not counted
assert ix["t_c"]["verdict"] == "unused", ix.get("t_c")
PY

# ---- a target that cannot be read: exit 3, the other still recorded -----------------
before=$(sqlite3 "$S" "SELECT count(*) FROM snapshot")
run 42 "$W/dead.txt" "$P1" "postgresql://postgres@127.0.0.1:$DEAD/bench"
check "unreachable target: exit 3" test $rc -eq 3
check "unreachable target: named on stderr" has "$W/dead.txt.err" "127.0.0.1:$DEAD"
check "unreachable target: the other target recorded" \
  test "$(sqlite3 "$S" "SELECT count(*) FROM snapshot")" -eq $((before + 1))

# ---- Prometheus, written atomically -----------------------------------------------
mkdir -p "$W/textfile"
DBPERF_NOW=$(day 43) "$DBPERF" check-indexes --store "$S" "$P1" "$P2" --cluster shop \
  -f prometheus -o "$W/textfile/dbperf.prom" 2>/dev/null
rc=$?
check "prometheus: exit 1" test $rc -eq 1
check "prometheus: no temporary file left" test "$(ls "$W/textfile")" = "dbperf.prom"
check "prometheus: exposition format" python3 - "$W/textfile/dbperf.prom" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
name = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
sample = re.compile(rf'^({name})(\{{{label}(,{label})*\}})? (-?[0-9.e+]+|NaN)$')
typed, seen = set(), {}
for l in lines:
    if l.startswith("# TYPE "):
        _, _, n, t = l.split(" ")
        assert t == "gauge"; typed.add(n)
    elif l.startswith("# HELP "):
        continue
    else:
        m = sample.match(l)
        assert m, "bad line: " + l
        assert m.group(1) in typed, "untyped: " + l
        seen.setdefault(m.group(1), []).append(l)
assert seen["dbperf_unused_indexes"] == ["dbperf_unused_indexes 2"], seen["dbperf_unused_indexes"]
assert any('index="t_b"' in l and 'verdict="unused"' in l and 'cluster="shop"' in l
           for l in seen["dbperf_index_unused_days"])
assert len(seen["dbperf_check_indexes_target_up"]) == 2
assert all(l.endswith(" 1") for l in seen["dbperf_check_indexes_target_up"])
PY

# ---- retention: --keep-days deletes old snapshots; refused below --min-days ---------
before=$(sqlite3 "$S" "SELECT count(*) FROM snapshot")
old=$(sqlite3 "$S" "SELECT count(*) FROM snapshot WHERE taken_us < strftime('%s', '$(day 3)') * 1000000")
DBPERF_NOW=$(day 43) "$DBPERF" check-indexes --store "$S" --keep-days 40 >"$W/keep.txt" 2>&1
check "keep-days: old snapshots deleted" \
  test "$(sqlite3 "$S" "SELECT count(*) FROM snapshot")" -eq $((before - old))
check "keep-days: said" has "$W/keep.txt" "pruned $old snapshots older than --keep-days"
check "keep-days: no orphan sample" \
  test "$(sqlite3 "$S" "SELECT count(*) FROM index_sample x LEFT JOIN snapshot s ON s.id = x.snapshot_id WHERE s.id IS NULL")" -eq 0
"$DBPERF" check-indexes --store "$S" --keep-days 10 >/dev/null 2>&1
check "keep-days below min-days: usage error" test $? -eq 2
"$DBPERF" check-indexes --store "$W/no/such/dir/h.db" "$P1" >/dev/null 2>"$W/nostore.err"
check "a store that cannot be opened: exit 3, named" \
  bash -c "test $? -eq 3 && grep -q 'no/such/dir/h.db' '$W/nostore.err'"
"$DBPERF" check-indexes --store "$P1" "$P1" >/dev/null 2>"$W/same.err"
check "the store is never an audited target: usage error" test $? -eq 2

# ---- MariaDB: a restart between two snapshots; a foreign key's index ---------------
my -e "CREATE TABLE t (id int PRIMARY KEY, a int, b int, KEY t_a (a), KEY t_b (b));
       CREATE TABLE child (id int PRIMARY KEY, t_id int, FOREIGN KEY (t_id) REFERENCES t (id));
       INSERT INTO t SELECT seq, seq, seq FROM seq_1_to_500;" || bad "mariadb schema"
SM=$W/mariadb.db
mrun() { DBPERF_NOW=$(day "$1") "$DBPERF" check-indexes --store "$SM" "$M" "${@:3}" >"$2" 2>"$2.err"; rc=$?; }
mrun 0 "$W/m0.txt"
check "mariadb day 0: exit 0" test $rc -eq 0
for i in 1 2 3; do my -e "SELECT * FROM t FORCE INDEX (t_a) WHERE a = $i" >/dev/null; done
mrun 5 "$W/m5.json" -f json
"$SRC/scripts/mariadb-server.sh" stop "$W/my" >/dev/null 2>&1
"$SRC/scripts/mariadb-server.sh" start "$W/my" $MY >/dev/null 2>&1 || bad "mariadb restart"
mrun 10 "$W/m10.json" -f json
mrun 36 "$W/m36.json" -f json
check "mariadb day 36: exit 1" test $rc -eq 1
check "mariadb: restart seen as a reset, verdicts" python3 - "$W/m5.json" "$W/m36.json" <<'PY'
import json, sys
d5 = json.load(open(sys.argv[1]))
d = json.load(open(sys.argv[2]))
assert d5["targets"][0]["recorded"], d5["targets"]
ix = {(i["table"], i["index"]): i for i in d["indexes"]}
a = ix[("t", "t_a")]
# used before day 5, counters back to 0 after the restart: a reset, not a use
assert a["verdict"] == "unused" and a["resets"] >= 1, a
assert a["last_use"] == "2026-03-06T00:00:00Z", a
assert abs(a["unused_days"] - 31) < 0.01, a
assert a["drop_statement"] == "-- ALTER TABLE bench.t DROP INDEX t_a;", a
assert ix[("t", "t_b")]["verdict"] == "unused"
assert ix[("t", "PRIMARY")]["verdict"] == "protected"
fk = ix[("child", "t_id")]
assert fk["verdict"] == "protected" and fk["not_droppable_because"] == "a foreign key needs it", fk
PY

# ---- 4 concurrent runs against one new SQLite store --------------------------------
SC=$W/concurrent.db
pids=()
for k in 1 2 3 4; do
  DBPERF_NOW=$(day $k) "$DBPERF" check-indexes --store "$SC" --cluster shop "$P1" "$P2" \
    >"$W/c$k.txt" 2>&1 &
  pids+=($!)
done
cfail=0
for p in "${pids[@]}"; do wait "$p" || cfail=1; done
check "concurrent: every run exit 0" test $cfail -eq 0
check "concurrent: all 8 snapshots there" test "$(sqlite3 "$SC" "SELECT count(*) FROM snapshot")" -eq 8
check "concurrent: all 32 samples there" test "$(sqlite3 "$SC" "SELECT count(*) FROM index_sample")" -eq 32
check "concurrent: one migration" test "$(sqlite3 "$SC" "SELECT count(*) FROM dbperf_schema_version")" -eq 1
check "concurrent: integrity_check ok" test "$(sqlite3 "$SC" "PRAGMA integrity_check")" = ok
check "concurrent: WAL journal" test "$(sqlite3 "$SC" "PRAGMA journal_mode")" = wal

# ---- the PostgreSQL store: a history database of its own ---------------------------
psql1 postgres -c "CREATE DATABASE dbperf_history" || bad "create history database"
PS="postgresql://postgres@127.0.0.1:$PG1/dbperf_history"
pids=()
for k in 1 2 3; do # three hosts starting at once: one migration, every snapshot kept
  DBPERF_NOW=$(day 0) "$DBPERF" check-indexes --store "$PS" --cluster shop "$P1" "$P2" \
    >"$W/ps$k.txt" 2>&1 &
  pids+=($!)
done
cfail=0
for p in "${pids[@]}"; do wait "$p" || cfail=1; done
check "pg store: concurrent first runs exit 0" test $cfail -eq 0
DBPERF_NOW=$(day 36) "$DBPERF" check-indexes --store "$PS" --cluster shop "$P1" "$P2" -f json \
  >"$W/ps36.json" 2>"$W/ps36.err"
rc=$?
check "pg store: day 36 exit 1" test $rc -eq 1
check "pg store: schema version 1, one migration" \
  test "$(psql1 dbperf_history -c "SELECT string_agg(version || ':' || file, ',') FROM dbperf.schema_version")" = "1:postgres_001_init.sql"
check "pg store: 8 snapshots" test "$(psql1 dbperf_history -c "SELECT count(*) FROM dbperf.snapshot")" -eq 8
check "pg store: verdicts" python3 - "$W/ps36.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["store"]["kind"] == "postgresql" and d["store"]["schema_version"] == 1
ix = {i["index"]: i for i in d["indexes"]}
assert ix["t_b"]["verdict"] == "unused" and ix["t_b"]["instances"] == 2, ix["t_b"]
assert ix["t_pkey"]["verdict"] == "protected"
# t_a and t_c had counters above 0 at the first snapshot (uses before the history) and
# none since: 36 days without a recorded use, like t_b
assert ix["t_a"]["verdict"] == "unused" and ix["t_c"]["verdict"] == "unused"
assert ix["t_c"]["last_use"] == "2026-03-01T00:00:00Z", ix["t_c"]
assert d["summary"]["unused"] == 3, d["summary"]
PY
check "pg store: password-free target in the store" \
  test "$(psql1 dbperf_history -c "SELECT count(*) FROM dbperf.snapshot WHERE source LIKE '%:55970/bench'")" -ge 4

DBPERF_NOW=$(day 40) "$DBPERF" check-indexes --store "$PS" --keep-days 30 -f json >"$W/ps40.json" 2>&1
check "pg store: --keep-days prunes the day-0 snapshots" python3 - "$W/ps40.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["store"]["pruned_snapshots"] == 6, d["store"]
assert d["store"]["snapshots"] == 2 and d["store"]["first"] == "2026-04-06T00:00:00Z", d["store"]
PY

echo "check_indexes_live: $pass passed, $fail failed"
[ $fail -eq 0 ]
