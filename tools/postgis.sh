#!/usr/bin/env bash
# PostgreSQL + PostGIS for a park's team (the embedded GeoPackage stays the default).
#
#   bash tools/postgis.sh install            install PostgreSQL and PostGIS (Debian/Ubuntu packages)
#   bash tools/postgis.sh start [DIR] [PORT] make a cluster in DIR (default ./pgdata) if needed and
#                                            start it on localhost:PORT (default 5432), with a
#                                            database "pipeatlas" (PostGIS enabled), the roles
#                                            field_engineer / park_staff / auditor, and a login
#                                            role for you (member of field_engineer and park_staff)
#   bash tools/postgis.sh stop [DIR]         stop it
#   bash tools/postgis.sh status [DIR]
#
# Then: python main.py push park.gpkg "postgresql:///pipeatlas?host=$PWD/pgdata&port=5432&schema=park"
# Connections through the socket in DIR use peer authentication (your system user name); TCP
# connections need a password: ALTER ROLE … PASSWORD, kept in ~/.pgpass (never in an address).
# Running as root, the server runs as the "postgres" system user (initdb refuses root).
set -euo pipefail
cmd="${1:-}"
DIR="$(realpath -m "${2:-./pgdata}")"
PORT="${3:-${PGPORT:-5432}}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

pg_pkgs() {
  # the distro's PostgreSQL and its PostGIS 3 package (postgresql-15-postgis-3 on Debian 12)
  local v
  v="$(apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -1)"
  echo "postgresql postgresql-contrib postgresql-${v:-15}-postgis-3"
}

bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -z "$d" ]; then echo "PostgreSQL is not installed: bash tools/postgis.sh install" >&2; exit 1; fi
  echo "$d"
}

SUPER="postgres"
if [ "$(id -u)" -ne 0 ]; then SUPER="$(id -un)"; fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  install)
    missing=""
    for p in $(pg_pkgs); do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
      export DEBIAN_FRONTEND=noninteractive
      $SUDO apt-get update -q
      $SUDO apt-get install -y -q --no-install-recommends $missing
    fi
    echo "PostgreSQL $(basename "$(dirname "$(bindir)")") with PostGIS is installed."
    ;;
  start)
    B="$(bindir)"
    mkdir -p "$DIR"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$DIR"; fi
    if [ ! -f "$DIR/PG_VERSION" ]; then
      as_owner "$B/initdb" -D "$DIR" -U "$SUPER" -E UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >/dev/null
      echo "made a cluster in $DIR"
    fi
    if as_owner "$B/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
      echo "already running ($DIR)"
    else
      as_owner "$B/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
        -o "-p $PORT -c listen_addresses=localhost -k $DIR" start >/dev/null
      echo "started on localhost:$PORT (log: $DIR/server.log)"
    fi
    export PGOPTIONS="-c client_min_messages=warning"
    PSQL=("$B/psql" -h "$DIR" -p "$PORT" -U "$SUPER" -v ON_ERROR_STOP=1 -qAt)
    if [ "$(as_owner "${PSQL[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'pipeatlas'")" != "1" ]; then
      as_owner "${PSQL[@]}" -d postgres -c "CREATE DATABASE pipeatlas"
    fi
    ME="${SUDO_USER:-$(id -un)}"
    as_owner "${PSQL[@]}" -d pipeatlas <<SQL
CREATE EXTENSION IF NOT EXISTS postgis;
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'field_engineer') THEN CREATE ROLE field_engineer NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'park_staff') THEN CREATE ROLE park_staff NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditor') THEN CREATE ROLE auditor NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ME') THEN
    CREATE ROLE "$ME" LOGIN IN ROLE field_engineer, park_staff;
  END IF;
END \$\$;
GRANT CREATE ON DATABASE pipeatlas TO field_engineer, park_staff;
SQL
    echo "database pipeatlas ready; the project address for $ME on this machine:"
    echo "  postgresql:///pipeatlas?host=$DIR&port=$PORT&schema=park"
    ;;
  stop)
    as_owner "$(bindir)/pg_ctl" -D "$DIR" -m fast -w stop
    ;;
  status)
    as_owner "$(bindir)/pg_ctl" -D "$DIR" status
    ;;
  *)
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
