#!/usr/bin/env bash
# Install PipeAtlas on a fresh Debian/Ubuntu machine: Qt's system libraries, CJK fonts,
# PDF tools, a virtual environment in .venv and the project (with test tools if --test).
# With --test (CI) or --postgis also PostgreSQL + PostGIS (the team store; tests/team starts a
# private cluster from them). The embedded GeoPackage needs neither.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS="libegl1 libgl1 libopengl0 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 \
libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xkb1 libxcb-xfixes0 \
libx11-xcb1 libxrender1 libxi6 fonts-noto-cjk fonts-wqy-microhei poppler-utils python3-venv"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  # python3-venv may be absent where Python comes from elsewhere (pyenv): don't fail on it
  $SUDO apt-get install -y -q --no-install-recommends $missing \
    || $SUDO apt-get install -y -q --no-install-recommends ${missing/python3-venv/}
fi

# PostgreSQL and the distro's PostGIS 3 for it (postgresql-15-postgis-3 on Debian 12)
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--postgis" ]; then
  pg_missing() {
    local v want=""
    for p in postgresql postgresql-contrib; do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || want="$want $p"
    done
    v="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)"
    if [ -n "$v" ]; then
      dpkg-query -W -f='${Status}' "postgresql-$v-postgis-3" 2>/dev/null \
        | grep -q "install ok installed" || want="$want postgresql-$v-postgis-3"
    fi
    echo "$want"
  }
  export DEBIAN_FRONTEND=noninteractive
  for _round in 1 2; do  # the server first, then the PostGIS of its version
    want="$(pg_missing)"
    [ -z "$want" ] && break
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends $want
  done
fi

PY=""
for cand in python3.11 python3.12 python3.13 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    PY="$cand"; break
  fi
done
if [ -z "$PY" ]; then echo "PipeAtlas needs Python 3.11 or newer" >&2; exit 1; fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
else
  .venv/bin/python -m pip install -q -e .
fi
