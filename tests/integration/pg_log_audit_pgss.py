#!/usr/bin/env python3
"""pg_log_audit_pgss.py -- `dbperf audit --format json` on PostgreSQL logs against the
server's pg_stat_statements: the calls of every statement class must be equal.

    pg_log_audit_pgss.py DBPERF PGSS.json LOG...

Each LOG is read by `dbperf audit --format json -n 0` with its format detected (gzip is
read directly). PGSS.json holds `json_agg` rows with "query" and "calls". Classes are
joined by normalized text: the pg_stat_statements text is fingerprinted by
`dbperf fingerprint --style pgss` (one statement per line, so newlines become spaces: the
workload holds no `--` comments), and on both sides whitespace runs become one space and
trailing semicolons go. Statements containing "dbperf-pgss-dump" (the query that read
pg_stat_statements) are left out. Exit 0 when every class agrees, 1 otherwise.
"""
import json
import re
import subprocess
import sys


def key(text):
    return re.sub(r"\s+", " ", text).strip().rstrip(";").strip()


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    dbperf, pgss_path, logs = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(pgss_path) as f:
        rows = [r for r in json.load(f) if r["calls"] > 0 and "dbperf-pgss-dump" not in r["query"]]
    one_line = "".join(re.sub(r"\s+", " ", r["query"]) + "\n" for r in rows)
    fp = subprocess.run([dbperf, "fingerprint", "--style", "pgss"], input=one_line,
                        capture_output=True, text=True, check=True).stdout.splitlines()
    if len(fp) != len(rows):
        print(f"FAIL: dbperf fingerprint gave {len(fp)} lines for {len(rows)} statements")
        return 1
    want = {}
    for r, f in zip(rows, fp):
        want[key(f)] = want.get(key(f), 0) + r["calls"]
    bad = 0
    for log in logs:
        p = subprocess.run([dbperf, "audit", "--format", "json", "-n", "0", log],
                           capture_output=True, text=True)
        if p.returncode != 0:
            print(f"FAIL: dbperf audit {log} exited {p.returncode}: {p.stderr.strip()}")
            bad += 1
            continue
        rep = json.loads(p.stdout)
        src = rep["sources"][0]
        got = {}
        for st in rep["statements"]:
            if "dbperf-pgss-dump" in st["text"]:
                continue
            got[key(st["text"])] = got.get(key(st["text"]), 0) + st["calls"]
        diff = [(k, got.get(k, 0), want.get(k, 0)) for k in sorted(set(got) | set(want))
                if got.get(k, 0) != want.get(k, 0)]
        for k, g, w in diff:
            print(f"  MISMATCH calls: dbperf {g}, pg_stat_statements {w}: {k[:110]}")
        print(f"{log}: {src.get('type')}, {len(got)} classes, {sum(got.values())} calls; "
              f"pg_stat_statements {len(want)} classes, {sum(want.values())} calls; "
              f"{len(diff)} disagree")
        bad += len(diff) > 0
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
