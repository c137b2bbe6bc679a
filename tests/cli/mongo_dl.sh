#!/usr/bin/env bash
# tests/cli/mongo_dl.sh DBPERF CORPUS STUBDIR [BINARY...] -- libmongoc and libbson are loaded
# (dlopen, drivers/mongodb/mongo_dl.c) only when a MongoDB server is audited:
#   - neither DBPERF nor any BINARY (unit tests, fuzz replays) links them (ldd);
#   - `dbperf --version` and an audit of every offline MongoDB format (JSON and text logs,
#     system.profile, explain, $indexStats) never load them (glibc's LD_DEBUG=libs lists every
#     library loaded, dlopen included);
#   - without a loadable libmongoc (a bogus libmongoc-1.0.so.0 first on LD_LIBRARY_PATH), a
#     mongodb:// target fails with one line naming the library and the Debian package, exit 3,
#     and the other sources of the audit are still reported;
#   - with a libmongoc-1.0.so.0 lacking the functions dbperf calls (STUBDIR holds a stub built
#     by tests/mongo.cmake), the same, naming the missing function.
# The live path itself (the libraries loaded, the server read) is tests/mongo_double/test_live.py.
set -u
DBPERF=${1:?usage: mongo_dl.sh DBPERF CORPUS STUBDIR [BINARY...]}
CORPUS=${2:?usage: mongo_dl.sh DBPERF CORPUS STUBDIR [BINARY...]}
STUBDIR=${3:?usage: mongo_dl.sh DBPERF CORPUS STUBDIR [BINARY...]}
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run CMD...: sets rc; stdout in $tmp/out, stderr in $tmp/err
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
expect_rc() { [ "$rc" -eq "$1" ] && ok || bad "$2: exit $rc, want $1 (stderr: $(cat "$tmp/err"))"; }
expect_err() { grep -qF -- "$1" "$tmp/err" && ok || bad "$2: stderr lacks '$1': $(cat "$tmp/err")"; }
expect_out() { grep -qF -- "$1" "$tmp/out" && ok || bad "$2: stdout lacks '$1'"; }

# not linked (DBPERF may be a DBPERF_TEST_WRAPPER script: tests/mongo.cmake passes the binary
# among the BINARYs too)
for bin in "$DBPERF" "$@"; do
  if [ "$(head -c 2 "$bin")" = "#!" ]; then
    continue
  elif ! libs=$(ldd "$bin"); then
    bad "ldd $bin failed"
  elif ! grep -q 'libc\.so' <<<"$libs"; then
    bad "ldd $bin lists no libc: $libs"
  elif grep -E 'libmongoc|libbson' <<<"$libs"; then
    bad "$bin links libmongoc/libbson again (see above)"
  else
    ok
  fi
done

# not loaded without a server
offline=("$CORPUS/mongodb/logs/hatchet-mongod-6.0.11-slowquery-sample.log"
         "$CORPUS/mtools/logfiles/collscans.log"
         "$CORPUS/mongodb/profile/datadog-system.profile.json"
         "$CORPUS/mongodb/explain/datadog-explain-standalone-6.0.15-collscan.json"
         "$CORPUS/mongodb/indexstats/datadog-indexStats-foo.json")
not_loaded() {
  grep -q 'find library=libc\.so' "$tmp/err" || bad "$1: LD_DEBUG=libs printed nothing"
  if grep -E 'libmongoc|libbson' "$tmp/err" | head -3 | grep .; then
    bad "$1 loads libmongoc/libbson (see above)"
  else
    ok
  fi
}
run env LD_DEBUG=libs "$DBPERF" --version
expect_rc 0 "--version"
not_loaded "dbperf --version"
run env LD_DEBUG=libs "$DBPERF" audit --format json "${offline[@]}" -o "$tmp/offline.json"
expect_rc 0 "offline MongoDB formats"
not_loaded "an audit of the offline MongoDB formats"
for f in mongodb-log mongodb-log-text mongodb-profile mongodb-explain mongodb-indexstats; do
  grep -qF "\"$f\"" "$tmp/offline.json" && ok || bad "offline audit: no $f source"
done

# no loadable libmongoc: the server fails, one clear line, the log is still reported
mkdir "$tmp/bogus"
echo 'not a shared library' >"$tmp/bogus/libmongoc-1.0.so.0"
run env LD_LIBRARY_PATH="$tmp/bogus" "$DBPERF" audit --format json 'mongodb://127.0.0.1:1/' \
  "$CORPUS/mtools/logfiles/collscans.log"
expect_rc 3 "no libmongoc"
expect_err "dbperf: mongodb://127.0.0.1:1/: auditing a MongoDB server needs libmongoc-1.0.so.0" \
  "no libmongoc"
expect_err "install Debian's libmongoc-1.0-0" "no libmongoc"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "no libmongoc: want one line: $(cat "$tmp/err")"
expect_out '"mongodb-log-text"' "no libmongoc: the log is still reported"
expect_out '"seq-scan"' "no libmongoc: the log's findings are still reported"

# a libmongoc-1.0.so.0 without the functions dbperf calls
run env LD_LIBRARY_PATH="$STUBDIR" "$DBPERF" audit --format json 'mongodb://127.0.0.1:1/' \
  "$CORPUS/mtools/logfiles/collscans.log"
expect_rc 3 "stub libmongoc"
expect_err "libmongoc-1.0.so.0, which has no mongoc_" "stub libmongoc"
expect_err "install Debian's libmongoc-1.0-0" "stub libmongoc"
expect_out '"mongodb-log-text"' "stub libmongoc: the log is still reported"

echo "mongo_dl: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
