#!/usr/bin/env bash
# demo.sh: install what is missing, build, and run the demo: minipg-viz with no
# arguments, which starts its own minipg in a temporary data directory, plays
# the guided tour (scenarios/tour.scn) against it with minipg-sim, and leaves
# the server running for you (it prints how to connect psql and how to stop it).
# Without a display the visualizer runs under Xvfb and writes a screenshot.
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

SHOT="$(mktemp -d /tmp/minipg-demo.XXXXXX)/minipg-demo.png"
echo "demo: no display; running the visualizer under Xvfb for 20 seconds of the tour"
xvfb-run -a -s "-screen 0 1280x800x24" "$BIN/minipg-viz" --screenshot "$SHOT" --after-ms 20000 </dev/null
echo "demo: wrote the visualizer's screenshot to $SHOT"
