#!/usr/bin/env bash
# fuzz.sh: build the libFuzzer targets of tests/fuzz/ with clang (in
# build-fuzz/, apart from the normal build) and run them.
#
#   scripts/fuzz.sh TARGET [SECONDS]   fuzz one target (default 600 s); new
#                                      inputs collect in build-fuzz/corpus/TARGET
#   scripts/fuzz.sh --ci [SECONDS]     every target for SECONDS each (default 8),
#                                      as scripts/test.sh does; fails on a crash
#   scripts/fuzz.sh --list             the targets
#
# A crash is saved as build-fuzz/crashes/TARGET-crash-<sha1> and the run
# fails; build-fuzz/fuzz/TARGET_fuzz FILE reproduces it. Once fixed, the
# input goes into tests/fuzz/regressions/TARGET/ so the ordinary test build
# replays it for good (docs/security.md, "Fuzzing").
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(startup_packet frontend_message copy_format sql_lexer sql_parser scenario page wal_reader viz_event viz_trace)
BUILD=${MINIPG_FUZZ_BUILD_DIR:-build-fuzz}

# Bounds that keep CI from tripping over known bugs being fixed elsewhere
# (tests/fuzz/known/README.md says which, and when to lift each).
ci_options() {
  case "$1" in
    # None at present: a target with known crashes gets its bound here,
    # e.g. `sql_parser) echo "-max_len=512" ;;`.
    *) echo "" ;;
  esac
}

usage() { sed -n '2,15p' "$0"; exit 2; }

build() {
  source scripts/ccache.sh
  cmake -S . -B "$BUILD" -DMINIPG_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "${CCACHE_ARGS[@]}" >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" --target minipg_fuzz
}

# run TARGET SECONDS [libFuzzer flags...]: fuzzes from the committed seeds
# and regressions, keeping what it finds in $BUILD/corpus/TARGET.
run() {
  local target=$1 seconds=$2
  shift 2
  local dirs=("$BUILD/corpus/$target")
  for d in "tests/fuzz/corpus/$target" "tests/fuzz/regressions/$target"; do
    [ -d "$d" ] && dirs+=("$d")
  done
  local dict=()
  [ -f "tests/fuzz/$target.dict" ] && dict=(-dict="tests/fuzz/$target.dict")
  mkdir -p "$BUILD/corpus/$target" "$BUILD/crashes"
  "$BUILD/fuzz/${target}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$BUILD/crashes/$target-" "${dict[@]}" "$@" "${dirs[@]}"
}

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

case "${1:-}" in
  --list)
    printf '%s\n' "${TARGETS[@]}" ;;
  --ci)
    seconds=${2:-8}
    build
    mkdir -p "$BUILD/logs"
    failed=()
    for t in "${TARGETS[@]}"; do
      # shellcheck disable=SC2046  # the options are words
      if run "$t" "$seconds" $(ci_options "$t") >"$BUILD/logs/$t.log" 2>&1; then
        echo "fuzz: $t ok ($(grep -o 'Done [0-9]* runs' "$BUILD/logs/$t.log" | tail -1 | cut -d' ' -f2) runs in ${seconds} s)"
      else
        echo "fuzz: $t FAILED, log: $BUILD/logs/$t.log"
        grep -A30 -m1 -E '==ERROR|ERROR: libFuzzer|fuzz invariant|runtime error' "$BUILD/logs/$t.log" || tail -30 "$BUILD/logs/$t.log"
        grep -E 'Test unit written to' "$BUILD/logs/$t.log" || true
        failed+=("$t")
      fi
    done
    if [ ${#failed[@]} -gt 0 ]; then
      echo "fuzz: failed: ${failed[*]}; a crash is reproduced by $BUILD/fuzz/TARGET_fuzz FILE"
      exit 1
    fi ;;
  ""|-h|--help)
    usage ;;
  *)
    target=$1
    [[ " ${TARGETS[*]} " == *" $target "* ]] || { echo "fuzz.sh: no target \"$target\" (--list)" >&2; exit 2; }
    build
    run "$target" "${2:-600}" ;;
esac
