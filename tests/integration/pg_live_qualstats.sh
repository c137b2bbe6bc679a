#!/usr/bin/env bash
# pg_live_qualstats.sh -- end to end: pg_qualstats supplies the predicate columns of the
# missing-index rule. In a database of its own on the fixture's server (dropped at the end),
# a workload looks rows of a 100k-row table up by an unindexed column (serial) and by an
# indexed one (sensor_id); then
#   1. `dbperf audit -f json` suggests an index on readings (serial) whose evidence says
#      predicates_from = pg_qualstats (the plan's scan node carries pg_qualstats' columns),
#      verified by hypopg, and suggests nothing on sensor_id;
#   2. as a role refused pg_qualstats() (the function under its view), the audit still exits 0 with the same
#      suggestion from the plan alone and a diagnostic that pg_qualstats was unreadable;
#   3. with the extension dropped, the same suggestion, and nothing says pg_qualstats.
#   pg_live_qualstats.sh DBPERF STATE
set -euo pipefail
DBPERF=${1:?usage: pg_live_qualstats.sh DBPERF STATE}
STATE=${2:?usage: pg_live_qualstats.sh DBPERF STATE}
DSN=$(sed -n 's/^DSN=//p' "$STATE")
[ -n "$DSN" ] || { echo "no DSN in $STATE: the fixture did not start a server" >&2; exit 1; }
DB=dbp_qs
ROLE=dbp_qs_reader
QDSN="$DSN dbname=$DB"
PSQL=("${PGBIN:-/usr/lib/postgresql/15/bin}/psql" -X -q -At -v ON_ERROR_STOP=1)
export PGOPTIONS="-c client_min_messages=warning"
OUT=$(mktemp -d /tmp/dbppg-qual.XXXXXX)
cleanup() {
  "${PSQL[@]}" -d "$DSN" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  "${PSQL[@]}" -d "$DSN" -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1 || true
  [ -n "${KEEP_OUT:-}" ] || rm -rf "$OUT"
}
trap cleanup EXIT
cleanup
mkdir -p "$OUT"
"${PSQL[@]}" -d "$DSN" -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d "$QDSN" >/dev/null <<'SQL'
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION hypopg;
CREATE EXTENSION pg_qualstats;
CREATE TABLE readings (
    id bigint PRIMARY KEY,
    sensor_id int NOT NULL,
    serial text NOT NULL,
    taken_at timestamptz NOT NULL,
    value double precision NOT NULL
);
INSERT INTO readings
SELECT g, g % 1000, 'SN-' || g, timestamptz '2024-01-01' + g * interval '1 second', g % 97
  FROM generate_series(1, 100000) g;
CREATE INDEX readings_sensor_idx ON readings (sensor_id);
ANALYZE readings;
-- the problem: 30 lookups by the unindexed serial, each a sequential scan
SELECT format('SELECT id, value FROM readings WHERE serial = %L', 'SN-' || (g * 3001))
  FROM generate_series(1, 30) g \gexec
-- healthy: 50 lookups through readings_sensor_idx
SELECT format('SELECT id, value FROM readings WHERE sensor_id = %s', g * 7)
  FROM generate_series(1, 50) g \gexec
SQL
# (not tracked by pg_stat_statements: dbperf would explain it, after the extension is gone)
n=$(PGOPTIONS="$PGOPTIONS -c pg_stat_statements.track=none" "${PSQL[@]}" -d "$QDSN" -c "
      SELECT count(*) FROM pg_qualstats q JOIN pg_attribute a
      ON a.attrelid = q.lrelid AND a.attnum = q.lattnum
      WHERE a.attname = 'serial' AND q.eval_type = 'f'")
[ "$n" -gt 0 ] || { echo "FAIL: pg_qualstats recorded nothing for the workload" >&2; exit 1; }

audit() { # NAME TARGET: the JSON report in $OUT/NAME.json; a non-zero exit is a failure
  local rc=0
  "$DBPERF" audit -f json -o "$OUT/$1.json" "$2" || rc=$?
  [ "$rc" -eq 0 ] || { echo "FAIL: dbperf audit ($1) exited $rc" >&2; exit 1; }
}
# 1. with pg_qualstats
audit with "$QDSN"
# 2. pg_qualstats() refused to the auditing role: a soft failure
"${PSQL[@]}" -d "$QDSN" -c "REVOKE EXECUTE ON FUNCTION pg_qualstats() FROM PUBLIC;
    CREATE ROLE $ROLE LOGIN; GRANT pg_read_all_data, pg_read_all_stats TO $ROLE"
audit refused "$QDSN user=$ROLE"
# 3. without pg_qualstats
"${PSQL[@]}" -d "$QDSN" -c "DROP EXTENSION pg_qualstats"
audit absent "$QDSN"

python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
fails = []
def check(ok, what):
    if not ok:
        fails.append(what)
def load(name):
    return json.load(open("%s/%s.json" % (out, name)))
def evidence(f):
    return {e["key"]: e["value"] for e in f.get("evidence", [])}
def missing(d, table):
    return [f for f in d["findings"] if f["rule"] == "missing-index"
            and (f.get("candidate") or {}).get("table") == table]
def serial_finding(d, name):
    mi = missing(d, "readings")
    cols = [(f.get("candidate") or {}).get("columns") for f in mi]
    check(cols == [["serial"]], "%s: one missing-index on readings (serial): %s" % (name, cols))
    for f in d["findings"]:
        text = json.dumps(f)
        check("sensor_id" not in text,
              "%s: the indexed sensor_id lookup is not flagged (%s)" % (name, f["rule"]))
    return mi[0] if mi else {}
def nodes(n):
    yield n
    for c in n.get("children") or []:
        yield from nodes(c)
def plans(d): # a statement's plan sits in the statement; "plans" holds bare ones
    return [s["plan"] for s in d["statements"] if s.get("plan")] + d["plans"]

# 1. pg_qualstats supplies the predicate columns, and the finding says so
d = load("with")
f = serial_finding(d, "with")
ev = evidence(f)
check(ev.get("predicates_from") == "pg_qualstats",
      "with: evidence predicates_from = pg_qualstats, got %r" % ev.get("predicates_from"))
check("(predicate columns from pg_qualstats)" in f.get("message", ""),
      "with: the message names pg_qualstats: %r" % f.get("message"))
check(f.get("verified") == "hypopg" and ev.get("cost_after", 1e99) < ev.get("cost_before", 0),
      "with: verified by hypopg, cost drops")
scans = [n for p in plans(d) if p.get("root") for n in nodes(p["root"])
         if n.get("relation") == "readings" and n.get("observed_preds")]
check(any(n["kind"] == "full-scan" and n.get("observed_from") == "pg_qualstats"
          and {"column": "serial", "op": "eq"} in n["observed_preds"] for n in scans),
      "with: the full scan of readings carries pg_qualstats' serial = (eq)")
check(not any(p.get("column") == "sensor_id" for n in scans for p in n["observed_preds"]),
      "with: sensor_id, evaluated by the index, is not an observed filter column")
check(not any("qualstats" in x for x in d["diagnostics"]),
      "with: no diagnostic about pg_qualstats: %s" % d["diagnostics"])

# 2. pg_qualstats unreadable: a diagnostic, the rest as without it
d = load("refused")
f = serial_finding(d, "refused")
check("predicates_from" not in evidence(f), "refused: no predicates_from evidence")
check(any("pg_qualstats unreadable" in x and "permission denied" in x for x in d["diagnostics"]),
      "refused: a diagnostic says pg_qualstats was unreadable: %s" % d["diagnostics"])

# 3. pg_qualstats absent: nothing about it anywhere
d = load("absent")
f = serial_finding(d, "absent")
check("predicates_from" not in evidence(f), "absent: no predicates_from evidence")
check("qualstats" not in json.dumps(d["findings"]) and
      not any("qualstats" in x for x in d["diagnostics"]),
      "absent: neither the findings nor the diagnostics mention pg_qualstats")
check(not any(n.get("observed_preds") for p in plans(d) if p.get("root")
              for n in nodes(p["root"])), "absent: no plan node has observed predicates")

for w in fails:
    print("FAIL:", w, file=sys.stderr)
print("qualstats: %d failed checks" % len(fails), file=sys.stderr)
sys.exit(1 if fails else 0)
PY
