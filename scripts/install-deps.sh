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
  clang libclang-rt-dev                                            # the fuzz targets: clang and libFuzzer (libclang_rt.fuzzer)
  postgresql-client postgresql                                     # real psql/pgbench to test with; PostgreSQL as yardstick
  xvfb xauth                                                       # a display for headless runs
  netcat-openbsd procps                                            # nc to read the event stream; ps
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
