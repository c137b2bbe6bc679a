#!/usr/bin/env bash
# install-deps.sh: install every Debian 12 package dbperf needs to build, test and benchmark.
# Build: compiler, cmake, pkg-config and the client libraries (found through pkg-config).
# Tests: cmocka, tmux, throwaway PostgreSQL 15 (+ hypopg, pg_qualstats) and MariaDB 10.11 servers.
# Peers: pgbadger and percona-toolkit (pt-query-digest, pt-fingerprint) for conformance and bench.
# Debian's server packages try to start system-wide instances: a policy-rc.d stops that, and
# createcluster.conf stops the default PostgreSQL cluster being made. Run as root.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$0" "$@"
fi
PKGS=(
  build-essential cmake pkg-config clang
  libpq-dev libmariadb-dev libmongoc-dev libbson-dev libcjson-dev libncurses-dev libsqlite3-dev
  zlib1g-dev libcmocka-dev
  postgresql-15 postgresql-client-15 postgresql-15-hypopg postgresql-15-pg-qualstats
  mariadb-server mariadb-client
  pgbadger percona-toolkit tmux sqlite3 valgrind libclang-rt-14-dev python3-jsonschema systemd
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
# keep Debian's maintainer scripts from starting system-wide servers
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
fi
mkdir -p /etc/postgresql-common
if ! grep -qs '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf; then
  echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${#missing[@]} packages"
