#!/usr/bin/env bash
# test.sh: install what is missing, build minipg with AddressSanitizer and
# UndefinedBehaviorSanitizer, fuzz every parser of untrusted input for a few
# seconds each (scripts/fuzz.sh --ci: clang, its own build-fuzz/), and run
# every test (unit, integration, the fuzzers' corpora, and the visualizer
# under Xvfb). This is the README's second command and all that .ci/run does.
#
# CI time (2 cores; budget 45 min, CI's limit 90; docs/testing.md). A cold
# run took 28-37.5 min, most of it compiling build-asan, and most of that
# the tests' own files. CPU seconds per file, ASan+UBSan, before -> after
# the sanitizer build went from -O2 -g to -O1 -g1 and the tests' code to
# -O0 (measured on a busy machine; the ratios are what count):
#   tests/engine/trace/storage_events_test.cpp   48.2 -> 12.6 (O0 -g1)
#   tests/engine/protocol/codec_test.cpp         20.1 ->  7.6
#   engine/sql/copy_command.cpp                  32.6 -> 15.2 (O1 -g1)
#   engine/protocol/codec.cpp                    13.6 ->  8.4
#   tests/fuzz/replay_test.cpp              10 x 13.3 ->  1 x 3.8 (one object)
#   bench/viz_load.cpp                           43.7 ->  not built
# About half the build's CPU time in all (a sample of 36 of its 277 files).
# Linking (~100 programs) is about 0.5 s of CPU each. With ccache warm
# (scripts/ccache.sh: the cache outlives the clone) a rerun compiles only
# what changed.
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
