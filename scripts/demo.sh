#!/usr/bin/env bash
# demo.sh: install what is missing, build, and run the demo: minipg-viz with no
# arguments, which starts its own minipg in a temporary data directory, plays
# the guided tour (scenarios/tour.scn) against it with minipg-sim, and leaves
# the server running for you (it prints how to connect psql and how to stop it).
# Without a display the visualizer runs under Xvfb and writes a picture of each
# step of the tour.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target minipg minipsql minipg-sim minipg-viz

BIN="$PWD/build/bin"
if [ -n "${DISPLAY:-}" ] && [ -z "${MINIPG_DEMO_HEADLESS:-}" ]; then
  echo "demo: opening the visualizer; the guided tour plays in it (close the window to end)"
  exec "$BIN/minipg-viz"
fi

# No window to watch: the tour is played (twice as fast) and the visualizer
# takes a picture at each of its steps instead, the whole story: clients
# connecting, backends forked, queries, a cancel, a terminate, a crash.
OUT="$(mktemp -d /tmp/minipg-demo.XXXXXX)"
echo "demo: no display; running the visualizer under Xvfb through the tour, a picture per step"
xvfb-run -a -s "-screen 0 1280x800x24" "$BIN/minipg-viz" --storyboard "$OUT" --keep-server --tour-speed 2 </dev/null
echo "demo: wrote the tour's pictures, one per step, to $OUT (captions in $OUT/storyboard.md)"
