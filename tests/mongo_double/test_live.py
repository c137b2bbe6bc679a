#!/usr/bin/env python3
"""test_live.py -- dbperf's live MongoDB path against the wire-protocol test double.

Usage: test_live.py DBPERF CORPUS PORT CASE
  CASE secondary: readPreference=secondaryPreferred on a replica-set secondary:
       profile documents become statements, $indexStats indexes carry the replica
       flag, the set name as cluster and host:port as instance, $collStats sizes
       become tables, the top find is explained (maxTimeMS), the database whose
       profiler is off gets a diagnostic, and dbperf sent only reads -- each of
       them one of the command files under sql/mongodb/.
  CASE primary: the same server as a primary: no replica flag.
  CASE replset: a primary (PORT) and a secondary (PORT+1) in one audit: index usage is
       judged across the members of the replica set.
  CASE mongos: through a mongos: one $indexStats row per shard, each shard its own cluster.
  CASE stall: the server never answers explain: dbperf gives up within its timeouts.
  CASE refused: nothing listens: exit status 3 and a clear message, quickly.
Exits non-zero with a message on the first failed check.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SQL = os.path.join(HERE, "..", "..", "sql", "mongodb")

READS = {"isMaster", "hello", "ping", "buildInfo", "listDatabases", "profile", "find",
         "getMore", "killCursors", "endSessions", "listCollections", "aggregate", "explain"}


def check(cond, msg):
    if not cond:
        sys.exit("FAIL: " + msg)


def start_double(corpus, port, role, log, extra=()):
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "mongo_double.py"),
                          "--port", str(port), "--corpus", corpus, "--log", log,
                          "--role", role, "--timeout", "60"] + list(extra),
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    check(line.strip() == "ready", "the test double did not start: %r" % line)
    return p


def run_dbperf(dbperf, *uris):
    t0 = time.time()
    r = subprocess.run([dbperf, "audit", *uris, "--format", "json", "--statement-timeout",
                        "3000"], capture_output=True, text=True, timeout=60)
    return r, time.time() - t0


def command_files():
    """The first key of every command file (what dbperf may send)."""
    keys = set()
    for f in os.listdir(SQL):
        with open(os.path.join(SQL, f)) as fh:
            keys.add(next(iter(json.load(fh))))
    return keys


def live_case(dbperf, corpus, port, role):
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "commands.jsonl")
        p = start_double(corpus, port, role, log)
        try:
            uri = "mongodb://127.0.0.1:%d/?readPreference=secondaryPreferred" % port
            r, _ = run_dbperf(dbperf, uri)
        finally:
            p.terminate()
            p.wait(10)
        check(r.returncode == 0, "dbperf exited %d: %s" % (r.returncode, r.stderr))
        rep = json.loads(r.stdout)
        with open(log) as f:
            sent = [json.loads(x) for x in f]

    src = rep["sources"][0]
    check(src["status"] == "ok" and src["engine"] == "mongodb", "source: %r" % src)
    check(src["server_version"] == "6.0.11", "server version %r" % src["server_version"])
    check(src["entries"] == 4, "4 system.profile documents taken, got %r" % src["entries"])

    # statements: the corpus profile holds 2 finds and 2 updates on integration.customers
    texts = {s["text"]: s for s in rep["statements"]}
    find = [t for t in texts if t.startswith("find customers ")]
    upd = [t for t in texts if t.startswith("update customers ")]
    check(len(find) == 1 and len(upd) == 1, "statements: %r" % list(texts))
    check(texts[find[0]]["calls"] == 2 and texts[upd[0]]["calls"] == 2, "calls")
    check(texts[find[0]]["source"] == "profiler", "source of the class: %r" %
          texts[find[0]]["source"])

    # explain of the top find: a plan in the report, from the double's explain reply
    fp = texts[find[0]].get("plan") or {}
    check(fp.get("format") == "mongodb-explain" and fp.get("analyzed"),
          "the top find's plan is not its explain: %r" % fp.get("format"))
    check(fp["root"]["kind"] == "full-scan", "explain root %r" % fp["root"]["kind"])
    check(texts[upd[0]]["plan"]["format"] == "mongodb-profile", "the update keeps its "
          "profiler plan (never explained)")

    # indexes from $indexStats
    ix = {i["name"]: i for i in rep["indexes"]}
    check({"_id_", "age_-1", "name_1", "name_1_age_1"} <= set(ix), "indexes %r" % list(ix))
    for i in ix.values():
        check(i["database"] == "integration" and i["table"] == "customers", "index %r" % i)
        check(":" in i["instance"], "instance host:port: %r" % i["instance"])
        if role == "secondary":
            check("replica" in i["flags"], "replica flag on %r" % i)
            check(i["cluster"] == "rs0", "cluster %r" % i["cluster"])
        else:
            check("replica" not in i["flags"], "no replica flag on a primary: %r" % i)
    check("primary" in ix["_id_"]["flags"], "_id_ flags %r" % ix["_id_"]["flags"])
    check(ix["name_1_age_1"]["columns"] == ["name", "age"], "columns %r" %
          ix["name_1_age_1"]["columns"])
    check(ix["age_-1"]["columns"] == ["age DESC"], "columns %r" % ix["age_-1"]["columns"])
    check(ix["age_-1"]["scans"] == 0 and ix["_id_"]["scans"] == 1243, "scans")

    # tables from $collStats
    t = [t for t in rep["tables"] if t["name"] == "customers"]
    check(len(t) == 1 and t[0]["rows"] == 250000, "tables %r" % rep["tables"])

    # findings the rules make of it
    rules = {(f["rule"], f["object"]) for f in rep["findings"]}
    check(("unused-index", "integration.customers.age_-1") in rules, "findings %r" % rules)
    check(("duplicate-index", "integration.customers.name_1") in rules, "findings %r" % rules)
    check(not any(f["rule"] == "unused-index" and f["object"].endswith("._id_") and
                  f.get("suggestion") for f in rep["findings"]), "_id_ is never dropped")

    # profiling off on "quiet": said so, never switched on
    diags = " ".join(rep["diagnostics"])
    check("profiling is off on database quiet" in diags, "diagnostics %r" % rep["diagnostics"])

    # what was sent: reads only, each one of the command files (or the driver's handshake,
    # cursor and session housekeeping)
    allowed = command_files() | {"isMaster", "getMore", "killCursors", "endSessions"}
    names = [next(iter(c["cmd"])) for c in sent]
    for c in sent:
        name = next(iter(c["cmd"]))
        check(name in READS and name in allowed, "unexpected command sent: %r" % c["cmd"])
        if name == "profile":
            check(c["cmd"]["profile"] == -1, "profiling level changed: %r" % c["cmd"])
        if name == "aggregate":
            stages = [next(iter(s)) for s in c["cmd"]["pipeline"]]
            check("$out" not in stages and "$merge" not in stages, "a writing pipeline")
        if name in ("find", "aggregate", "explain"):
            check(c["cmd"].get("maxTimeMS") == 3000, "maxTimeMS on %r" % c["cmd"])
        if name not in ("isMaster", "endSessions", "killCursors", "getMore"):
            rp = c["cmd"].get("$readPreference", {}).get("mode")
            check(rp == "secondaryPreferred", "read preference %r on %s" % (rp, name))
    check("explain" in names and "getMore" in names, "commands %r" % names)
    ex = [c["cmd"] for c in sent if "explain" in c["cmd"]][0]
    check(next(iter(ex["explain"])) == "find" and "lsid" not in ex["explain"] and
          "$db" not in ex["explain"], "explained command %r" % ex)
    check(ex["verbosity"] == "executionStats", "verbosity")
    print("ok: %s: %d commands sent (%s), %d statements, %d indexes, %d findings" %
          (role, len(sent), ", ".join(sorted(set(names))), len(rep["statements"]),
           len(rep["indexes"]), len(rep["findings"])))


def refused_case(dbperf, port):
    r, secs = run_dbperf(dbperf, "mongodb://127.0.0.1:%d/?serverSelectionTimeoutMS=1500" % port)
    check(r.returncode == 3, "exit %d (want 3): %s" % (r.returncode, r.stderr))
    check("mongodb://127.0.0.1" in r.stderr and "server" in r.stderr.lower(),
          "message: %r" % r.stderr)
    check(secs < 15, "took %.1f s" % secs)
    print("ok: refused: exit 3 in %.1f s: %s" % (secs, r.stderr.strip()))


def replset_case(dbperf, corpus, port):
    """A primary and a secondary of rs0 in one audit: an index unused on the primary but
    used on the secondary is used; one unused on both members is reported once, for 2
    instances; the two members' counters are kept apart (instance host:port)."""
    with tempfile.TemporaryDirectory() as tmp:
        prim = start_double(corpus, port, "primary", os.path.join(tmp, "p.jsonl"))
        sec = start_double(corpus, port + 1, "secondary", os.path.join(tmp, "s.jsonl"),
                           ["--ops", "age_-1=9"])
        try:
            r, _ = run_dbperf(dbperf, "mongodb://127.0.0.1:%d/" % port,
                              "mongodb://127.0.0.1:%d/?readPreference=secondary" % (port + 1))
        finally:
            for p in (prim, sec):
                p.terminate()
                p.wait(10)
    check(r.returncode == 0, "dbperf exited %d: %s" % (r.returncode, r.stderr))
    rep = json.loads(r.stdout)
    age = [i for i in rep["indexes"] if i["name"] == "age_-1"]
    check(len(age) == 2, "age_-1 read from both members: %r" % age)
    check({i["instance"] for i in age} == {"127.0.0.1:%d" % port, "127.0.0.1:%d" % (port + 1)},
          "instances %r" % [i["instance"] for i in age])
    check(all(i["cluster"] == "rs0" for i in age), "cluster")
    check(sorted("replica" in i["flags"] for i in age) == [False, True], "replica flags")
    unused = {f["object"]: f for f in rep["findings"] if f["rule"] == "unused-index"}
    check("integration.customers.age_-1" not in unused,
          "age_-1 is used on the secondary: %r" % list(unused))
    f = unused.get("integration.customers.name_1")
    check(f is not None, "name_1 unused on both members: %r" % list(unused))
    ev = {e["key"]: e.get("value") for e in f["evidence"]}
    check(ev.get("instances") == 2 and ev.get("replicas") == 1, "evidence %r" % ev)
    print("ok: replset: age_-1 used on the secondary only is kept; name_1 unused on %d "
          "instances" % ev["instances"])


def mongos_case(dbperf, corpus, port):
    """Through mongos: $indexStats has one row per shard; each shard is its own cluster with
    its member's host:port as instance; the profiler cannot be read there (a diagnostic)."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "m.jsonl")
        p = start_double(corpus, port, "mongos", log)
        try:
            r, _ = run_dbperf(dbperf, "mongodb://127.0.0.1:%d/integration" % port)
        finally:
            p.terminate()
            p.wait(10)
        with open(log) as f:
            sent = [json.loads(x) for x in f]
    check(r.returncode == 0, "dbperf exited %d: %s" % (r.returncode, r.stderr))
    rep = json.loads(r.stdout)
    names = [next(iter(c["cmd"])) for c in sent]
    check("listDatabases" not in names, "the URI's database only: %r" % names)
    age = [i for i in rep["indexes"] if i["name"] == "age_-1"]
    check(sorted(i["cluster"] for i in age) == ["shardA", "shardB"], "clusters %r" % age)
    check(sorted(i["instance"] for i in age) ==
          ["shardA-a.example.net:27018", "shardB-a.example.net:27018"], "instances %r" % age)
    check(all("replica" not in i["flags"] for i in age), "no replica flag")
    diags = " ".join(rep["diagnostics"])
    check("profiling level not read" in diags, "diagnostics %r" % rep["diagnostics"])
    print("ok: mongos: %d index rows from 2 shards" % len(rep["indexes"]))


def stall_case(dbperf, corpus, port):
    """A server that stops answering (explain never returns): dbperf gives up on it after its
    socket timeout (2 x --statement-timeout), reports it, and still reports what it read."""
    with tempfile.TemporaryDirectory() as tmp:
        p = start_double(corpus, port, "primary", os.path.join(tmp, "s.jsonl"),
                         ["--stall", "explain"])
        try:
            t0 = time.time()
            r = subprocess.run([dbperf, "audit", "mongodb://127.0.0.1:%d/" % port, "--format",
                                "json", "--statement-timeout", "1000"], capture_output=True,
                               text=True, timeout=60)
            secs = time.time() - t0
        finally:
            p.terminate()
            p.wait(10)
    check(secs < 20, "took %.1f s with a hung server" % secs)
    check(r.returncode == 0, "dbperf exited %d: %s" % (r.returncode, r.stderr))
    rep = json.loads(r.stdout)
    diags = " ".join(rep["diagnostics"])
    check("explain of find customers" in diags, "diagnostics %r" % rep["diagnostics"])
    check(len(rep["indexes"]) == 4 and len(rep["statements"]) == 2, "what was read is kept")
    print("ok: stall: gave up on the hung explain in %.1f s: %s" % (secs, rep["diagnostics"][-1]))


def main():
    dbperf, corpus, port, case = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if case == "refused":
        refused_case(dbperf, port)
    elif case == "stall":
        stall_case(dbperf, corpus, port)
    elif case == "mongos":
        mongos_case(dbperf, corpus, port)
    elif case == "replset":
        replset_case(dbperf, corpus, port)
    else:
        live_case(dbperf, corpus, port, case)


if __name__ == "__main__":
    main()
