#!/usr/bin/env bash
# Live updates (issues 6 and 8): from a transmission sent, or acknowledged, or a ringing call's signed event, to the event
# on a secretary's console stream (and, for the call, to the screen pop's fragment fetched).
# Usage (from the repository's root): bash Benchmarks/http/run-live.sh
#   PERMANENCE_BINARY=path/to/release/permanence  (default: builds .build/release/permanence)   ROUNDS=300
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${PERMANENCE_BINARY:-}
if [ -z "$binary" ]; then
  swift build -c release --product permanence
  binary=.build/release/permanence
fi
work=$(mktemp -d /tmp/permanence-live.XXXXXX)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PERMANENCE_DEMO=true LOG_LEVEL=warning PERMANENCE_WORKER_SECONDS=0 DATABASE_URL="$work/live.sqlite" PORT=$port "$binary" serve > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
TELEPHONY_SECRET=$(DATABASE_URL="$work/live.sqlite" LOG_LEVEL=warning "$binary" telephony secret) \
  python3 Benchmarks/http/live-latency.py "http://127.0.0.1:$port" "${ROUNDS:-300}"
