#!/usr/bin/env bash
# Start the Huey consumer and the portal together; stopping one stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# -f: clear task locks a killed consumer may have left (Huey locks have no expiry here)
$BIN/huey_consumer app.worker.huey -w 2 -k thread -f &
WORKER=$!
trap 'kill -INT $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
echo "Portal: http://127.0.0.1:${PORT:-5000}  (worker pid $WORKER)"
$BIN/python run.py
