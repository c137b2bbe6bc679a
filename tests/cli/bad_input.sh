#!/usr/bin/env bash
# tests/cli/bad_input.sh DBPERF -- the audit command on bad sources: each gets one clear line on
# stderr naming the source, exit 3, and every other source is still analysed and reported.
# Also: usage errors exit 2, --help/--version exit 0, passwords never printed.
set -u
DBPERF=${1:?usage: bad_input.sh path/to/dbperf}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run CMD...: sets out, err, rc
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }
expect_rc() { [ "$rc" -eq "$1" ] && ok || bad "$2: exit $rc, want $1 (stderr: $err)"; }
expect_err() { grep -qF -- "$1" "$tmp/err" && ok || bad "$2: stderr lacks '$1': $err"; }
expect_out() { grep -qF -- "$1" "$tmp/out" && ok || bad "$2: stdout lacks '$1'"; }
one_line_per_problem() {
  local n; n=$(grep -c '^dbperf' "$tmp/err")
  [ "$n" -eq "$1" ] && ok || bad "$2: $n error lines on stderr, want $1: $err"
}

good="$SRC/sql/demo/samples/shop-orders-plan.json"
printf 'hello, this is not a database log\njust some text\n' >"$tmp/notes.txt"
head -c 65536 /dev/urandom >"$tmp/garbage.bin"
: >"$tmp/empty.log"
mkdir "$tmp/adir"

run "$DBPERF" audit "$tmp/missing.log"
expect_rc 3 "missing file"; expect_err "$tmp/missing.log" "missing file"; one_line_per_problem 1 "missing file"

run "$DBPERF" audit "$tmp/adir"
expect_rc 3 "directory"; expect_err "$tmp/adir: is a directory" "directory"

run "$DBPERF" audit "$tmp/notes.txt"
expect_rc 3 "unknown format"; expect_err "$tmp/notes.txt: not a recognised" "unknown format"

run "$DBPERF" audit "$tmp/garbage.bin"
expect_rc 3 "binary garbage"; expect_err "$tmp/garbage.bin" "binary garbage"

run "$DBPERF" audit "$tmp/empty.log"
expect_rc 3 "empty file"; expect_err "$tmp/empty.log: empty input" "empty file"

# several bad sources and one good one: every bad one named, the good one still reported
run "$DBPERF" audit --format json "$tmp/missing.log" "$good" "$tmp/garbage.bin" "$tmp/adir"
expect_rc 3 "mixed sources"
one_line_per_problem 3 "mixed sources"
expect_out '"postgres-plan-json"' "mixed sources: the good plan is reported"
expect_out "\"$tmp/garbage.bin\"" "mixed sources: the bad source is listed in the report"

# passwords never appear, whatever the path
for target in 'postgresql://alice:S3cretPw@127.0.0.1:1/app' 'mysql://bob:S3cretPw@127.0.0.1:1/app' \
              'mongodb://carol:S3cretPw@127.0.0.1:1/app' 'host=127.0.0.1 port=1 password=S3cretPw'; do
  run "$DBPERF" audit --format json --statement-timeout 1000 "$target"
  expect_rc 3 "unreachable $target"
  if grep -q S3cretPw "$tmp/out" "$tmp/err"; then bad "password printed for $target"; else ok; fi
done

# usage
run "$DBPERF" audit
expect_rc 2 "no source"
run "$DBPERF" audit --format xml "$good"
expect_rc 2 "bad format"
run "$DBPERF" audit --fail-on sometimes "$good"
expect_rc 2 "bad --fail-on"
run "$DBPERF" audit --no-such-option "$good"
expect_rc 2 "unknown option"
run "$DBPERF" nonsense
expect_rc 2 "unknown command"
printf '[rule.seq-scan]\nno_such_threshold = 3\n' >"$tmp/bad.conf"
run "$DBPERF" audit --config "$tmp/bad.conf" "$good"
expect_rc 2 "bad config"; expect_err "$tmp/bad.conf:2" "bad config names file:line"
run "$DBPERF" audit --config "$tmp/nonexistent.conf" "$good"
expect_rc 2 "missing --config"
run "$DBPERF" --help
expect_rc 0 "--help"; expect_out "audit" "--help lists commands"
run "$DBPERF" audit --help
expect_rc 0 "audit --help"; expect_out "--fail-on" "audit --help lists options"
run "$DBPERF" --version
expect_rc 0 "--version"; expect_out "dbperf " "--version"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
