#!/usr/bin/env bash
# my_live_cli.sh -- `dbperf audit` against the my_live fixture's MariaDB (tests/mylive.cmake):
# the JSON report carries the workload's classes, plans and index flags; an unreachable
# server or a wrong password is one line on stderr without the password, and exit 3.
#   my_live_cli.sh DBPERF STATE
set -euo pipefail
DBPERF=${1:?usage: my_live_cli.sh DBPERF STATE}
STATE=${2:?usage: my_live_cli.sh DBPERF STATE}
PORT=$(sed -n 's/^PORT=//p' "$STATE")
[ -n "$PORT" ] || { echo "my_live_cli.sh: no PORT in $STATE" >&2; exit 1; }
OUT=$(mktemp -d /tmp/dbpmycli.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
fail=0

# a healthy run: exit 0, a JSON report
if ! "$DBPERF" audit --format json -o "$OUT/report.json" \
     "mysql://bench:bench@127.0.0.1:$PORT/bench" 2>"$OUT/err"; then
  echo "FAIL: audit exited $? on a healthy server: $(cat "$OUT/err")"; fail=1
fi
python3 - "$OUT/report.json" "$PORT" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
port = sys.argv[2]
bad = []
src = d["sources"][0]
if src["name"] != "mysql://bench@127.0.0.1:%s/bench" % port: bad.append("source name %r" % src["name"])
if src["status"] != "ok" or "MariaDB" not in (src["server_version"] or ""): bad.append("source %r" % src)
if not src["counters_since"]: bad.append("no counters_since")
st = [s for s in d["statements"] if s["text"].startswith("SELECT ID , `created_at` FROM EVENTS WHERE")]
if len(st) != 1 or st[0]["calls"] != 30 or st[0]["source"] != "performance_schema" or not st[0]["plan"]:
    bad.append("scan class %r" % st)
ix = {(i["table"], i["name"]): i for i in d["indexes"]}
fk = ix.get(("order_items", "fk_items_order"))
if not fk or "foreign-key" not in fk["flags"]: bad.append("fk_items_order %r" % fk)
uq = ix.get(("customers", "uq_customers_email"))
if not uq or "unique" not in uq["flags"] or uq["scans"] != 0: bad.append("uq_customers_email %r" % uq)
if "bench.orders.idx_orders_status" not in [f["object"] for f in d["findings"] if f["rule"] == "duplicate-index"]:
    bad.append("no duplicate-index finding for idx_orders_status")
for b in bad: print("FAIL:", b)
sys.exit(1 if bad else 0)
PY

# a wrong password and a dead port: exit 3, one line naming the server, no password
for target in "mysql://bench:Wr0ngPw-31@127.0.0.1:$PORT/bench" \
              "mysql://bench:Wr0ngPw-31@127.0.0.1:1/bench?connect_timeout=2"; do
  set +e
  "$DBPERF" audit --format json -o "$OUT/bad.json" "$target" 2>"$OUT/err"
  rc=$?
  set -e
  shown=${target/:Wr0ngPw-31@/@}; shown=${shown%%\?*}
  [ "$rc" -eq 3 ] || { echo "FAIL: $target: exit $rc, want 3"; fail=1; }
  [ "$(wc -l <"$OUT/err")" -eq 1 ] || { echo "FAIL: $target: stderr not one line:"; cat "$OUT/err"; fail=1; }
  grep -q "Wr0ngPw-31" "$OUT/err" "$OUT/bad.json" && { echo "FAIL: $target: password shown"; fail=1; }
  grep -qF "$shown" "$OUT/err" || { echo "FAIL: $target: stderr does not name $shown: $(cat "$OUT/err")"; fail=1; }
done
exit $fail
