#!/usr/bin/env bash
# rules_pg_catalog.sh -- unused-index and duplicate-index against PostgreSQL's own catalogs.
#
#   rules_pg_catalog.sh DBPERF STATE
#
# Starts the throwaway PostgreSQL of the pg_live tests (tests/integration/pg_live_server.sh,
# state file STATE; or DBPERF_TEST_PG_DSN), adds a schema `rules_t` with identical, prefix,
# unique, constraint, replica-identity, partial and operator-class cases and a workload that
# uses some of them, then compares dbperf's findings (through the live driver) with the
# well-known catalog queries DBAs run (PostgreSQL wiki "Index Maintenance"):
#   - unused: pg_stat_user_indexes.idx_scan = 0, valid, not unique, backing no constraint, not
#     the replica identity  ==  dbperf unused-index findings with a DROP suggestion
#     (min_coverage_days = 0, min_size_bytes = 0), and every other 0-scan index dbperf reports
#     has no DROP;
#   - duplicates: groups of pg_index rows with the same table, key, operator classes,
#     collations, options, expressions and predicate: of each group of n, at least n - 1 are
#     reported by duplicate-index (all n when a longer index serves them), every "identical"
#     dbperf finding lies inside such a group, and the left prefixes, other operator
#     classes, other orders and constraint indexes are (not) reported as they should.
set -euo pipefail
DBPERF=${1:?usage: rules_pg_catalog.sh DBPERF STATE}
STATE=${2:?usage: rules_pg_catalog.sh DBPERF STATE}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
WORK=$(mktemp -d /tmp/dbprules.XXXXXX)
cleanup() { "$ROOT/tests/integration/pg_live_server.sh" stop "$STATE" || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$ROOT/tests/integration/pg_live_server.sh" start "$STATE" >/dev/null
DSN=$(sed -n 's/^DSN=//p' "$STATE")
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DSN" "$@"; }

psql -o /dev/null <<'SQL'
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS rules_t CASCADE;
CREATE SCHEMA rules_t;
CREATE TABLE rules_t.t (id int PRIMARY KEY, a int, b int, c int, s text, u int NOT NULL,
                        CONSTRAINT t_c_key UNIQUE (c));
CREATE INDEX t_a ON rules_t.t (a);
CREATE INDEX t_a_again ON rules_t.t (a);
CREATE INDEX t_a_b ON rules_t.t (a, b);
CREATE INDEX t_b_a ON rules_t.t (b, a);
CREATE INDEX t_c ON rules_t.t (c);
CREATE INDEX t_s ON rules_t.t (s);
CREATE INDEX t_s_pattern ON rules_t.t (s text_pattern_ops);
CREATE INDEX t_a_open ON rules_t.t (a) WHERE b > 0;
CREATE INDEX t_a_open2 ON rules_t.t (a) WHERE b > 0;
CREATE UNIQUE INDEX t_u ON rules_t.t (u);
ALTER TABLE rules_t.t REPLICA IDENTITY USING INDEX t_u;
CREATE INDEX t_used ON rules_t.t (b);
INSERT INTO rules_t.t SELECT g, g % 100, g % 7, g, 'x' || g, g FROM generate_series(1, 20000) g;
ANALYZE rules_t.t;
SET enable_seqscan = off; SET enable_bitmapscan = off;
SELECT count(*) FROM rules_t.t WHERE b = 3;
SELECT count(*) FROM rules_t.t WHERE b = 4;
SQL
sleep 1   # let the statistics collector publish idx_scan

cat > "$WORK/dbperf.conf" <<'CONF'
[rule.unused-index]
min_coverage_days = 0
min_size_bytes = 0
CONF
URI="postgresql://postgres@$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$DSN"):$(sed -n 's/.*port=\([^ ]*\).*/\1/p' <<<"$DSN")/bench"
"$DBPERF" audit --format json --config "$WORK/dbperf.conf" "$URI" > "$WORK/dbperf.json"

psql -At -F '|' > "$WORK/unused.txt" <<'SQL'
SELECT s.schemaname || '.' || s.relname || '.' || s.indexrelname
FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
WHERE s.idx_scan = 0 AND i.indisvalid AND NOT i.indisunique AND NOT i.indisreplident
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = s.indexrelid);
SQL
psql -At -F '|' > "$WORK/dups.txt" <<'SQL'
SELECT string_agg(n.nspname || '.' || t.relname || '.' || c.relname, ',' ORDER BY c.relname)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
GROUP BY i.indrelid, i.indclass::text, i.indcollation::text, i.indoption::text,
         i.indkey::text, coalesce(pg_get_expr(i.indexprs, i.indrelid), ''),
         coalesce(pg_get_expr(i.indpred, i.indrelid), '')
HAVING count(*) > 1;
SQL

python3 - "$WORK/dbperf.json" "$WORK/unused.txt" "$WORK/dups.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
wiki_unused = {l.strip() for l in open(sys.argv[2]) if l.strip()}
groups = [set(l.strip().split(',')) for l in open(sys.argv[3]) if l.strip()]
fails = []
droppable, other, dup, ident = set(), set(), set(), set()
for f in d["findings"]:
    if f["rule"] == "unused-index":
        (droppable if f.get("suggestion") else other).add(f["object"])
    elif f["rule"] == "duplicate-index":
        dup.add(f["object"])
        kind = [e.get("value") for e in f.get("evidence", []) if e.get("key") == "kind"]
        if kind == ["identical"]:
            ident.add(f["object"])
print("catalog unused (droppable):", sorted(wiki_unused))
print("dbperf unused with DROP:   ", sorted(droppable))
print("dbperf unused without DROP:", sorted(other))
print("catalog duplicate groups:  ", [sorted(g) for g in groups])
print("dbperf duplicate-index:    ", sorted(dup), "identical:", sorted(ident))
if not wiki_unused or wiki_unused != droppable:
    fails.append(f"unused: only catalog {sorted(wiki_unused - droppable)}, "
                 f"only dbperf {sorted(droppable - wiki_unused)}")
for must in ("rules_t.t.t_c_key", "rules_t.t.t_u", "rules_t.t.t_pkey"):
    if must in droppable:
        fails.append(f"{must} backs a constraint / replica identity but has a DROP")
if not groups:
    fails.append("the catalog found no duplicate group")
# of a group of n identical indexes at least n - 1 go (all n when a longer index serves them)
for g in groups:
    n = len(g & dup)
    if n < len(g) - 1:
        fails.append(f"group {sorted(g)}: dbperf reports {n}, expected {len(g) - 1}")
for o in ident:
    if not any(o in g for g in groups):
        fails.append(f"{o}: dbperf says identical, the catalog does not")
# t_used (b) is a left prefix of t_b_a (b, a); t_a, t_a_again of t_a_b
for must in ("rules_t.t.t_used", "rules_t.t.t_a", "rules_t.t.t_a_again", "rules_t.t.t_a_open2",
             "rules_t.t.t_c"):
    if must not in dup:
        fails.append(f"{must} is redundant but not reported")
# another operator class, another order, the longer keys, constraints: not duplicates
for must_not in ("rules_t.t.t_s", "rules_t.t.t_s_pattern", "rules_t.t.t_b_a", "rules_t.t.t_a_b",
                 "rules_t.t.t_c_key", "rules_t.t.t_pkey", "rules_t.t.t_u"):
    if must_not in dup:
        fails.append(f"{must_not} is not a duplicate")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY
