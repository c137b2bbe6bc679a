#!/usr/bin/env bash
# mariadb-server.sh -- a throwaway MariaDB 10.11 for tests, the demo and benchmarks.
#
#   mariadb-server.sh start DIR PORT   install (first time) and start on 127.0.0.1:PORT and
#                                      DIR/mysql.sock; slow log DIR/slow.log at
#                                      long_query_time=0 with log_slow_verbosity=query_plan,explain,
#                                      performance_schema=ON, userstat=1; database `bench`,
#                                      user bench/bench
#   mariadb-server.sh stop DIR         stop it and wait for the process to exit
#
# Durability is relaxed: never point it at data you want to keep.
set -euo pipefail
cmd=${1:?usage: mariadb-server.sh start|stop DIR [PORT]}
DIR=${2:?usage: mariadb-server.sh start|stop DIR [PORT]}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

if [ "$cmd" = stop ]; then
  if [ -f "$DIR/mariadbd.pid" ]; then
    pid=$(cat "$DIR/mariadbd.pid" 2>/dev/null || true)
    mariadb-admin --defaults-file="$DIR/my.cnf" -uroot shutdown >/dev/null 2>&1 || true
    # the pid file disappears just before the process exits: wait on the process itself
    if [ -n "${pid:-}" ]; then
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  exit 0
fi
[ "$cmd" = start ] || { echo "usage: mariadb-server.sh start|stop DIR [PORT]" >&2; exit 2; }
PORT=${3:?usage: mariadb-server.sh start DIR PORT}
if [ ${#DIR} -gt 90 ]; then echo "mariadb-server.sh: $DIR is too long for a unix socket" >&2; exit 2; fi
OSUSER=mysql; [ "$(id -u)" -ne 0 ] && OSUSER=$(id -un)
cat >"$DIR/my.cnf" <<CNF
# written by dbperf scripts/mariadb-server.sh -- throwaway server, durability relaxed
[client]
socket = $DIR/mysql.sock
port = $PORT
[mariadbd]
user = $OSUSER
datadir = $DIR/data
socket = $DIR/mysql.sock
port = $PORT
bind-address = 127.0.0.1
pid-file = $DIR/mariadbd.pid
log-error = $DIR/error.log
skip-name-resolve
innodb_buffer_pool_size = 128M
innodb_flush_log_at_trx_commit = 2
innodb_doublewrite = 0
slow_query_log = 1
slow_query_log_file = $DIR/slow.log
long_query_time = 0
log_slow_verbosity = query_plan,explain
log_slow_admin_statements = 1
performance_schema = ON
performance-schema-consumer-events-statements-current = ON
performance-schema-consumer-events-statements-history = ON
performance-schema-consumer-events-statements-history-long = ON
userstat = 1
max_connections = 200
${MARIADB_EXTRA_CONF:-}
CNF
[ "$(id -u)" -eq 0 ] && chown -R "$OSUSER": "$DIR"
if [ ! -d "$DIR/data/mysql" ]; then
  # --defaults-file must be the first option
  mariadb-install-db --defaults-file="$DIR/my.cnf" --user="$OSUSER" \
     --datadir="$DIR/data" --skip-test-db >"$DIR/install-db.log" 2>&1 \
     || { cat "$DIR/install-db.log" >&2; exit 1; }
fi
ADMIN=(mariadb-admin --defaults-file="$DIR/my.cnf" -uroot)
if ! "${ADMIN[@]}" ping >/dev/null 2>&1; then
  # mariadbd never daemonises itself: detach it, then wait for the socket
  setsid nohup mariadbd --defaults-file="$DIR/my.cnf" </dev/null >>"$DIR/error.log" 2>&1 &
  for i in $(seq 1 120); do
    "${ADMIN[@]}" ping >/dev/null 2>&1 && break
    sleep 0.5
    [ "$i" -eq 120 ] && { tail -20 "$DIR/error.log" >&2; exit 1; }
  done
fi
mariadb --defaults-file="$DIR/my.cnf" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS bench;
CREATE USER IF NOT EXISTS 'bench'@'localhost' IDENTIFIED BY 'bench';
CREATE USER IF NOT EXISTS 'bench'@'127.0.0.1' IDENTIFIED BY 'bench';
GRANT ALL ON *.* TO 'bench'@'localhost';
GRANT ALL ON *.* TO 'bench'@'127.0.0.1';
SQL
echo "MariaDB up: mariadb --defaults-file=$DIR/my.cnf bench   slow log: $DIR/slow.log"
