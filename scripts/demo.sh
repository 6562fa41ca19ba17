#!/usr/bin/env bash
# demo.sh: install what is missing, build minipg, and run the demo on an
# embedded default: a minipg server in a temporary data directory, a few
# psql clients, and the visualizer watching them. With no display the
# visualizer runs under Xvfb and writes a screenshot, and says where.
# The server is left running for you to connect to; the script prints how.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

BIN="$PWD/build/bin"
DATA=$(mktemp -d /tmp/minipg-demo.XXXXXX)
# First free port from 5432 up (with the next one free for the event stream).
PORT=5432
while (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/$((PORT + 1))) 2>/dev/null; do
  PORT=$((PORT + 2))
done
EVENTS=$((PORT + 1))

echo "demo: starting minipg on port $PORT, data directory $DATA"
"$BIN/minipg" -D "$DATA" -p "$PORT" -k "$DATA" -c trace_file=trace.jsonl >"$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  [ -S "$DATA/.s.PGSQL.$PORT" ] && break
  sleep 0.1
done

PSQL="psql -X -q -h $DATA -p $PORT -U demo"
# Some activity to watch: a table, a few sessions, one still connected.
$PSQL -d shop -c "CREATE TABLE IF NOT EXISTS orders (id int, item text, paid boolean)" \
      -c "INSERT INTO orders VALUES (1, 'tea', true), (2, 'cake', false), (3, 'jam', true)" >/dev/null
$PSQL -d shop -c "SELECT item FROM orders WHERE paid" >/dev/null
psql -X -q -h 127.0.0.1 -p "$PORT" -U alice -d shop -c "SELECT pg_backend_pid()" >/dev/null
(PGAPPNAME=long_report $PSQL -d shop -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &)
(PGAPPNAME=web_worker psql -X -q -h 127.0.0.1 -p "$PORT" -U web -d shop -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &)
sleep 0.5

VIZ=("$BIN/minipg-viz" --connect "127.0.0.1:$EVENTS")
if [ -n "${DISPLAY:-}" ] && [ -z "${MINIPG_DEMO_HEADLESS:-}" ]; then
  echo "demo: opening the visualizer (close its window to end the demo)"
  "${VIZ[@]}" || true
else
  SHOT="$DATA/minipg-demo.png"
  echo "demo: no display; running the visualizer under Xvfb"
  xvfb-run -a -s "-screen 0 1280x800x24" "${VIZ[@]}" --screenshot "$SHOT" --after-ms 2000
  echo "demo: wrote the visualizer's screenshot to $SHOT"
fi

cat <<EOT

The minipg server (PID $SERVER) is still running. Try it:
  psql -h $DATA -p $PORT -U you -d shop          # over the Unix socket
  psql -h 127.0.0.1 -p $PORT -U you -d shop      # over TCP
  nc 127.0.0.1 $EVENTS                            # the live event stream (JSON lines)
  $BIN/minipg-viz --connect 127.0.0.1:$EVENTS    # watch it
  ps -ef | grep 'minipg:'                         # the processes, titled as PostgreSQL's are
Its log: $DATA/server.log   Its trace: $DATA/trace.jsonl
Stop it:  kill -INT $SERVER    (fast shutdown; -TERM is smart, -QUIT immediate)
EOT
