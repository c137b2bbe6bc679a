#!/usr/bin/env python3
"""bench/lib/grow.py -- grow a real server log to a target size for benchmarks.

    grow.py KIND SEED SIZE_MB OUT [--classes N] [--seed S]

KIND is pg (PostgreSQL stderr, csvlog or jsonlog from scripts/pg-server.sh) or mongo (a
mongod 4.4+ JSON log). The seed log is written again and again, each copy with
  - its dates moved one day later than the copy before (timestamps keep rising),
  - fresh values for the numeric literals in statements (after '= ', '(', ', ', '+ ' and in
    DETAIL parameters), so examples differ while the statement classes stay the same,
  - with --classes N (pg only): the table names of each line get a suffix _0.._{N-1} picked
    per line, which multiplies the statement classes that name a table by N (the pgbench
    seed has 36 such classes and 11 others; rare classes do not meet every suffix, so bench/run
    --rss uses --classes 360 for about 10,000 classes in 1 GB) for memory tests.
The output is cut at the end of a seed copy at or after SIZE_MB, so entries stay whole.
"""
import datetime
import random
import re
import sys


def main():
    args = sys.argv[1:]
    classes = 0
    rseed = 42
    if "--classes" in args:
        i = args.index("--classes")
        classes = int(args[i + 1])
        del args[i:i + 2]
    if "--seed" in args:
        i = args.index("--seed")
        rseed = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 4:
        sys.exit(__doc__)
    kind, seed_path, size_mb, out_path = args
    target = int(float(size_mb) * 1048576)
    rnd = random.Random(rseed)
    with open(seed_path, "rb") as f:
        seed = f.read()
    if not seed:
        sys.exit("grow.py: empty seed log " + seed_path)
    if kind == "pg":
        pat = re.compile(rb"(?P<date>\b20\d\d-\d\d-\d\d\b)"
                         rb"|(?<=[=(,+] )(?P<num>\d+)"
                         rb"|(?<=IN \()(?P<num2>\d+)"
                         rb"|(?<=\$\d = ')(?P<num3>\d+)"
                         rb"|(?P<tab>pgbench_(?:accounts|tellers|branches|history)\b)")
    elif kind == "mongo":
        pat = re.compile(rb"(?P<date>\b20\d\d-\d\d-\d\d)(?=T)"
                         rb"|(?<=\":)(?P<num>\d+)(?=[,}])")
    else:
        sys.exit("grow.py: KIND is pg or mongo")
    # the seed's dates, each moved by whole days per copy
    dates = sorted({m.group(0) for m in re.finditer(rb"\b20\d\d-\d\d-\d\d\b", seed)})
    written = 0
    copy = 0
    with open(out_path, "wb") as out:
        while written < target:
            shift = datetime.timedelta(days=copy)
            dmap = {}
            for d in dates:
                base = datetime.date.fromisoformat(d.decode())
                dmap[d] = (base + shift).isoformat().encode()
            cache = {}
            line_suffix = [-2, 0]

            def sub(m):
                g = m.lastgroup
                if g == "date":
                    return dmap.get(m.group(0), m.group(0))
                if g == "tab":
                    if not classes:
                        return m.group(0)
                    # one suffix per line: a join keeps its tables' suffixes alike
                    ls = m.string.rfind(b"\n", 0, m.start())
                    if ls != line_suffix[0]:
                        line_suffix[0] = ls
                        line_suffix[1] = rnd.randrange(classes)
                    return m.group(0) + b"_%d" % line_suffix[1]
                v = m.group(0)
                if copy == 0 or m.string[max(0, m.start() - 5):m.start()] == b'"id":':
                    return v  # mongod's log message id (51803 = Slow query) stays
                # keep the magnitude: a value of the same number of digits
                n = len(v)
                key = v
                if key not in cache or rnd.random() < 0.5:
                    lo = 10 ** (n - 1) if n > 1 else 0
                    cache[key] = b"%d" % rnd.randrange(lo, 10 ** n)
                return cache[key]

            chunk = pat.sub(sub, seed)
            out.write(chunk)
            written += len(chunk)
            copy += 1
    print("%s: %d bytes, %d copies of %s" % (out_path, written, copy, seed_path), file=sys.stderr)


if __name__ == "__main__":
    main()
