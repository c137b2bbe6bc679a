#!/usr/bin/env python3
"""audit_rules.py -- the rules through the real binary, end to end.

Writes small PostgreSQL stderr logs (log_line_prefix '%m [%p] ', every
statement logged with its duration) into OUTDIR, runs `dbperf audit --format
json` on them with different config files, and checks the n-plus-one findings:
flagged for a loop of cheap lookups after a parent statement, not flagged when
the lookups are slow, and the session tracker configured from the config
(min_repeats, max_gap_ms). A bad config must exit 2.

usage: audit_rules.py DBPERF OUTDIR
"""
import datetime
import json
import os
import subprocess
import sys

DBPERF, OUT = sys.argv[1], sys.argv[2]
os.makedirs(OUT, exist_ok=True)
T0 = datetime.datetime(2024, 3, 1, 10, 0, 0)
failures = []


def ts(ms):
    d = T0 + datetime.timedelta(milliseconds=ms)
    return d.strftime('%Y-%m-%d %H:%M:%S.') + '%03d UTC' % (d.microsecond // 1000)


def write_log(name, child_ms, loops=4, per_loop=25, gap_ms=3):
    """loops x (parent, per_loop child lookups, an unrelated statement), two sessions."""
    lines, ms = [], 0
    for loop in range(loops):
        pid = 4000 + loop % 2
        ms += 50
        lines.append(f"{ts(ms)} [{pid}] LOG:  duration: 3.100 ms  statement: "
                     f"SELECT id, total FROM orders WHERE user_id = {loop + 7}")
        for i in range(per_loop):
            ms += gap_ms
            lines.append(f"{ts(ms)} [{pid}] LOG:  duration: {child_ms + (i % 10) / 10:.3f} ms  "
                         f"statement: SELECT * FROM items WHERE id = {100 + i}")
        ms += 500
        lines.append(f"{ts(ms)} [{pid}] LOG:  duration: 0.400 ms  statement: SELECT now()")
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path


def audit(log, conf_text):
    conf = os.path.join(OUT, 'dbperf.conf')
    with open(conf, 'w') as f:
        f.write(conf_text)
    p = subprocess.run([DBPERF, 'audit', '--format', 'json', '--config', conf, log],
                       capture_output=True, text=True)
    return p


def n1_findings(p, what):
    if p.returncode != 0:
        failures.append(f'{what}: exit {p.returncode}: {p.stderr.strip()}')
        return []
    d = json.loads(p.stdout)
    return d, [f for f in d['findings'] if f['rule'] == 'n-plus-one']


def check(cond, what):
    if not cond:
        failures.append(what)


def ev(f, key):
    for e in f.get('evidence', []):
        if e.get('key') == key:
            return e.get('value', e.get('text'))
    return None


# 1. cheap one-row lookups after a parent: one finding with the right numbers
log = write_log('n1.log', child_ms=2.0)
d, fs = n1_findings(audit(log, ''), 'defaults')
check(len(fs) == 1, f'defaults: expected 1 n-plus-one finding, got {len(fs)}')
if fs:
    f = fs[0]
    check(ev(f, 'calls') == 100, f'calls {ev(f, "calls")} != 100')
    check(ev(f, 'loops') == 4, f'loops {ev(f, "loops")} != 4')
    check(ev(f, 'max_loop') == 25, f'max_loop {ev(f, "max_loop")} != 25')
    # 2.0 .. 2.9 ms, 10 each per 10 calls: mean 2.45 over 25-call loops
    tot = 4 * sum(2.0 + (i % 10) / 10 for i in range(25))
    check(abs(ev(f, 'total_ms') - tot) < 0.01, f'total_ms {ev(f, "total_ms")} != {tot}')
    check('items' in f['message'] and 'orders' in f['message'],
          f'message names child and parent: {f["message"]}')
    check(f['severity'] == 'warning', f'severity {f["severity"]}')

# 2. slow lookups (40 ms each) are not an N+1
d, fs = n1_findings(audit(write_log('slow.log', child_ms=40.0), ''), 'slow')
check(len(fs) == 0, f'slow children: expected no finding, got {len(fs)}')

# 3. the audit command configures the session tracker from the config
d, fs = n1_findings(audit(log, '[rule.n-plus-one]\nmin_repeats = 30\n'), 'min_repeats')
check(len(fs) == 0, f'min_repeats = 30 with loops of 25: expected none, got {len(fs)}')
d, fs = n1_findings(audit(log, '[rule.n-plus-one]\nmax_gap_ms = 1\n'), 'max_gap_ms')
check(len(fs) == 0, f'max_gap_ms = 1 with 3 ms gaps: expected none, got {len(fs)}')
d, fs = n1_findings(audit(log, '[rule.n-plus-one]\nmin_repeats = 20\nseverity = critical\n'),
                    'severity')
check(len(fs) == 1 and fs[0]['severity'] == 'critical', 'severity = critical not applied')

# 4. a bad config is a usage error
p = audit(log, '[rule.n-plus-one]\nmin_repeat = 3\n')
check(p.returncode == 2, f'unknown key: exit {p.returncode}, expected 2')
check('min_repeat' in p.stderr and 'dbperf.conf:2' in p.stderr, f'message: {p.stderr.strip()}')

for f in failures:
    print('FAIL:', f)
sys.exit(1 if failures else 0)
