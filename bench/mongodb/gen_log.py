#!/usr/bin/env python3
"""gen_log.py -- a mongod JSON log of at least N MB built from the real shapes in the corpus.

Templates: every "Slow query" line (id 51803) of hatchet's mongod 6.0.11 log
and of the 6.0.14 replica-set sample, plus their "Connection ended" lines.
Each output line is a template with fresh values: the timestamp advances, the
connection (ctx "connN") is drawn from 400 connections, durationMillis is
redrawn (log-uniform 1..5000 ms), the counters (docsExamined, keysExamined,
nreturned) are scaled, and the digits of filter values change, so that the
values differ while the query shapes are the corpus's. Seeded: the same
file every run. Written to stdout.
"""
import gzip
import random
import re
import sys
import datetime

corpus, mb = sys.argv[1], float(sys.argv[2])
rnd = random.Random(42)
tpl = []
with gzip.open(corpus + "/hatchet/logs/sample-mongod.log.gz", "rt") as f:
    tpl += [l.rstrip("\n") for l in f if '"id":51803' in l or '"id":22944' in l]
with open(corpus + "/mongodb/logs/hatchet-replica-rs1-mongod-6.0.14-slowquery-sample.log") as f:
    tpl += [l.rstrip("\n") for l in f if '"id":51803' in l]

ts_re = re.compile(r'"t":\{"\$date":"[^"]*"\}')
ctx_re = re.compile(r'"ctx":"conn\d+"')
dur_re = re.compile(r'"durationMillis":\d+')
cnt_re = re.compile(r'"(docsExamined|keysExamined|nreturned)":(\d+)')
val_re = re.compile(r'("filter":\{[^{}]*?":)("?)(\d+|[A-Za-z]+)')

target = int(mb * 1024 * 1024)
written = 0
t0 = datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc)
i = 0
out = sys.stdout
buf = []
while written < target:
    line = tpl[i % len(tpl)]
    i += 1
    t0 += datetime.timedelta(microseconds=rnd.randrange(200, 5000))
    ts = t0.strftime('"t":{"$date":"%Y-%m-%dT%H:%M:%S.') + "%03d+00:00\"}" % (t0.microsecond // 1000)
    line = ts_re.sub(lambda m: ts, line, 1)
    line = ctx_re.sub('"ctx":"conn%d"' % rnd.randrange(1, 400), line, 1)
    line = dur_re.sub('"durationMillis":%d' % int(10 ** rnd.uniform(0, 3.7)), line, 1)
    k = rnd.uniform(0.5, 2.0)
    line = cnt_re.sub(lambda m: '"%s":%d' % (m.group(1), int(int(m.group(2)) * k)), line)
    line = val_re.sub(lambda m: m.group(1) + m.group(2) + (str(rnd.randrange(100000))
                      if m.group(3).isdigit() else m.group(3) + str(rnd.randrange(1000))), line, 1)
    buf.append(line)
    written += len(line) + 1
    if len(buf) >= 10000:
        out.write("\n".join(buf) + "\n")
        buf = []
if buf:
    out.write("\n".join(buf) + "\n")
