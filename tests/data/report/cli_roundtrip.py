#!/usr/bin/env python3
# cli_roundtrip.py -- the report through the real binary, on real logs.
#
# usage: cli_roundtrip.py DBPERF SCHEMA WORKDIR SOURCE...
#  1. `dbperf audit --format json --top 0 SOURCE...` -> a.json, valid against SCHEMA,
#     with statements;
#  2. `dbperf audit --format json --top 0 a.json` (detected as dbperf-json) -> b.json,
#     valid, with the same statements (aggregates, quantiles, plans) as a.json;
#  3. the text report of a.json: no line over 80 columns, no colour when not on a
#     terminal; with --top 3 at most 3 statement rows;
#  4. the Markdown report of a.json starts with its title and has the statements table.
import json
import os
import subprocess
import sys

import jsonschema


def run(args, env):
    p = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in (0, 1):
        sys.exit("FAIL: %s exited %d\n%s" % (" ".join(args), p.returncode, p.stderr.decode()))
    return p.stdout.decode("utf-8")


def comparable(doc):
    out = []
    for s in doc["statements"]:
        s = dict(s)
        s.pop("source")
        out.append(s)
    return out


def main():
    dbperf, schema_path, work = sys.argv[1:4]
    sources = sys.argv[4:]
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, DBPERF_NOW="2024-01-01T00:00:00Z", NO_COLOR="1")
    with open(schema_path) as f:
        validator = jsonschema.Draft202012Validator(json.load(f))
    a_path, b_path = os.path.join(work, "a.json"), os.path.join(work, "b.json")
    run([dbperf, "audit", "--format", "json", "--top", "0", "-o", a_path] + sources, env)
    run([dbperf, "audit", "--format", "json", "--top", "0", "-o", b_path, a_path], env)
    docs = []
    for path in (a_path, b_path):
        with open(path) as f:
            doc = json.load(f)
        errors = list(validator.iter_errors(doc))
        for e in errors[:5]:
            print("%s: %s: %s" % (path, "/".join(map(str, e.path)), e.message))
        if errors:
            sys.exit("FAIL: %s does not match the schema" % path)
        if doc["generated_at"] != "2024-01-01T00:00:00Z":
            sys.exit("FAIL: DBPERF_NOW not honoured: %s" % doc["generated_at"])
        docs.append(doc)
    a, b = docs
    if not a["statements"]:
        sys.exit("FAIL: no statements in %s" % a_path)
    if b["sources"][0]["type"] != "dbperf-json":
        sys.exit("FAIL: a.json not read as dbperf-json: %s" % b["sources"][0])
    if comparable(a) != comparable(b):
        for x, y in zip(comparable(a), comparable(b)):
            if x != y:
                for k in x:
                    if x.get(k) != y.get(k):
                        print("  %s: %r != %r" % (k, x.get(k), y.get(k)))
                break
        sys.exit("FAIL: statements differ after reading the report back (%d vs %d)"
                 % (len(a["statements"]), len(b["statements"])))

    for top in ("0", "3"):
        text = run([dbperf, "audit", "--top", top, a_path], dict(env, NO_COLOR=""))
        if "\033" in text:
            sys.exit("FAIL: colour in text output that is not a terminal")
        for n, line in enumerate(text.split("\n"), 1):
            if len(line) > 80:
                sys.exit("FAIL: text line %d has %d columns: %s" % (n, len(line), line))
        if "Top statements by total time" not in text:
            sys.exit("FAIL: no statements table in the text report")
        if top == "3":
            rows = text.split("Top statements by total time")[1].split("\n\n")[1]
            n_rows = len(rows.strip("\n").split("\n")) - 1
            if n_rows != min(3, len(a["statements"])):
                sys.exit("FAIL: --top 3 printed %d statement rows" % n_rows)
    md = run([dbperf, "audit", "--format", "markdown", a_path], env)
    if not md.startswith("# dbperf audit report\n") or "| # | Total ms |" not in md:
        sys.exit("FAIL: unexpected Markdown report")
    print("cli_roundtrip: %d statements, %d findings, round trip ok"
          % (len(a["statements"]), len(a["findings"])))


if __name__ == "__main__":
    main()
