#!/usr/bin/env bash
# test.sh: install what is missing, build minipg with AddressSanitizer and
# UndefinedBehaviorSanitizer, fuzz every parser of untrusted input for a few
# seconds each (scripts/fuzz.sh --ci: clang, its own build-fuzz/), and run
# every test (unit, integration, the fuzzers' corpora, and the visualizer
# under Xvfb). This is the README's second command and all that .ci/run does.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

source scripts/ccache.sh
BUILD=${MINIPG_TEST_BUILD_DIR:-build-asan}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMINIPG_SANITIZE=ON "${CCACHE_ARGS[@]}"
cmake --build "$BUILD" -j"$(nproc)"

# Before ctest, so that ctest's summary stays the last thing printed.
bash scripts/fuzz.sh --ci

# Leaks inside the OpenGL driver and X libraries are not ours to fix.
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="abort_on_error=1"  # leak checking is on by default
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$BUILD"
ctest --output-on-failure -j2 --timeout 300
