#!/usr/bin/env python3
"""mongo_double.py -- a wire-protocol test double for dbperf's live MongoDB path.

It is NOT a MongoDB server: it speaks just enough of the wire protocol, as
mongod does, for libmongoc 1.23 and dbperf's collector -- the OP_QUERY
isMaster/hello handshake on admin.$cmd (answered with OP_REPLY), then OP_MSG:
hello, ping, buildInfo, listDatabases, profile (-1 only), find on
system.profile (with a getMore), listCollections, aggregate with $indexStats
and $collStats, explain, killCursors, endSessions. Any other command gets
mongod's CommandNotFound error, and a write command would be logged as such.

Replies reuse real server output from the corpus (read at run time from
--corpus, never copied): system.profile documents, $indexStats results and
an explain document; the rest are small hand-written replies modelled on
mongod 6.0's. Every command received is appended as one JSON line to --log,
so a test can check what dbperf sent (and that it never wrote).

Python 3 standard library only. Listens on 127.0.0.1:--port and stops by
itself after --timeout seconds.
"""
import argparse
import datetime
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import time

OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013

# ---- BSON ------------------------------------------------------------------


class Int64(int):
    pass


class Date:
    def __init__(self, ms):
        self.ms = int(ms)


class ObjectId:
    def __init__(self, hexs):
        self.raw = bytes.fromhex(hexs)


class Binary:
    def __init__(self, data, subtype=0):
        self.data, self.subtype = data, subtype


class Timestamp:
    def __init__(self, t, i):
        self.t, self.i = t, i


def _cstr(s):
    return s.encode() + b"\x00"


def _elem(k, v):
    key = _cstr(k)
    if isinstance(v, bool):
        return b"\x08" + key + (b"\x01" if v else b"\x00")
    if isinstance(v, Int64):
        return b"\x12" + key + struct.pack("<q", v)
    if isinstance(v, int):
        if -(2**31) <= v < 2**31:
            return b"\x10" + key + struct.pack("<i", v)
        return b"\x12" + key + struct.pack("<q", v)
    if isinstance(v, float):
        return b"\x01" + key + struct.pack("<d", v)
    if isinstance(v, str):
        b = v.encode()
        return b"\x02" + key + struct.pack("<i", len(b) + 1) + b + b"\x00"
    if isinstance(v, dict):
        return b"\x03" + key + encode(v)
    if isinstance(v, list):
        return b"\x04" + key + encode({str(i): x for i, x in enumerate(v)})
    if v is None:
        return b"\x0a" + key
    if isinstance(v, Date):
        return b"\x09" + key + struct.pack("<q", v.ms)
    if isinstance(v, ObjectId):
        return b"\x07" + key + v.raw
    if isinstance(v, Binary):
        return b"\x05" + key + struct.pack("<iB", len(v.data), v.subtype) + v.data
    if isinstance(v, Timestamp):
        return b"\x11" + key + struct.pack("<II", v.i, v.t)
    raise TypeError("cannot encode %r" % (v,))


def encode(doc):
    body = b"".join(_elem(k, v) for k, v in doc.items())
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


def decode(buf, off=0):
    """One document at buf[off:]; returns (dict, end offset)."""
    (size,) = struct.unpack_from("<i", buf, off)
    end = off + size - 1
    i = off + 4
    out = {}
    while i < end:
        t = buf[i]
        i += 1
        z = buf.index(b"\x00", i)
        k = buf[i:z].decode()
        i = z + 1
        if t == 0x01:
            (v,) = struct.unpack_from("<d", buf, i)
            i += 8
        elif t in (0x02, 0x0D, 0x0E):
            (n,) = struct.unpack_from("<i", buf, i)
            v = buf[i + 4:i + 3 + n].decode("utf-8", "replace")
            i += 4 + n
        elif t in (0x03, 0x04):
            v, _ = decode(buf, i)
            (n,) = struct.unpack_from("<i", buf, i)
            i += n
            if t == 0x04:
                v = [v[x] for x in sorted(v, key=int)]
        elif t == 0x05:
            n, st = struct.unpack_from("<iB", buf, i)
            v = Binary(buf[i + 5:i + 5 + n], st)
            i += 5 + n
        elif t == 0x07:
            v = ObjectId(buf[i:i + 12].hex())
            i += 12
        elif t == 0x08:
            v = buf[i] == 1
            i += 1
        elif t == 0x09:
            (ms,) = struct.unpack_from("<q", buf, i)
            v = Date(ms)
            i += 8
        elif t in (0x0A, 0x06, 0x7F, 0xFF):
            v = None
        elif t == 0x10:
            (v,) = struct.unpack_from("<i", buf, i)
            i += 4
        elif t == 0x11:
            inc, ts = struct.unpack_from("<II", buf, i)
            v = Timestamp(ts, inc)
            i += 8
        elif t == 0x12:
            (v,) = struct.unpack_from("<q", buf, i)
            v = Int64(v)
            i += 8
        elif t == 0x13:
            v = buf[i:i + 16]
            i += 16
        elif t == 0x0B:
            z1 = buf.index(b"\x00", i)
            z2 = buf.index(b"\x00", z1 + 1)
            v = "/%s/%s" % (buf[i:z1].decode(), buf[z1 + 1:z2].decode())
            i = z2 + 1
        else:
            raise ValueError("BSON type 0x%02x not supported" % t)
        out[k] = v
    return out, off + size


def from_extjson(v):
    """Relaxed/canonical Extended JSON (as in the corpus) to BSON values."""
    if isinstance(v, list):
        return [from_extjson(x) for x in v]
    if not isinstance(v, dict):
        return v
    if len(v) == 1:
        (k, x), = v.items()
        if k == "$numberInt":
            return int(x)
        if k == "$numberLong":
            return Int64(int(x))
        if k == "$numberDouble":
            return float(x)
        if k == "$oid":
            return ObjectId(x)
        if k == "$date":
            if isinstance(x, dict):
                x = x.get("$numberLong", 0)
            if isinstance(x, str) and not x.lstrip("-").isdigit():
                dt = datetime.datetime.fromisoformat(x.replace("Z", "+00:00"))
                return Date(dt.timestamp() * 1000)
            return Date(int(x))
        if k == "$uuid":
            return Binary(bytes.fromhex(x.replace("-", "")), 4)
        if k == "$timestamp":
            return Timestamp(x["t"], x["i"])
    return {k: from_extjson(x) for k, x in v.items()}


def to_json(v):
    """For the command log."""
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_json(x) for x in v]
    if isinstance(v, Date):
        return {"$date": v.ms}
    if isinstance(v, (ObjectId, Binary, Timestamp, bytes)):
        return "<%s>" % type(v).__name__
    return v


# ---- the server's content ---------------------------------------------------

class Content:
    def __init__(self, corpus, port, role, set_name):
        self.port = port
        self.role = role
        self.set_name = set_name
        m = os.path.join(corpus, "mongodb")
        with open(os.path.join(m, "profile", "datadog-system.profile.json")) as f:
            self.profile = [from_extjson(d) for d in json.load(f)]
        with open(os.path.join(m, "indexstats", "datadog-indexStats-foo.json")) as f:
            foo = [from_extjson(d) for d in json.load(f)]
        with open(os.path.join(m, "explain",
                               "datadog-explain-standalone-6.0.15-collscan.json")) as f:
            self.explain = from_extjson(json.load(f))
        host = "127.0.0.1:%d" % port
        since = foo[0]["accesses"]["since"]
        # customers: the corpus _id_ entry plus hand-written entries modelled on it:
        # an index never used, and a prefix of a used one
        self.indexstats = {
            "customers": foo + [
                {"name": "age_-1", "key": {"age": -1}, "host": host,
                 "accesses": {"ops": Int64(0), "since": since}},
                {"name": "name_1", "key": {"name": 1}, "host": host,
                 "accesses": {"ops": Int64(0), "since": since}},
                {"name": "name_1_age_1", "key": {"name": 1, "age": 1}, "host": host,
                 "accesses": {"ops": Int64(5120), "since": since}},
            ],
        }
        self.counts = {"customers": 250000}
        self.dbs = {"integration": 1, "quiet": 0}  # profiling level of each

    def hello(self, conn_id):
        doc = {
            "helloOk": True,
            "isWritablePrimary": self.role == "primary",
            "ismaster": self.role == "primary",
            "topologyVersion": {"processId": ObjectId("65f20b835538c55aa02d9e04"),
                                "counter": Int64(0)},
            "maxBsonObjectSize": 16777216,
            "maxMessageSizeBytes": 48000000,
            "maxWriteBatchSize": 100000,
            "localTime": Date(time.time() * 1000),
            "logicalSessionTimeoutMinutes": 30,
            "connectionId": conn_id,
            "minWireVersion": 0,
            "maxWireVersion": 17,
            "readOnly": False,
            "ok": 1.0,
        }
        if self.role == "mongos":
            doc["msg"] = "isdbgrid"
            doc["isWritablePrimary"] = doc["ismaster"] = True
            return doc
        if self.set_name:
            doc.update({"setName": self.set_name, "setVersion": 1,
                        "hosts": ["127.0.0.1:%d" % self.port],
                        "me": "127.0.0.1:%d" % self.port,
                        "secondary": self.role == "secondary"})
        return doc


WRITES = {"insert", "update", "delete", "findAndModify", "findandmodify", "create", "drop",
          "createIndexes", "dropIndexes", "renameCollection", "collMod", "dropDatabase"}


def cursor_reply(ns, batch, cid=0, first=True):
    return {"cursor": {"id": Int64(cid), "ns": ns,
                       "firstBatch" if first else "nextBatch": batch}, "ok": 1.0}


def error(msg, code=59, name="CommandNotFound"):
    return {"ok": 0.0, "errmsg": msg, "code": code, "codeName": name}


class Handler(socketserver.BaseRequestHandler):
    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.request.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def send(self, request_id, op, body):
        self.server.next_id += 1
        hdr = struct.pack("<iiii", 16 + len(body), self.server.next_id, request_id, op)
        self.request.sendall(hdr + body)

    def handle(self):
        self.server.conn_count += 1
        conn_id = self.server.conn_count
        try:
            while True:
                hdr = self.recv_exact(16)
                length, req_id, _, op = struct.unpack("<iiii", hdr)
                body = self.recv_exact(length - 16)
                if op == OP_QUERY:
                    z = body.index(b"\x00", 4)
                    coll = body[4:z].decode()
                    doc, _ = decode(body, z + 1 + 8)
                    reply = self.command(doc, coll.split(".")[0], conn_id, legacy=True)
                    self.send(req_id, OP_REPLY, struct.pack("<iqii", 0, 0, 0, 1) + encode(reply))
                elif op == OP_MSG:
                    (flags,) = struct.unpack_from("<I", body, 0)
                    i = 4
                    doc = None
                    seqs = {}
                    end = len(body) - (4 if flags & 1 else 0)
                    while i < end:
                        kind = body[i]
                        i += 1
                        if kind == 0:
                            doc, i = decode(body, i)
                        else:
                            (size,) = struct.unpack_from("<i", body, i)
                            z = body.index(b"\x00", i + 4)
                            ident = body[i + 4:z].decode()
                            j, docs = z + 1, []
                            while j < i + size:
                                d, j = decode(body, j)
                                docs.append(d)
                            seqs[ident] = docs
                            i += size
                    doc.update(seqs)
                    reply = self.command(doc, doc.get("$db", "admin"), conn_id)
                    if not flags & 2:  # moreToCome: no reply
                        self.send(req_id, OP_MSG, struct.pack("<IB", 0, 0) + encode(reply))
                else:
                    return
        except (EOFError, ConnectionError, OSError):
            return

    def log(self, doc, db):
        with self.server.log_lock:
            with open(self.server.log_path, "a") as f:
                f.write(json.dumps({"db": db, "cmd": to_json(doc)}) + "\n")

    def command(self, doc, db, conn_id, legacy=False):
        c = self.server.content
        name = next(iter(doc))
        self.log(doc, db)
        if name == self.server.stall:
            time.sleep(3600)  # a hung server: the client must give up by itself
        if name in ("isMaster", "ismaster", "hello"):
            return c.hello(conn_id)
        if name == "ping":
            return {"ok": 1.0}
        if name in WRITES:
            return error("the test double refuses writes", 13, "Unauthorized")
        if name == "buildInfo":
            return {"version": "6.0.11", "versionArray": [6, 0, 11, 0], "bits": 64,
                    "maxBsonObjectSize": 16777216, "ok": 1.0}
        if name == "listDatabases":
            return {"databases": [{"name": n, "sizeOnDisk": Int64(8192), "empty": False}
                                  for n in list(c.dbs) + ["admin", "local"]],
                    "totalSize": Int64(8192 * 4), "ok": 1.0}
        if name == "profile" and c.role == "mongos":
            return error("profiling is per shard: run it on the mongod", 59, "CommandNotFound")
        if name == "profile":
            if doc["profile"] != -1:
                return error("the test double refuses to change profiling", 13,
                             "Unauthorized")
            return {"was": c.dbs.get(db, 0), "slowms": 100, "sampleRate": 1.0, "ok": 1.0}
        if name == "find" and doc["find"] == "system.profile":
            docs = c.profile if c.dbs.get(db) else []
            ns = db + ".system.profile"
            if len(docs) > 2:
                self.server.cursors[4242] = (ns, docs[2:])
                return cursor_reply(ns, docs[:2], 4242)
            return cursor_reply(ns, docs)
        if name == "getMore":
            ns, rest = self.server.cursors.pop(int(doc["getMore"]), (db + ".x", []))
            return cursor_reply(ns, rest, 0, first=False)
        if name == "killCursors":
            return {"cursorsKilled": doc.get("cursors", []), "cursorsNotFound": [],
                    "cursorsAlive": [], "cursorsUnknown": [], "ok": 1.0}
        if name == "endSessions":
            return {"ok": 1.0}
        if name == "listCollections":
            names = ["customers", "system.profile"] if db == "integration" else []
            return cursor_reply(db + ".$cmd.listCollections",
                                [{"name": n, "type": "collection"} for n in names])
        if name == "aggregate":
            coll = doc["aggregate"]
            stages = [next(iter(s)) for s in doc.get("pipeline", [])]
            if "$out" in stages or "$merge" in stages:
                return error("the test double refuses writes", 13, "Unauthorized")
            if stages[:1] == ["$indexStats"]:
                docs = c.indexstats.get(coll, [])
                if c.role == "mongos":  # one row per shard, as mongos merges them
                    docs = [dict(d, shard=sh, host="%s-a.example.net:27018" % sh)
                            for sh in ("shardA", "shardB") for d in docs]
                return cursor_reply(db + "." + coll, docs)
            if stages[:1] == ["$collStats"]:
                n = c.counts.get(coll, 0)
                return cursor_reply(db + "." + coll, [{"storageStats": {
                    "count": Int64(n), "size": Int64(n * 180),
                    "totalIndexSize": Int64(n * 40)}}])
            return cursor_reply(db + "." + coll, [])
        if name == "explain":
            reply = dict(c.explain)
            reply["command"] = doc["explain"]
            reply["ok"] = 1.0
            return reply
        return error("no such command: '%s'" % name)


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--log", required=True, help="append each command received (JSON lines)")
    ap.add_argument("--role", choices=["primary", "secondary", "standalone", "mongos"],
                    default="secondary")
    ap.add_argument("--set-name", default="rs0")
    ap.add_argument("--timeout", type=float, default=30.0, help="stop after this many seconds")
    ap.add_argument("--stall", default=None, metavar="COMMAND",
                    help="never answer this command (the connection stays open)")
    ap.add_argument("--ops", action="append", default=[], metavar="INDEX=N",
                    help="accesses.ops of a hand-written index on this member")
    a = ap.parse_args()
    if not 55950 <= a.port <= 55999:
        sys.exit("port must be in 55950-55999")
    srv = Server(("127.0.0.1", a.port), Handler)
    srv.content = Content(a.corpus, a.port, a.role,
                          a.set_name if a.role not in ("standalone", "mongos") else None)
    for o in a.ops:
        name, n = o.split("=")
        for ix in srv.content.indexstats["customers"]:
            if ix["name"] == name:
                ix["accesses"]["ops"] = Int64(int(n))
    srv.stall = a.stall
    srv.log_path = a.log
    srv.log_lock = threading.Lock()
    srv.next_id = 1000
    srv.conn_count = 0
    srv.cursors = {}
    open(a.log, "w").close()
    threading.Timer(a.timeout, srv.shutdown).start()
    print("ready", flush=True)
    srv.serve_forever(poll_interval=0.1)
    srv.server_close()
    os._exit(0)  # handler threads (a stalled one) are daemons: do not wait for them


if __name__ == "__main__":
    main()
