#!/usr/bin/env bash
# pg_live_audit.sh -- end to end: `dbperf audit -f json` against the fixture's server loaded
# with sql/test/pg_problems.sql finds the known problems and leaves the healthy parts alone.
#   pg_live_audit.sh DBPERF STATE
set -euo pipefail
DBPERF=${1:?usage: pg_live_audit.sh DBPERF STATE}
STATE=${2:?usage: pg_live_audit.sh DBPERF STATE}
DSN=$(sed -n 's/^DSN=//p' "$STATE")
[ -n "$DSN" ] || { echo "no DSN in $STATE: the fixture did not start a server" >&2; exit 1; }
OUT=$(mktemp /tmp/dbppg-audit.XXXXXX.json)
trap 'rm -f "$OUT"' EXIT
PSQL=("${PGBIN:-/usr/lib/postgresql/15/bin}/psql" -X -At -d "$DSN")
reset_before=$("${PSQL[@]}" -c "SELECT stats_reset FROM pg_stat_statements_info")
rc=0
"$DBPERF" audit -f json -o "$OUT" "$DSN" || rc=$?
[ "$rc" -eq 0 ] || { echo "dbperf audit exited $rc" >&2; exit 1; }
# --analyze runs statements: never one with side effects outside its transaction (the
# workload's own SELECT pg_stat_statements_reset() is among them)
rc=0
"$DBPERF" audit --analyze -f json -o /dev/null "$DSN" || rc=$?
[ "$rc" -eq 0 ] || { echo "dbperf audit --analyze exited $rc" >&2; exit 1; }
reset_after=$("${PSQL[@]}" -c "SELECT stats_reset FROM pg_stat_statements_info")
if [ "$reset_before" != "$reset_after" ]; then
  echo "FAIL: audit --analyze reset pg_stat_statements ($reset_before -> $reset_after)" >&2
  exit 1
fi
python3 - "$OUT" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fails = []
def check(ok, what):
    if not ok:
        fails.append(what)
src = d["sources"]
check(len(src) == 1 and "password" not in json.dumps(src), "one source, no password")
F = d["findings"]
def about(f, word):
    return word in (f.get("object") or "") or word in (f.get("message") or "")
# the problems
mi = [f for f in F if f["rule"] == "missing-index" and about(f, "orders") and about(f, "customer_email")]
check(len(mi) == 1, "missing-index on orders(customer_email) reported")
for f in mi:
    check(f.get("verified") == "hypopg", "missing index verified by hypopg")
    ev = {e["key"]: e["value"] for e in f.get("evidence", [])}
    check(ev.get("cost_after", 1e99) < 0.5 * ev.get("cost_before", 0), "cost drops by more than half")
check(any(f["rule"] == "seq-scan" and about(f, "orders") for f in F), "seq-scan of orders reported")
check(any(f["rule"] == "duplicate-index" and about(f, "orders_cust_idx") for f in F),
      "orders_cust_idx reported as a left prefix of orders_cust_created_idx")
for f in F:
    if f["rule"] in ("unused-index", "duplicate-index") and about(f, "orders_external_ref_key"):
        check("DROP" not in (f.get("suggestion") or ""), "the unique constraint's index is not dropped")
# the healthy parts
for f in F:
    check(not about(f, "countries"), "small table countries not flagged: %s" % f["rule"])
    check(not about(f, "orders_pkey"), "orders_pkey not flagged: %s" % f["rule"])
    check(not about(f, "order_items_order_idx") or f["rule"] != "unused-index",
          "the foreign key's index is not unused")
# the model as collected
ix = {i["name"]: i for i in d["indexes"]}
check("orders_external_ref_key" in ix and "orders_status_idx" in ix, "indexes in the report")
check(any(s.get("source") == "pg_stat_statements" or s.get("source") == "pgss" for s in d["statements"]),
      "statements from pg_stat_statements")
for w in fails:
    print("FAIL:", w, file=sys.stderr)
print("audit: %d findings, %d failed checks" % (len(F), len(fails)), file=sys.stderr)
sys.exit(1 if fails else 0)
PY
