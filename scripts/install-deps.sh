#!/usr/bin/env bash
# install-deps.sh: install the Debian 12 packages minipg needs, if missing.
# Safe to run again: it installs only what is not there yet.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git ccache                      # ccache: test.sh's compiler cache
  libimgui-dev libglfw3-dev libstb-dev libgl-dev libgl1-mesa-dri   # the visualizer (ImGui + GLFW + OpenGL 3)
  libjemalloc-dev                                                  # the visualizer's allocator (see viz/CMakeLists.txt)
  libfmt-dev nlohmann-json3-dev libcli11-dev libedit-dev          # formatting, JSON, flags, line editing
  libssl-dev                                                       # libcrypto: SCRAM-SHA-256, md5 passwords
  libgmp-dev libpcre2-dev                                          # numeric's big integers; regular expressions
  libgtest-dev libpq-dev                                           # tests (libpq: the driver test)
  python3-psycopg2                                                 # the psycopg2 driver program's test
  clang libclang-rt-dev                                            # the fuzz targets: clang and libFuzzer (libclang_rt.fuzzer)
  postgresql-client postgresql                                     # real psql/pgbench to test with; PostgreSQL as yardstick
  xvfb xauth                                                       # a display for headless runs
  netcat-openbsd procps                                            # nc to read the event stream; ps
  gnuplot-nox                                                      # bench/compare's chart (docs/images/performance.png)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
updated=0
apt_update() {
  if [ "$updated" -eq 0 ]; then $SUDO apt-get update -q; updated=1; fi
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
else
  echo "install-deps: installing ${missing[*]}"
  apt_update
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# node-postgres for the driver programs' test: Debian's node-pg (and Debian's
# nodejs where there is none). Where the machine's nodejs is not Debian's
# (NodeSource's, say), apt cannot satisfy node-pg's dependencies; node-pg is
# plain JavaScript, so the same Debian packages are unpacked into
# $NODE_PG_ROOT instead (the test looks there too).
NODE_PG_ROOT=/opt/minipg/node-pg
NODE_PG_PACKAGES=(node-pg node-split2 node-xtend node-readable-stream node-async)
node_pg_present() {
  command -v node >/dev/null 2>&1 &&
    NODE_PATH=/usr/share/nodejs:$NODE_PG_ROOT/usr/share/nodejs node -e "require('pg')" >/dev/null 2>&1
}
if node_pg_present; then
  exit 0
fi
apt_update
if ! command -v node >/dev/null 2>&1; then
  $SUDO apt-get install -y -q --no-install-recommends nodejs node-pg
elif ! $SUDO apt-get install -y -q --no-install-recommends node-pg; then
  echo "install-deps: this nodejs is not Debian's; unpacking Debian's node-pg into $NODE_PG_ROOT"
  tmp=$(mktemp -d)
  (cd "$tmp" && chmod 777 . && apt-get download "${NODE_PG_PACKAGES[@]}")
  $SUDO mkdir -p "$NODE_PG_ROOT"
  for deb in "$tmp"/*.deb; do $SUDO dpkg -x "$deb" "$NODE_PG_ROOT"; done
  rm -rf "$tmp"
fi
node_pg_present || { echo "install-deps: node-pg is still missing" >&2; exit 1; }
