#!/usr/bin/env bash
# rules_my_peers.sh -- unused-index and duplicate-index against their peers on a live MariaDB.
#
#   rules_my_peers.sh DBPERF STATE
#
# Starts a throwaway MariaDB (tests/integration/my_live_server.sh, state file STATE; it loads
# sql/test/my_problems.sql and runs its workload). First the unused indexes of its `bench`
# database: MariaDB's sys.schema_unused_indexes (performance_schema counters, primary keys
# left out) must list exactly the indexes dbperf's unused-index reports apart from PRIMARY,
# and dbperf must offer a DROP for none of those that back a unique key or a foreign key.
# Then it creates
# a database `dupk` with identical, left-prefix, unique, fulltext and non-redundant keys, and
# compares the indexes Percona's pt-duplicate-key-checker would drop with the indexes dbperf's
# duplicate-index rule reports (through the live MySQL driver): the two sets must be equal and
# non-empty, and every dbperf suggestion must be the ALTER TABLE ... DROP INDEX of its index.
# The server is stopped on exit. A server that cannot be started is a failure, never a skip.
set -euo pipefail
DBPERF=${1:?usage: rules_my_peers.sh DBPERF STATE}
STATE=${2:?usage: rules_my_peers.sh DBPERF STATE}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/dbprules.XXXXXX)
cleanup() { "$ROOT/tests/integration/my_live_server.sh" stop "$STATE" || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$ROOT/tests/integration/my_live_server.sh" start "$STATE" >/dev/null
PORT=$(sed -n 's/^PORT=//p' "$STATE")
SOCK=$(sed -n 's/^SOCKET=//p' "$STATE")

# -- unused-index vs sys.schema_unused_indexes --------------------------------------------
printf '[rule.unused-index]\nmin_coverage_days = 0\nmin_size_bytes = 0\n' > "$WORK/unused.conf"
"$DBPERF" audit --format json --config "$WORK/unused.conf" \
    "mysql://bench:bench@127.0.0.1:$PORT/bench" > "$WORK/unused.json"
mysql -S "$SOCK" -uroot -N -B -e "SELECT CONCAT(object_schema, '.', object_name, '.', index_name)
    FROM sys.schema_unused_indexes WHERE object_schema = 'bench'" > "$WORK/sys_unused.txt"
mysql -S "$SOCK" -uroot -N -B -e "SELECT DISTINCT CONCAT(s.table_schema, '.', s.table_name, '.',
    s.index_name) FROM information_schema.statistics s WHERE s.table_schema = 'bench' AND
    (s.non_unique = 0 OR EXISTS (SELECT 1 FROM information_schema.key_column_usage k
     WHERE k.table_schema = s.table_schema AND k.table_name = s.table_name
       AND k.column_name = s.column_name AND k.referenced_table_name IS NOT NULL
       AND s.seq_in_index = 1))" > "$WORK/protected.txt"
python3 - "$WORK/unused.json" "$WORK/sys_unused.txt" "$WORK/protected.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
peer = {l.strip() for l in open(sys.argv[2]) if l.strip()}
protected = {l.strip() for l in open(sys.argv[3]) if l.strip()}
ours = {f["object"]: f for f in d["findings"] if f["rule"] == "unused-index"}
names = {o for o in ours if not o.endswith(".PRIMARY")}
print("sys.schema_unused_indexes:", sorted(peer))
print("dbperf unused-index:      ", sorted(names))
ok = bool(peer) and peer == names
if not ok:
    print("FAIL: only sys:", sorted(peer - names), "only dbperf:", sorted(names - peer))
for o, f in ours.items():
    if (o in protected or o.endswith(".PRIMARY")) and f.get("suggestion"):
        print("FAIL:", o, "backs a unique key or a foreign key but has a DROP"); ok = False
    if o not in protected and not o.endswith(".PRIMARY") and not f.get("suggestion"):
        print("FAIL:", o, "is droppable but has no DROP"); ok = False
sys.exit(0 if ok else 1)
PY

# -- duplicate-index vs pt-duplicate-key-checker -------------------------------------------
mysql -S "$SOCK" -uroot <<'SQL'
CREATE DATABASE dupk;
USE dupk;
-- a and a_dup: identical, and both left prefixes of a_b; b_a: other order; uc: unique, not a
-- prefix to drop; d1/d2 identical
CREATE TABLE t1 (id INT PRIMARY KEY, a INT, b INT, c INT, d VARCHAR(50),
  KEY a (a), KEY a_b (a, b), KEY a_dup (a), KEY b_a (b, a), UNIQUE KEY uc (c), KEY c_d (c, d),
  KEY d1 (d), KEY d2 (d)) ENGINE=InnoDB;
-- x_idx duplicates the unique ux (which stays); y_z prefix of y_z_x
CREATE TABLE t2 (id INT PRIMARY KEY, x INT, y INT, z INT, UNIQUE KEY ux (x), KEY x_idx (x),
  KEY y_z (y, z), KEY y_z_x (y, z, x), KEY z_only (z)) ENGINE=InnoDB;
-- FULLTEXT and BTREE on the same column are not duplicates
CREATE TABLE t3 (id INT PRIMARY KEY, t TEXT, u INT, FULLTEXT KEY ft (t), KEY t_prefix (t(10)),
  KEY u1 (u)) ENGINE=InnoDB;
-- a foreign key's index next to a longer one
CREATE TABLE t4 (id INT PRIMARY KEY, p INT, q INT, KEY p_idx (p), KEY p_q (p, q),
  CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES t1 (id)) ENGINE=InnoDB;
GRANT SELECT ON dupk.* TO 'bench'@'127.0.0.1';
SQL

pt-duplicate-key-checker --socket "$SOCK" --user root --databases dupk > "$WORK/pt.txt"
"$DBPERF" audit --format json "mysql://bench:bench@127.0.0.1:$PORT/dupk" > "$WORK/dbperf.json"

python3 - "$WORK/pt.txt" "$WORK/dbperf.json" <<'PY'
import json, re, sys
pt = set()
for m in re.finditer(r"ALTER TABLE `([^`]+)`\.`([^`]+)` DROP INDEX `([^`]+)`", open(sys.argv[1]).read()):
    pt.add(f"{m.group(1)}.{m.group(2)}.{m.group(3)}")
d = json.load(open(sys.argv[2]))
ours, bad = set(), []
for f in d["findings"]:
    if f["rule"] != "duplicate-index" or not f["object"].startswith("dupk."):
        continue
    ours.add(f["object"])
    db, tbl, ix = f["object"].split(".")
    want = f"ALTER TABLE {db}.{tbl} DROP INDEX {ix};"
    if f.get("suggestion") != want:
        bad.append(f"{f['object']}: suggestion {f.get('suggestion')!r} != {want!r}")
print("pt-duplicate-key-checker:", sorted(pt))
print("dbperf duplicate-index:  ", sorted(ours))
ok = True
if not pt:
    print("FAIL: pt-duplicate-key-checker reported nothing"); ok = False
if pt != ours:
    print("FAIL: only pt:", sorted(pt - ours), "only dbperf:", sorted(ours - pt)); ok = False
for b in bad:
    print("FAIL:", b); ok = False
sys.exit(0 if ok else 1)
PY
