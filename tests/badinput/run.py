#!/usr/bin/env python3
"""tests/badinput/run.py -- the bad-input corpus: dbperf audit on broken input.

    run.py DBPERF CORPUS WORKDIR [--only NAME] [--skip-big] [--wrap CMD...]

Each case gives dbperf audit one bad input (committed here, or made at test time: binary
garbage, a truncated gzip, a 100 MB single line, corpus MongoDB logs broken or extended, a
server that closes the connection in the middle of a result) together with good input, and
checks:
  - the exit status (3 when a source could not be read or data in it was skipped, 0 when the
    input is odd but fully usable),
  - stderr: exactly one line per bad source, "dbperf: " then the file:line or the server
    (password removed) and what is wrong, matching the case's pattern,
  - the JSON report (valid UTF-8 JSON): each source's status, entries and skipped counts,
    so the rest of the input was still processed.
--wrap runs dbperf under a command (valgrind); --skip-big leaves out the 100 MB line.
Prints one line per case; exits 1 if any case fails.
"""
import gzip
import json
import os
import random
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def make_inputs(work, corpus, skip_big):
    """Inputs made at test time; returns name -> path."""
    p = {}
    rnd = random.Random(20261126)
    p["garbage"] = write(os.path.join(work, "garbage.bin"),
                         bytes(rnd.randrange(256) for _ in range(4096)))
    with open(os.path.join(HERE, "pg-invalid-utf8.log"), "rb") as f:
        pglog = f.read()
    gz = gzip.compress(pglog * 20)
    p["gz"] = write(os.path.join(work, "truncated.log.gz"), gz[: len(gz) // 2])
    p["gz_garbage"] = write(os.path.join(work, "not-really.gz"),
                            b"\x1f\x8b\x08\x00" + bytes(rnd.randrange(256) for _ in range(2000)))
    if not skip_big:
        lines = pglog.split(b"\n")
        big = (b"\n".join(lines[:20]) + b"\n"
               + lines[20].split(b"statement: ")[0] + b"statement: SELECT '"
               + b"x" * (100 << 20) + b"';\n" + b"\n".join(lines[21:]))
        p["big"] = write(os.path.join(work, "one-100mb-line.log"), big)
    with open(os.path.join(corpus, "mongodb/logs/hatchet-mongod-6.0.11-slowquery-sample.log"),
              "rb") as f:
        mlines = f.read().rstrip(b"\n").split(b"\n")
    broken = mlines[:10] + [mlines[10][: len(mlines[10]) // 2]] + mlines[11:]
    p["mongo_broken"] = write(os.path.join(work, "mongod-broken.log"), b"\n".join(broken) + b"\n")
    fut = [l.replace(b'"attr":{', b'"attr":{"futureField":{"x":[1,{"y":"z"}]},"newCounter":7,', 1)
           .replace(b'"ctx":', b'"tenant":"t1","ctx":', 1) for l in mlines]
    p["mongo_future"] = write(os.path.join(work, "mongod-future.log"), b"\n".join(fut) + b"\n")
    p["mongo_n"] = sum(1 for l in mlines if b'"Slow query"' in l)
    plans = os.path.join(HERE, "..", "data", "plans")
    for name in ("pg-join-sort-analyze.json", "mariadb-join-analyze.json"):
        with open(os.path.join(plans, name), "rb") as f:
            plan = f.read()
        p["trunc-" + name] = write(os.path.join(work, "trunc-" + name), plan[: len(plan) // 2])
    p["good-text-plan"] = os.path.join(plans, "pg-join-sort-analyze.txt")
    return p


def start_halfserver(kind, work):
    portfile = os.path.join(work, "halfserver-%s.port" % kind)
    if os.path.exists(portfile):
        os.unlink(portfile)
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "halfserver.py"), kind, portfile])
    for _ in range(100):
        if os.path.exists(portfile):
            with open(portfile) as f:
                return proc, int(f.read())
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("halfserver did not start")


def local(name):
    return os.path.join(HERE, name)


def cases(p):
    """(name, sources, extra args, exit, [stderr patterns], {source: checks})"""
    c = [
        ("truncated csvlog", [local("pg-truncated.csv")], [], 3,
         [r"^dbperf: .*pg-truncated\.csv:81: csv record not terminated"],
         {"pg-truncated.csv": dict(status="format", entries=80, skipped=1)}),
        ("broken jsonlog record", [local("pg-broken-record.json")], [], 3,
         [r"^dbperf: .*pg-broken-record\.json:41: "],
         {"pg-broken-record.json": dict(status="format", entries=80, skipped=1)}),
        ("jsonlog of a future server (unknown fields)", [local("pg-future-fields.json")], [], 0,
         [], {"pg-future-fields.json": dict(status="ok", entries=60, skipped=0)}),
        ("invalid UTF-8 in a stderr log", [local("pg-invalid-utf8.log")], ["--show-literals"], 0,
         [], {"pg-invalid-utf8.log": dict(status="ok", entries=81, skipped=0)}),
        ("slow log cut inside an entry", [local("my-truncated-slow.log")], [], 3,
         [r"^dbperf: .*my-truncated-slow\.log:\d+: slow log entry without a statement"],
         {"my-truncated-slow.log": dict(status="format", entries=40, skipped=1)}),
        ("slow log of a future server (unknown header fields)", [local("my-future-fields.log")],
         [], 0, [], {"my-future-fields.log": dict(status="ok", entries=40, skipped=0)}),
        ("binary garbage beside a good log", [p["garbage"], local("pg-future-fields.json")], [], 3,
         [r"^dbperf: .*garbage\.bin: not a recognised log"],
         {"pg-future-fields.json": dict(status="ok", entries=60)}),
        ("binary garbage read as a stderr log", [p["garbage"]], ["--type", "postgres-stderr"], 3,
         [r"^dbperf: .*garbage\.bin:\d+: "], {"garbage.bin": dict(status="format", entries=0)}),
        ("truncated gzip", [p["gz"]], [], 3,
         [r"^dbperf: .*truncated\.log\.gz: corrupt or truncated gzip data after line \d+"],
         {"truncated.log.gz": dict(status="io", min_entries=100)}),
        ("gzip magic then garbage", [p["gz_garbage"], local("my-future-fields.log")], [], 3,
         [r"^dbperf: .*not-really\.gz: "],
         {"my-future-fields.log": dict(status="ok", entries=40)}),
        ("mongod JSON log with a line cut in half", [p["mongo_broken"]], [], 3,
         [r"^dbperf: .*mongod-broken\.log:11: "],
         {"mongod-broken.log": dict(status="format", entries=p["mongo_n"] - 1, skipped=1)}),
        ("mongod JSON log of a future server (unknown fields)", [p["mongo_future"]], [], 0, [],
         {"mongod-future.log": dict(status="ok", entries=p["mongo_n"], skipped=0)}),
    ]
    c += [
        ("EXPLAIN (FORMAT JSON) cut in half, beside a text plan",
         [p["trunc-pg-join-sort-analyze.json"], p["good-text-plan"]], [], 3,
         [r"^dbperf: .*trunc-pg-join-sort-analyze\.json:\d+: invalid JSON"],
         {"trunc-pg-join-sort-analyze.json": dict(status="format", entries=0, skipped=1),
          "pg-join-sort-analyze.txt": dict(status="ok", entries=1)}),
        ("MariaDB ANALYZE FORMAT=JSON cut in half", [p["trunc-mariadb-join-analyze.json"]], [], 3,
         [r"^dbperf: .*trunc-mariadb-join-analyze\.json:\d+: invalid JSON"],
         {"trunc-mariadb-join-analyze.json": dict(status="format", entries=0, skipped=1)}),
    ]
    if "big" in p:
        c.append(("a 100 MB single line", [p["big"]], [], 3,
                  [r"^dbperf: .*one-100mb-line\.log:21: line of \d+ bytes is longer than"],
                  {"one-100mb-line.log": dict(status="format", entries=80, skipped=1)}))
    return c


def check_case(dbperf, wrap, work, case):
    name, sources, extra, want_rc, patterns, checks = case
    out = os.path.join(work, "report.json")
    if os.path.exists(out):
        os.unlink(out)
    cmd = wrap + [dbperf, "audit", "--format", "json", "-n", "0", "-o", out] + extra + sources
    r = subprocess.run(cmd, capture_output=True, timeout=600)
    errs = []
    if r.returncode != want_rc:
        errs.append("exit %d, want %d" % (r.returncode, want_rc))
    lines = [l for l in r.stderr.decode("utf-8", "replace").split("\n") if l]
    if wrap:  # valgrind's own lines start with ==pid==
        lines = [l for l in lines if not re.match(r"^==\d+==", l)]
    if len(lines) != len(patterns):
        errs.append("%d stderr lines, want %d: %r" % (len(lines), len(patterns), lines[:4]))
    for pat in patterns:
        if not any(re.search(pat, l) for l in lines):
            errs.append("no stderr line matches %r: %r" % (pat, lines[:4]))
    for l in lines:
        if "secret" in l:
            errs.append("password printed: %r" % l)
    try:
        with open(out, "rb") as f:
            rep = json.loads(f.read().decode("utf-8"))  # strict: the report is valid UTF-8
    except (OSError, ValueError) as e:
        return errs + ["no valid JSON report: %s" % e]
    by_name = {os.path.basename(s["name"]) if "://" not in s["name"] else s["name"]: s
               for s in rep.get("sources", [])}
    for src, want in checks.items():
        s = by_name.get(src)
        if s is None and src.startswith("server:"):
            s = next((v for k, v in by_name.items() if "://" in k), None)
        if s is None:
            errs.append("source %s missing from the report (%s)" % (src, list(by_name)))
            continue
        for k, v in want.items():
            if k == "min_entries":
                if s["entries"] < v:
                    errs.append("%s: %d entries, want >= %d" % (src, s["entries"], v))
            elif k == "error_re":
                if not re.search(v, s.get("error") or ""):
                    errs.append("%s: error %r does not match %r" % (src, s.get("error"), v))
            elif s.get(k) != v:
                errs.append("%s: %s = %r, want %r" % (src, k, s.get(k), v))
    return errs


def main():
    args = sys.argv[1:]
    wrap, only, skip_big = [], None, False
    if "--wrap" in args:
        i = args.index("--wrap")
        wrap = args[i + 1:]
        args = args[:i]
    if "--skip-big" in args:
        args.remove("--skip-big")
        skip_big = True
    if "--only" in args:
        i = args.index("--only")
        only = args[i + 1]
        del args[i:i + 2]
    if len(args) != 3:
        sys.exit(__doc__)
    dbperf, corpus, work = args
    os.makedirs(work, exist_ok=True)
    p = make_inputs(work, corpus, skip_big)
    all_cases = cases(p)
    servers = []
    try:
        for kind, url, good, n in (("pg", "postgresql://dbperf:secret@127.0.0.1:%d/db",
                                    "pg-future-fields.json", 60),
                                   ("mysql", "mysql://dbperf:secret@127.0.0.1:%d/db",
                                    "my-future-fields.log", 40)):
            proc, port = start_halfserver(kind, work)
            servers.append(proc)
            all_cases.append((
                "%s server closes the connection in the middle of a result" % kind,
                [url % port, local(good)], ["--statement-timeout", "3000"], 3,
                [r"^dbperf: .*(dbperf@)?127\.0\.0\.1:%d.*(lost|closed|Lost)" % port],
                {good: dict(status="ok", entries=n),
                 "server:": dict(status="connect", entries=0,
                                 error_re=r"127\.0\.0\.1:%d" % port)}))
        failed = 0
        for case in all_cases:
            if only and only not in case[0]:
                continue
            errs = check_case(dbperf, wrap, work, case)
            if errs:
                failed += 1
                print("FAIL %s: %s" % (case[0], "; ".join(errs)))
            else:
                print("ok   %s" % case[0])
        print("%d cases, %d failed" % (len(all_cases), failed))
        return 1 if failed else 0
    finally:
        for proc in servers:
            proc.kill()
            proc.wait()
        for k in ("big",):
            if k in p and os.path.exists(p[k]):
                os.unlink(p[k])


if __name__ == "__main__":
    sys.exit(main())
