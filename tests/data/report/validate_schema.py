#!/usr/bin/env python3
# validate_schema.py -- validate dbperf JSON reports against docs/report.schema.json.
#
# usage: validate_schema.py SCHEMA FILE_OR_DIR...
# Every *.json file given (or found in a directory) must validate. As a check
# that the schema can reject anything, a few broken copies of the first report
# (missing field, wrong type, bad fingerprint, unknown enum value) must fail.
# Exit 0 when all is as expected, 1 otherwise.
import copy
import json
import os
import sys

import jsonschema


def main():
    if len(sys.argv) < 3:
        print(__doc__ or "usage: validate_schema.py SCHEMA FILE_OR_DIR...", file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = []
    for p in sys.argv[2:]:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, n) for n in os.listdir(p) if n.endswith(".json"))
        else:
            files.append(p)
    if not files:
        print("validate_schema: no report to validate", file=sys.stderr)
        return 1
    bad = 0
    docs = []
    for path in files:
        with open(path) as f:
            doc = json.load(f)
        docs.append(doc)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:5]:
            print("%s: %s: %s" % (path, "/".join(str(x) for x in e.path), e.message))
        if errors:
            bad += 1
    # the schema must reject broken reports
    base = next((d for d in docs if d.get("statements")), None)
    if base is not None:
        broken = []
        d = copy.deepcopy(base); del d["statements"][0]["calls"]; broken.append(("no calls", d))
        d = copy.deepcopy(base); d["statements"][0]["fingerprint"] = "abc"; broken.append(("fingerprint", d))
        d = copy.deepcopy(base); d["statements"][0]["total_ms"] = "12"; broken.append(("string number", d))
        d = copy.deepcopy(base); d["version"] = 2; broken.append(("version 2", d))
        d = copy.deepcopy(base); d["tool"] = "other"; broken.append(("tool", d))
        d = copy.deepcopy(base); del d["findings"]; broken.append(("no findings", d))
        d = copy.deepcopy(base); d["summary"]["critical"] = -1; broken.append(("negative count", d))
        for name, d in broken:
            if validator.is_valid(d):
                print("schema accepts a broken report (%s)" % name)
                bad += 1
    print("validate_schema: %d reports, %d problems" % (len(files), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
