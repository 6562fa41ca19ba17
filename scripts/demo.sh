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
cmake --build build -j"$(nproc)" --target minipg minipsql minipg-viz

BIN="$PWD/build/bin"
DEMO=$(mktemp -d /tmp/minipg-demo.XXXXXX)   # socket, log, screenshot
DATA="$DEMO/pgdata"                           # the data directory (created by minipg)
# First free port from 5432 up (with the next one free for the event stream).
PORT=5432
while (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/$((PORT + 1))) 2>/dev/null; do
  PORT=$((PORT + 2))
done
EVENTS=$((PORT + 1))

echo "demo: starting minipg on port $PORT, data directory $DATA"
"$BIN/minipg" -D "$DATA" -p "$PORT" -k "$DEMO" -U demo -c trace_file=trace.jsonl >"$DEMO/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  [ -S "$DEMO/.s.PGSQL.$PORT" ] && break
  sleep 0.1
done

if [ ! -S "$DEMO/.s.PGSQL.$PORT" ]; then
  echo "demo: the server did not start; its log:" >&2
  cat "$DEMO/server.log" >&2
  exit 1
fi
PSQL="psql -X -q -h $DEMO -p $PORT -U demo"
# The new data directory's superuser is "demo" (-U); it makes the demo's
# database and roles. pg_hba.conf trusts local and loopback connections.
$PSQL -d postgres -c "CREATE DATABASE shop" -c "CREATE USER alice" -c "CREATE USER web" \
      -c "CREATE USER carol" -c "CREATE USER you" >/dev/null

# The visualizer starts first, so it sees every connection arrive.
VIZ=("$BIN/minipg-viz" --connect "127.0.0.1:$EVENTS")
if [ -n "${DISPLAY:-}" ] && [ -z "${MINIPG_DEMO_HEADLESS:-}" ]; then
  echo "demo: opening the visualizer (close its window to end the demo)"
  "${VIZ[@]}" &
  SHOT=""
else
  SHOT="$DEMO/minipg-demo.png"
  echo "demo: no display; running the visualizer under Xvfb"
  xvfb-run -a -s "-screen 0 1280x800x24" "${VIZ[@]}" --screenshot "$SHOT" --after-ms 4000 </dev/null &
fi
VIZ_PID=$!
sleep 1.5

# Some activity to watch: a table, short sessions that come and go, and
# sessions that stay connected (one over the Unix socket, some over TCP).
echo "demo: clients connect: each gets its own backend process"
$PSQL -d shop -c "CREATE TABLE IF NOT EXISTS orders (id int, item text, paid boolean)" \
      -c "INSERT INTO orders VALUES (1, 'tea', true), (2, 'cake', false), (3, 'jam', true)" >/dev/null
$PSQL -d shop -c "SELECT item FROM orders WHERE paid" >/dev/null
psql -X -q -h 127.0.0.1 -p "$PORT" -U alice -d shop -c "SELECT pg_backend_pid()" >/dev/null
# (Background clients let go of this script's output, so a pipe reading it ends.)
(PGAPPNAME=long_report $PSQL -d shop -c "SELECT pg_sleep(600)" &) >/dev/null 2>&1
(PGAPPNAME=web_worker psql -X -q -h 127.0.0.1 -p "$PORT" -U web -d shop -c "SELECT pg_sleep(600)" &) >/dev/null 2>&1
(sleep 600 | PGAPPNAME=console psql -X -q -h 127.0.0.1 -p "$PORT" -U carol -d shop &) >/dev/null 2>&1

wait "$VIZ_PID" || true
if [ -n "$SHOT" ]; then
  echo "demo: wrote the visualizer's screenshot to $SHOT"
fi

cat <<EOT

The minipg server (PID $SERVER) is still running. Try it:
  psql -h $DEMO -p $PORT -U you -d shop          # over the Unix socket
  psql -h 127.0.0.1 -p $PORT -U you -d shop      # over TCP
  nc 127.0.0.1 $EVENTS                            # the live event stream (JSON lines)
  $BIN/minipg-viz --connect 127.0.0.1:$EVENTS    # watch it
  ps -ef | grep 'minipg:'                         # the processes, titled as PostgreSQL's are
Its log: $DEMO/server.log   Its trace: $DATA/trace.jsonl
Three demo clients stay connected (two in pg_sleep(600), one idle psql).
Stop it:  kill -INT $SERVER    (fast shutdown; -TERM is smart, -QUIT immediate)
EOT
