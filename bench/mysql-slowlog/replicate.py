#!/usr/bin/env python3
"""replicate.py SLOW_LOG SIZE_MB OUT -- grow a real slow log to SIZE_MB by
repeating its entries with varied literals: every standalone number in a
statement gets a new random value, thread ids are shifted per copy and
times move forward, so the copy looks like a longer run of the same
workload (same statement classes, new values, new sessions). Header lines
(restart header, # explain: rows) are kept as they are."""
import random
import re
import sys
import time

src, size_mb, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(7)
text = open(src, encoding="utf-8", errors="surrogateescape").read()
lines = text.split("\n")
# the restart header, then entries that start at "# Time:" or "# User@Host:"
start = 0
while start < len(lines) and not lines[start].startswith("# "):
    start += 1
header = "\n".join(lines[:start]) + "\n"
entries, cur = [], []
for ln in lines[start:]:
    if (ln.startswith("# Time:") or (ln.startswith("# User@Host:") and cur and not cur[-1].startswith("# Time:"))) and cur:
        entries.append(cur)
        cur = []
    cur.append(ln)
if cur and any(cur):
    entries.append(cur)
num = re.compile(r"(?<![\w.$@])\d+(?![\w.])")
tid = re.compile(r"^(# Thread_id: )(\d+)")
ts0 = 1700000000
target = size_mb * 1024 * 1024
out = open(dst, "w", encoding="utf-8", errors="surrogateescape")
out.write(header)
written, copy, t = len(header), 0, float(ts0)
while written < target:
    parts = []
    for e in entries:
        t += 0.0004
        sec = int(t)
        res = []
        for ln in e:
            if ln.startswith("# Time:"):
                ln = "# Time: " + time.strftime("%y%m%d %H:%M:%S", time.gmtime(sec))
            elif ln.startswith("# Thread_id:"):
                ln = tid.sub(lambda m: m.group(1) + str(int(m.group(2)) + 1000 * copy), ln)
            elif ln.startswith("SET timestamp="):
                ln = "SET timestamp=%d;" % sec
            elif not ln.startswith("#") and not ln.startswith("use "):
                ln = num.sub(lambda m: str(rnd.randint(1, 99999)), ln)
            res.append(ln)
        s = "\n".join(res) + "\n"
        parts.append(s)
        written += len(s)
        if written >= target:
            break
    out.write("".join(parts))
    copy += 1
out.close()
