#!/usr/bin/env bash
# Idempotent set-up of a fresh Debian machine for building and testing Spar: PostgreSQL 15 with the hll and
# pg_partman extensions, Maven and a JDK 17. Installs only what is missing; a no-op (and offline) otherwise.
set -euo pipefail

PG_MAJOR=15
PG_SHARE=/usr/share/postgresql/${PG_MAJOR}/extension

SUDO=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "setup.sh: not root and sudo is unavailable; install the packages listed in $0 by hand" >&2
    exit 1
  fi
fi

installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
if [[ ! -x /usr/lib/postgresql/${PG_MAJOR}/bin/initdb ]] && ! installed "postgresql-${PG_MAJOR}"; then
  missing+=("postgresql-${PG_MAJOR}")
fi
[[ -f ${PG_SHARE}/hll.control ]] || missing+=("postgresql-${PG_MAJOR}-hll")
[[ -f ${PG_SHARE}/pg_partman.control ]] || missing+=("postgresql-${PG_MAJOR}-partman")
# The clients the wire-protocol tests drive: psql (pgbench comes with the server package),
# psycopg2 for the system's python3, and Ruby's pg.
[[ -x /usr/lib/postgresql/${PG_MAJOR}/bin/psql ]] || missing+=("postgresql-client-${PG_MAJOR}")
/usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1 || missing+=(python3-psycopg2)
command -v ruby >/dev/null 2>&1 && ruby -e 'require "pg"' >/dev/null 2>&1 || missing+=(ruby-pg)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup.sh: everything is installed"
  exit 0
fi

# Spar starts its own throw-away clusters (LocalCluster); keep the package from creating and starting a system
# cluster on port 5432. Only written before postgresql-common exists, so an admin's own file is never replaced.
if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
  "${SUDO[@]}" mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | "${SUDO[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
fi

echo "setup.sh: installing ${missing[*]}"
"${SUDO[@]}" apt-get update -q
# confold keeps the createcluster.conf written above instead of prompting for the packaged version.
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
