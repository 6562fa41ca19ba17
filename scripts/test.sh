#!/usr/bin/env bash
# test.sh: install what is missing, build minipg with AddressSanitizer and
# UndefinedBehaviorSanitizer, and run every test (unit, integration, and the
# visualizer under Xvfb). This is the README's second command and all that
# .ci/run does.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

BUILD=${MINIPG_TEST_BUILD_DIR:-build-asan}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMINIPG_SANITIZE=ON
cmake --build "$BUILD" -j"$(nproc)"

# Leaks inside the OpenGL driver and X libraries are not ours to fix.
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="abort_on_error=1"  # leak checking is on by default
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$BUILD"
ctest --output-on-failure -j2 --timeout 300
