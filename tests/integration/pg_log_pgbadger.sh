#!/usr/bin/env bash
# pg_log_pgbadger.sh -- conformance of the postgres-stderr parser with pgbadger on the
# stderr fixtures of the corpus (pgbadger/fixtures): pgbadger -x json is run here on each
# fixture, and pg_log_conform compares the total duration of every statement class
# (joined by normalized text) and of the whole log, within 0.1%.
#   pg_log_pgbadger.sh PG_LOG_CONFORM CORPUS_DIR
set -euo pipefail
CONFORM=${1:?usage: pg_log_pgbadger.sh PG_LOG_CONFORM CORPUS_DIR}
CORPUS=${2:?usage: pg_log_pgbadger.sh PG_LOG_CONFORM CORPUS_DIR}
FIX=$CORPUS/pgbadger/fixtures
[ -d "$FIX" ] || { echo "FAIL: no fixtures at $FIX" >&2; exit 1; }
command -v pgbadger >/dev/null || { echo "FAIL: pgbadger is not installed" >&2; exit 1; }
TMP=$(mktemp -d /tmp/pglogbadger.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# fixture <TAB> format <TAB> log_line_prefix (as pgbadger's --prefix and dbperf's
# --log-prefix take it; "-" for csvlog) [<TAB> totals: compare the total duration only].
# postgresql_param_range.log: pgbadger substitutes the bind parameters into its sample
# queries and cuts the tsrange value '[2023-02-23T00:00,2023-02-24T00:00]' at its comma (the
# sample loses its closing quote), so its samples cannot be fingerprinted and joined to
# classes; its totals must still agree.
# Fixtures left out, and why:
#   pg-syslog.*, logplex.gz: syslog / Heroku formats, not stderr
#   pgbouncer*.gz: pgBouncer logs; pg_vacuums.*, begin_end.log: no statements
#   pg-timezones.log: hand-edited lines ("LOG: duration: x ms statement:" with single spaces)
#   that PostgreSQL never writes; pg_rawcsv.log: a pgbadger --dump-raw-csv input
#   csv_statement_without_duration.log: the installed pgbadger 12.0 gives the statement
#   logged without a duration the previous statement's duration (fixed upstream; its
#   t/07_csv_statement_duration.t expectations are checked in tests/unit/test_pg_log.c)
#   cnpg.log.gz, cloudsql.log.gz: pgbadger 12.0 reads no query from them
FIXTURES="stmt_type.log	stderr	%m [%p] 
multiline_param.log	stderr	%m [%p] user=%u,db=%d 
postgresql_param_range.log	stderr	%t [%p]: [%l-1] [%x] usr=%u,db=%d,appli=%a 	totals
queryid.log.gz	stderr	%m [%p] [queryid=%Q] %u@%d 
tempfile_only.log.gz	stderr	%t [%p]: [%l-1] user=%u,db=%d 
light.postgres.log.bz2	stderr	%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h 
rds.log.bz2	stderr	%t:%r:%u@%d:[%p]:
anonymize.log	csv	-
weeknumber.log	csv	-"

fail=0
while IFS=$'\t' read -r f kind prefix how; do
  src=$FIX/$f
  [ -f "$src" ] || { echo "FAIL: missing fixture $src"; fail=1; continue; }
  in=$src
  case $f in
    *.bz2) in=$TMP/${f%.bz2}; bzcat "$src" >"$in" ;;  # the reader reads gzip, not bzip2
  esac
  out=$TMP/${f%%.*}.json
  pgargs=(-f "$kind")
  [ "$kind" = stderr ] && pgargs+=(--prefix "$prefix")
  if ! pgbadger -q -x json -o "$out" --pid-dir "$TMP" "${pgargs[@]}" "$in" \
       >"$TMP/pgbadger.err" 2>&1; then
    echo "FAIL: pgbadger failed on $f:"; cat "$TMP/pgbadger.err"; fail=1; continue
  fi
  modes=detected
  [ "$kind" = stderr ] && modes="given detected"
  for mode in $modes; do
    args=(--format "postgres-$kind" --pgbadger "$out")
    [ $mode = given ] && args+=(--prefix "$prefix")
    [ "${how:-}" = totals ] && args+=(--totals-only)
    echo "== $f ($kind, $mode prefix)"
    if ! "$CONFORM" "${args[@]}" "$in"; then
      echo "FAIL: $f ($mode prefix) disagrees with pgbadger"; fail=1
    fi
  done
done <<<"$FIXTURES"
exit $fail
