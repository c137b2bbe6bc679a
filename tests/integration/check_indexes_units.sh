#!/usr/bin/env bash
# check_indexes_units.sh -- the scheduling examples in docs/ parse and run:
#   - docs/dbperf-check-indexes.{service,timer}: systemd-analyze verify, with no warning
#     (an unknown key or a bad calendar is only a warning there), and the timer's
#     OnCalendar through systemd-analyze calendar;
#   - docs/crontab.example: every line through a small crontab parser (environment
#     assignments; five time fields within their ranges; a command, no unescaped %);
#   - the dbperf command of both, with the installed path replaced by the built binary,
#     the store and output put in a scratch directory and the example targets left out:
#     its options are accepted (exit 0 on an empty store) and the Prometheus file appears.
#
#   check_indexes_units.sh DBPERF SRCDIR
# Prints "N passed, N failed"; exits 1 on any failure (systemd-analyze missing is one).
set -uo pipefail
DBPERF=${1:?usage: check_indexes_units.sh DBPERF SRCDIR}
SRC=${2:?usage: check_indexes_units.sh DBPERF SRCDIR}
DBPERF=$(cd "$(dirname "$DBPERF")" && pwd)/$(basename "$DBPERF")
W=$(mktemp -d /tmp/dbpciu.XXXXXX)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

# ---- systemd -------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
  sed "s|/usr/local/bin/dbperf|$DBPERF|" "$SRC/docs/dbperf-check-indexes.service" \
    >"$W/dbperf-check-indexes.service"
  cp "$SRC/docs/dbperf-check-indexes.timer" "$W/"
  (cd "$W" && systemd-analyze verify --man=no dbperf-check-indexes.service \
     dbperf-check-indexes.timer) >"$W/verify.out" 2>&1
  rc=$?
  cat "$W/verify.out"
  check "systemd-analyze verify: exit 0" test $rc -eq 0
  check "systemd-analyze verify: no warning" test ! -s "$W/verify.out"
  cal=$(sed -n 's/^OnCalendar=//p' "$W/dbperf-check-indexes.timer")
  check "timer: OnCalendar parses" systemd-analyze calendar "$cal"
  # the check must be able to fail: a misspelt key is caught
  sed 's/^OnCalendar=/OnCalender=/' "$W/dbperf-check-indexes.timer" >"$W/bad.timer"
  mkdir -p "$W/bad" && cp "$W/dbperf-check-indexes.service" "$W/bad/" &&
    cp "$W/bad.timer" "$W/bad/dbperf-check-indexes.timer"
  (cd "$W/bad" && systemd-analyze verify --man=no dbperf-check-indexes.timer) >/dev/null 2>&1
  check "systemd-analyze verify: a broken timer is refused (control)" test $? -ne 0
else
  bad "systemd-analyze not installed (scripts/install-deps.sh installs systemd)"
fi

# ---- crontab -------------------------------------------------------------------
cat >"$W/cronparse.py" <<'PY'
import re, sys
RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
NAMES = [None, None, None,
         "jan feb mar apr may jun jul aug sep oct nov dec".split(),
         "sun mon tue wed thu fri sat".split()]
def field_ok(f, i):
    lo, hi = RANGES[i]
    for part in f.split(","):
        m = re.fullmatch(r"(\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/([0-9]+))?", part.lower())
        if not m:
            return False
        base, step = m.group(1), m.group(2)
        if step is not None and int(step) < 1:
            return False
        if base == "*":
            continue
        for v in base.split("-"):
            if v.isdigit():
                if not lo <= int(v) <= hi:
                    return False
            elif not (NAMES[i] and v in NAMES[i]):
                return False
    return True
jobs = 0
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n")
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*\s*=.*", line):
        continue
    parts = line.split(None, 5)
    if parts[0].startswith("@"):
        assert parts[0] in ("@reboot", "@yearly", "@annually", "@monthly", "@weekly",
                            "@daily", "@midnight", "@hourly"), f"line {n}: {parts[0]}"
        cmd = line.split(None, 1)[1]
    else:
        assert len(parts) == 6, f"line {n}: needs 5 time fields and a command"
        for i in range(5):
            assert field_ok(parts[i], i), f"line {n}: field {i + 1} `{parts[i]}`"
        cmd = parts[5]
    assert re.search(r"(?<!\\)%", cmd) is None, f"line {n}: unescaped % ends the command"
    assert "dbperf check-indexes" in cmd, f"line {n}: not a dbperf check-indexes job"
    jobs += 1
assert jobs >= 1, "no job line"
PY
check "crontab.example parses" python3 "$W/cronparse.py" "$SRC/docs/crontab.example"
# the parser must be able to fail: an hour out of range
sed 's/^17 3 /17 24 /' "$SRC/docs/crontab.example" >"$W/bad.cron"
check "crontab parser refuses an hour of 24 (control)" \
  bash -c "! python3 '$W/cronparse.py' '$W/bad.cron' 2>/dev/null"

# ---- the dbperf command of each example runs --------------------------------------
# replace the installed binary, the store and the output; leave the example targets out
run_example() { # run_example NAME "COMMAND LINE"
  local name=$1 line=$2 args=() a skip=0
  read -r -a words <<<"$line"
  for a in "${words[@]:1}"; do
    if [ $skip -eq 1 ]; then skip=0; continue; fi
    case "$a" in
      --store) args+=(--store "$W/$name.db"); skip=1 ;;
      --output) args+=(--output "$W/$name.prom"); skip=1 ;;
      postgresql://* | mysql://* | mongodb://* | '$DBPERF_TARGETS') ;;
      *) args+=("$a") ;;
    esac
  done
  "$DBPERF" "${args[@]}" >"$W/$name.out" 2>&1
  local rc=$?
  check "$name: dbperf accepts the options (exit 0 on an empty store)" test $rc -eq 0
  check "$name: Prometheus file written" grep -q '^dbperf_unused_indexes 0$' "$W/$name.prom"
}
svc=$(sed -n 's/^ExecStart=//p' "$SRC/docs/dbperf-check-indexes.service")
run_example service "$svc"
cron=$(grep -E '^[0-9*]' "$SRC/docs/crontab.example" | head -1 | cut -d' ' -f6-)
run_example crontab "$cron"

echo "check_indexes_units: $pass passed, $fail failed"
[ $fail -eq 0 ]
