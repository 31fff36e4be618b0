#!/usr/bin/env bash
# HTTP load: the availability route against the trivial JSON route (/health) of the same release server, in one run.
# Usage (from the repository's root): bash Benchmarks/http/run-wrk.sh
#   PERMANENCE_BINARY=path/to/release/permanence  (default: builds .build/release/permanence)
#   DURATION=15s CONNECTIONS=16 THREADS=1
set -euo pipefail
cd "$(dirname "$0")/../.."
. Benchmarks/http/common.sh
duration=${DURATION:-15s}; connections=${CONNECTIONS:-16}; threads=${THREADS:-1}
work=$(mktemp -d /tmp/permanence-wrk.XXXXXX)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
port=$(free_port)
export DATABASE_URL="$work/load.sqlite" PERMANENCE_DEMO=false LOG_LEVEL=warning PORT=$port

echo "seeding 10 practitioners, 50,000 appointments…"
ids=$("$binary" seed-load --practitioners 10 --appointments 50000 | tail -1)
export PRACTICE=$(echo "$ids" | sed -E 's/.*practice=([^ ]+).*/\1/')
export MOTIF=$(echo "$ids" | sed -E 's/.*motif=([^ ]+).*/\1/')
"$binary" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
export TOKEN=$(python3 scripts/demo_token.py "http://127.0.0.1:$port" charge@permanence.test permanence-charge)
# Warm the compiled agenda and the connections.
curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/api/v1/practices/$PRACTICE/availability?motif=$MOTIF&limit=10" | head -c 300; echo
wrk -t"$threads" -c"$connections" -d2s "http://127.0.0.1:$port/health" >/dev/null

echo "== trivial JSON route: GET /health"
trivial=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port/health")
echo "$trivial" | grep -E "Requests/sec|50%|99%"
echo "== availability: first 10 free slots, any practitioner, random date"
hot=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -s Benchmarks/http/availability.lua "http://127.0.0.1:$port")
echo "$hot" | grep -E "Requests/sec|50%|99%|Non-2xx"
a=$(echo "$trivial" | awk '/Requests\/sec/ {print $2}')
b=$(echo "$hot" | awk '/Requests\/sec/ {print $2}')
python3 -c "print(f'availability / trivial = {float($b)/float($a):.2f}')"
