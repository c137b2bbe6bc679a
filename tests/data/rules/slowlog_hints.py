#!/usr/bin/env python3
"""slowlog_hints.py -- seq-scan's aggregate hints against pt-query-digest.

For every MySQL slow log of the corpus (percona-toolkit/slowlogs), runs
`pt-query-digest --output json --limit 100%` and `dbperf audit --format json
--top 0`, and checks that the statement classes dbperf's seq-scan rule reports
as "examines N rows per call to return M" are exactly the classes whose
pt-query-digest metrics meet the rule's default thresholds (Rows_examined per
call >= 10000 and Rows_examined / max(Rows_sent, calls) >= 100), with the same
per-call numbers. Classes are matched by their fingerprint text (dbperf's
MySQL normalization is pt-fingerprint's). Logs pt-query-digest cannot read, or
whose classes do not all match dbperf's, are left out of the comparison and
counted; the test fails if fewer than 10 logs were compared or no hint at all
was expected.

usage: slowlog_hints.py DBPERF CORPUS
"""
import glob
import json
import os
import subprocess
import sys

DBPERF, CORPUS = sys.argv[1], sys.argv[2]
MIN_ROWS, MIN_RATIO = 10000, 100
compared = skipped = expected_total = 0
failures = []

for log in sorted(glob.glob(os.path.join(CORPUS, 'percona-toolkit', 'slowlogs', '*'))):
    name = os.path.basename(log)
    pt = subprocess.run(['pt-query-digest', '--output', 'json', '--limit', '100%', log],
                        capture_output=True, text=True)
    try:
        classes = json.loads(pt.stdout)['classes'] if pt.stdout.strip() else []
    except (ValueError, KeyError):
        skipped += 1
        continue
    db = subprocess.run([DBPERF, 'audit', '--format', 'json', '--top', '0', log],
                        capture_output=True, text=True)
    try:
        d = json.loads(db.stdout)
    except ValueError:
        skipped += 1
        continue
    if not classes or d['sources'][0].get('type') != 'mysql-slow':
        skipped += 1
        continue
    by_text = {s['text']: s for s in d['statements']}
    if any(c['fingerprint'] not in by_text for c in classes):
        skipped += 1   # a normalization difference: not this rule's comparison
        continue
    compared += 1
    expected = {}
    for c in classes:
        m = c['metrics']
        if 'Rows_examined' not in m or 'Rows_sent' not in m:
            continue
        calls = int(c['query_count'])
        ex, sent = float(m['Rows_examined']['sum']), float(m['Rows_sent']['sum'])
        if ex / calls >= MIN_ROWS and ex / max(sent, calls) >= MIN_RATIO:
            expected[by_text[c['fingerprint']]['fingerprint']] = (ex / calls, sent / calls)
    expected_total += len(expected)
    got = {}
    for f in d['findings']:
        if f['rule'] == 'seq-scan' and f['message'].startswith('statement examines'):
            ev = {e['key']: e['value'] for e in f['evidence']}
            got[f['fingerprint']] = (ev['rows_examined_per_call'], ev['rows_returned_per_call'])
    if set(got) != set(expected):
        failures.append(f'{name}: expected {sorted(expected)}, dbperf {sorted(got)}')
        continue
    for k, (ex, sent) in expected.items():
        gex, gsent = got[k]
        if abs(gex - ex) > 1e-6 * max(1, ex) or abs(gsent - sent) > 1e-6 * max(1, sent):
            failures.append(f'{name}: {k}: pt {ex}/{sent} per call, dbperf {gex}/{gsent}')

print(f'{compared} slow logs compared, {skipped} left out, {expected_total} hints expected')
if compared < 10:
    failures.append(f'only {compared} logs compared')
if expected_total == 0:
    failures.append('no hint expected anywhere: the comparison proves nothing')
for f in failures:
    print('FAIL:', f)
sys.exit(1 if failures else 0)
