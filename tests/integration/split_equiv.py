#!/usr/bin/env python3
"""split_equiv.py -- `dbperf audit -j N` gives the same report as `-j 1`.

    split_equiv.py DBPERF CORPUS WORKDIR

Every log that can be split (PostgreSQL stderr, csvlog and jsonlog, MySQL/MariaDB slow logs,
mongod JSON logs) is audited once in one pass and once in many chunks: DBPERF_SPLIT_MIN_BYTES
lowers the chunk size from 8 MiB to a few KiB, so that a small file is cut in dozens of places
(between the entries of one session, through N+1 runs, after `use db;` lines). The two JSON
reports must be equal in every field but the generation time: statement classes, calls, times,
percentiles, rows, first/last seen, plans, findings, N+1 bursts, diagnostics with their line
numbers, sources, exit status.

Inputs: the corpus logs (percona-toolkit and go-mysql slow logs, pgbadger fixtures, mongod
logs; gzip ones are inflated first, since only plain files are split), and logs generated here
with N+1 bursts in many interleaved sessions, in each format, so that runs cross chunk
boundaries for certain. A test where no file was split fails.
"""
import glob
import gzip
import json
import os
import random
import subprocess
import sys

DBPERF, CORPUS, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
# --wrap CMD...: run dbperf under CMD (valgrind); --generated-only: the generated logs and a few
# small corpus ones (for the slow wrapper)
WRAP, QUICK = [], False
rest = sys.argv[4:]
while rest:
    if rest[0] == "--generated-only":
        QUICK = True
        rest = rest[1:]
    elif rest[0] == "--wrap":
        WRAP = rest[1:]
        rest = []
    else:
        sys.exit("split_equiv.py: unknown option " + rest[0])
os.makedirs(WORK, exist_ok=True)


def gen_sessions(seed, n_lines):
    """Interleaved sessions: a parent statement then a burst of one child statement (N+1),
    sometimes a pause, sometimes another statement; yields (session, ts_s, kind, id)."""
    rnd = random.Random(seed)
    t = 1_790_000_000.0
    sessions = {s: [] for s in range(1, 13)}
    out = []
    while len(out) < n_lines:
        s = rnd.choice(list(sessions))
        if not sessions[s]:
            plan = [("parent", rnd.randint(1, 9))]
            plan += [("child", rnd.randint(1, 500)) for _ in range(rnd.randint(1, 40))]
            if rnd.random() < 0.3:
                plan.append(("other", rnd.randint(1, 9)))
            sessions[s] = plan
        kind, ident = sessions[s].pop(0)
        t += rnd.choice([0.0004, 0.002, 0.01, 0.3, 2.5 if rnd.random() < 0.05 else 0.001])
        out.append((s, t, kind, ident, rnd.randint(1, 90000) / 1000.0))
    return out


SQL = {
    "parent": "SELECT id, customer_id FROM orders WHERE status = {} ORDER BY id LIMIT 20",
    "child": "SELECT id, name FROM customers WHERE id = {}",
    "other": "UPDATE orders SET note = 'x' WHERE id = {}",
}


def ts_text(t):
    import datetime
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (d.microsecond // 1000)


def write_generated():
    files = []
    ev = gen_sessions(1, 30000)
    p = os.path.join(WORK, "gen-pg-stderr.log")
    with open(p, "w") as f:
        for s, t, k, i, ms in ev:
            f.write("%s UTC [%d] user=app,db=shop LOG:  duration: %.3f ms  statement: %s\n"
                    % (ts_text(t), 4000 + s, ms, SQL[k].format(i)))
            if k == "other" and i % 3 == 0:  # a multi-line statement now and then
                f.write("\tAND true\n")
    files.append(p)
    p = os.path.join(WORK, "gen-pg-json.json")
    with open(p, "w") as f:
        for s, t, k, i, ms in ev:
            f.write(json.dumps({"timestamp": ts_text(t) + " UTC", "user": "app", "dbname": "shop",
                                "pid": 4000 + s, "session_id": "65a.%x" % s,
                                "error_severity": "LOG",
                                "message": "duration: %.3f ms  statement: %s"
                                % (ms, SQL[k].format(i))}) + "\n")
    files.append(p)
    p = os.path.join(WORK, "gen-pg-csv.csv")
    with open(p, "w") as f:
        for n, (s, t, k, i, ms) in enumerate(ev):
            msg = ("duration: %.3f ms  statement: %s" % (ms, SQL[k].format(i))).replace('"', '""')
            f.write('%s UTC,"app","shop",%d,"127.0.0.1:5%04d",65a.%x,%d,"SELECT",%s UTC,3/%d,0,'
                    'LOG,00000,"%s",,,,,,,,,"psql","client backend",,0\n'
                    % (ts_text(t), 4000 + s, s, s, n, ts_text(t - 100), n, msg))
    files.append(p)
    p = os.path.join(WORK, "gen-slow.log")
    with open(p, "w") as f:
        f.write("/usr/sbin/mariadbd, Version: 10.11.6-MariaDB-0+deb12u1-log (Debian 12). "
                "started with:\nTcp port: 3306  Unix socket: /run/mysqld/mysqld.sock\n"
                "Time                Id Command    Argument\n")
        db = {}
        for n, (s, t, k, i, ms) in enumerate(ev):
            import datetime
            d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
            f.write("# Time: %s\n" % d.strftime("%y%m%d %H:%M:%S"))
            f.write("# User@Host: app[app] @ localhost []\n")
            f.write("# Thread_id: %d  Schema:   QC_hit: No\n" % (100 + s))
            f.write("# Query_time: %.6f  Lock_time: 0.000010  Rows_sent: 1  Rows_examined: %d\n"
                    % (ms / 1000.0, 1 if k == "child" else 200))
            if db.get(s) is None or n % 97 == 0:  # `use` only now and then: carried over
                db[s] = "shop%d" % (n % 2)
                f.write("use %s;\n" % db[s])
            f.write("SET timestamp=%d;\n%s;\n" % (int(t), SQL[k].format(i).replace("'", "'")))
    files.append(p)
    p = os.path.join(WORK, "gen-mongod.log")
    with open(p, "w") as f:
        for s, t, k, i, ms in ev:
            coll = {"parent": "orders", "child": "customers", "other": "orders"}[k]
            filt = {"parent": {"status": i}, "child": {"_id": i}, "other": {"note": i}}[k]
            doc = {"t": {"$date": ts_text(t).replace(" ", "T") + "+00:00"}, "s": "I",
                   "c": "COMMAND", "id": 51803, "ctx": "conn%d" % s, "msg": "Slow query",
                   "attr": {"type": "command", "ns": "shop." + coll,
                            "command": {"find": coll, "filter": filt, "$db": "shop"},
                            "planSummary": "IXSCAN { _id: 1 }" if k == "child" else "COLLSCAN",
                            "keysExamined": 1, "docsExamined": 1 if k == "child" else 5000,
                            "nreturned": 1, "queryHash": "%08X" % (hash(k) & 0xffffffff),
                            "durationMillis": int(ms)}}
            f.write(json.dumps(doc, separators=(",", ":")) + "\n")
    files.append(p)
    # awkward files: CRLF line ends, no final newline, a 20 MB line in the middle (passed
    # over when looking for a split point), binary garbage between entries, empty lines
    src = open(os.path.join(WORK, "gen-pg-stderr.log"), "rb").read()
    p = os.path.join(WORK, "odd-crlf-nofinal.log")
    with open(p, "wb") as f:
        f.write(src.replace(b"\n", b"\r\n")[:-2])
    files.append(p)
    p = os.path.join(WORK, "odd-long-line.log")
    half = src.index(b"\n", len(src) // 2) + 1
    with open(p, "wb") as f:
        f.write(src[:half] + b"2026-11-26 10:00:00.000 UTC [77] LOG:  duration: 1.000 ms  "
                b"statement: SELECT '" + b"x" * (20 << 20) + b"'\n" + src[half:])
    files.append(p)
    p = os.path.join(WORK, "odd-garbage.log")
    rnd = random.Random(7)
    lines = src.split(b"\n")
    with open(p, "wb") as f:
        for n, l in enumerate(lines):
            f.write(l + b"\n")
            if n % 997 == 0:
                f.write(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 300))) + b"\n")
            if n % 1499 == 0:
                f.write(b"\n\n")
    files.append(p)
    slow = open(os.path.join(WORK, "gen-slow.log"), "rb").read()
    p = os.path.join(WORK, "odd-slow-garbage.log")
    with open(p, "wb") as f:
        cut = slow.index(b"# Time:", len(slow) // 3)
        f.write(slow[:cut] + b"\x00\xff# Time: garbage\n" + bytes(range(256)) + b"\n" + slow[cut:])
    files.append(p)
    return files


def corpus_files():
    pats = ["percona-toolkit/slowlogs/*", "go-mysql/slow-logs/*", "pgbadger/fixtures/*",
            "mongodb/logs/*", "hatchet/logs/*.gz", "pgreplay/*"]
    out = []
    for pat in pats:
        for f in sorted(glob.glob(os.path.join(CORPUS, pat))):
            if not os.path.isfile(f) or f.endswith((".bz2", ".exp", ".md")):
                continue
            if f.endswith(".gz"):
                plain = os.path.join(WORK, "corpus-" + os.path.basename(f)[:-3])
                try:
                    with gzip.open(f, "rb") as g, open(plain, "wb") as o:
                        o.write(g.read())
                except (OSError, EOFError):
                    continue
                f = plain
            out.append(f)
    return out


def audit(path, jobs):
    env = dict(os.environ, DBPERF_SPLIT_MIN_BYTES="1024", DBPERF_SPLIT_TRACE="1", NO_COLOR="1")
    out = os.path.join(WORK, "j%d.json" % jobs)
    r = subprocess.run(WRAP + [DBPERF, "audit", "-j", str(jobs), "-n", "0", "-f", "json", "-o", out,
                        path], env=env, capture_output=True, text=True, timeout=600)
    with open(out) as f:
        rep = json.load(f)
    rep.pop("generated_at", None)
    # libmongoc's constructor warns on stderr when a stale /dev/shm/mongoc-PID file (of a
    # killed process with the same pid) is in the way: not dbperf's output
    err = "\n".join(l for l in r.stderr.splitlines()
                     if not l.endswith(" chunks") and "mongoc: Falling back" not in l)
    chunks = [l for l in r.stderr.splitlines() if l.endswith(" chunks")]
    err = "\n".join(l for l in err.splitlines() if not l.endswith(" read in one pass"))
    if any(l.endswith(" read in one pass") for l in r.stderr.splitlines()):
        chunks = ["one pass: state crosses chunk edges"]
    return r.returncode, rep, err, chunks


def first_diff(a, b, path=""):
    if type(a) != type(b):
        return "%s: %r != %r" % (path, a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s: only in one report" % (path, k)
            d = first_diff(a[k], b[k], path + "." + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d items != %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    if isinstance(a, float):
        return None if abs(a - b) <= 1e-9 * max(1.0, abs(a)) else "%s: %r != %r" % (path, a, b)
    return None if a == b else "%s: %r != %r" % (path, a, b)


def main():
    files = write_generated() + corpus_files()
    if QUICK:
        files = [f for f in files if "odd-long-line" not in f and
                 (os.path.basename(f).startswith(("gen-", "odd-")) or "slow002" in f or
                  "hatchet-replica" in f or "pgreplay/errlog" in f)]
    split = failed = 0
    bursts_split = 0
    for f in files:
        rc1, r1, e1, _ = audit(f, 1)
        rc2, r2, e2, ch = audit(f, 48)
        name = os.path.relpath(f, CORPUS) if f.startswith(CORPUS) else os.path.basename(f)
        if not ch:
            print("one pass (no split point or too small): %s" % name)
        else:
            split += 1
            if r1.get("bursts"):
                bursts_split += 1
        d = first_diff(r1, r2)
        if rc1 != rc2:
            d = (d + "; " if d else "") + "exit %d != %d" % (rc1, rc2)
        if WRAP and 1 in (rc1, rc2):  # audit without --fail-on never exits 1: the wrapper did
            d = (d + "; " if d else "") + "the wrapper reported errors:\n" + e1 + "\n" + e2
        if e1 != e2:
            d = (d + "; " if d else "") + "stderr differs:\n  -j 1: %s\n  -j 48: %s" % (e1, e2)
        if d:
            failed += 1
            print("FAIL %s (%s): %s" % (name, ch[0] if ch else "not split", d))
        else:
            print("ok   %s: %s, %d classes, %d bursts, exit %d"
                  % (name, ch[0].split(": ")[-1] if ch else "1 chunk",
                     r1["summary"]["statements"], len(r1.get("bursts", [])), rc1))
    print("%d files, %d split, %d of those with N+1 bursts, %d differ" %
          (len(files), split, bursts_split, failed))
    if split < (6 if QUICK else 10) or bursts_split < 3:
        print("FAIL: too few files were split to mean anything")
        return 1
    return 1 if failed else 0


sys.exit(main())
