#!/usr/bin/env bash
# The center's figures (issue 22): a center of 100 practices over one year — 2,000,000 calls presented (their telephony
# events and traces), 1,000,000 appointments (and their bookings, moves, cancellations), 200,000 transmissions —
# written by `permanence seed-figures`, then, on a release server, on SQLite and on PostgreSQL:
#   - one practice's monthly report and the whole center's month (the statistics API), one client at a time, beside
#     the trivial JSON route (the machine's floor) in the same run;
#   - the live board: a signed ringing event posted, to its event on the supervisor's stream, to the board's region
#     fetched again with the call in it (Benchmarks/http/live-latency.py, BOARD=1);
#   - what the rollups cost each telephony event (printed by seed-figures).
# Usage (from the repository's root): bash Benchmarks/http/run-figures.sh
#   PERMANENCE_BINARY=path/to/release/permanence  (default: builds .build/release/permanence)
#   ENGINES="sqlite postgres"  PRACTICES=100  DAYS=365  CALLS=2000000  APPOINTMENTS=1000000  TRANSMISSIONS=200000
#   DURATION=15s  ROUNDS=300
#   PostgreSQL: POSTGRES_URL of an empty database, or, as root with Debian's postgresql installed, a throwaway cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
. Benchmarks/http/common.sh
engines=${ENGINES:-sqlite postgres}; duration=${DURATION:-15s}
work=$(mktemp -d /tmp/permanence-figures.XXXXXX)
servers=""
. scripts/throwaway-postgres.sh
trap '[ -n "$servers" ] && kill $servers 2>/dev/null; throwaway_postgres_stop; rm -rf "$work"' EXIT
export PERMANENCE_DEMO=false LOG_LEVEL=warning PERMANENCE_WORKER_SECONDS=0
month=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m)
first="$month-01"; last=$(date -d "$first +1 month -1 day" +%Y-%m-%d)

measure() {  # name, path: one connection for $duration (after a warm-up), median and 99th percentile
  wrk -t1 -c1 -d3s -H "Authorization: Bearer $TOKEN" "$base$2" >/dev/null
  echo "== $1: GET $2"
  wrk -t1 -c1 -d"$duration" --latency -H "Authorization: Bearer $TOKEN" "$base$2" | grep -E "Requests/sec|50%|99%|Non-2xx"
}

for engine in $engines; do
  echo "===== $engine"
  case $engine in
    sqlite) export DATABASE_URL="$work/figures.sqlite" ;;
    postgres)
      if [ -n "${POSTGRES_URL:-}" ]; then export DATABASE_URL=$POSTGRES_URL
      else throwaway_postgres_start permanence_figures; export DATABASE_URL=$THROWAWAY_PG_URL; fi ;;
    *) echo "unknown engine $engine (sqlite or postgres)"; exit 1 ;;
  esac
  "$binary" seed-figures --practices "${PRACTICES:-100}" --days "${DAYS:-365}" --calls "${CALLS:-2000000}" \
    --appointments "${APPOINTMENTS:-1000000}" --transmissions "${TRANSMISSIONS:-200000}" | grep -v "practices written ("
  export PORT=$(free_port)
  start_servers "$engine"
  echo "server memory:$(instances_memory)"
  export TOKEN=$(python3 scripts/demo_token.py "$base" charge@permanence.test permanence-charge)
  practice=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$base/api/v1/practices" | python3 -c 'import json,sys; print(json.load(sys.stdin)["practices"][0]["id"])')
  echo "one practice's month: $(curl -fsS -H "Authorization: Bearer $TOKEN" "$base/api/v1/practices/$practice/reports/$month" | head -c 300)…"
  measure "trivial JSON route (the floor)" "/health"
  measure "one practice's monthly report ($month)" "/api/v1/practices/$practice/reports/$month"
  measure "one practice's statistics of the month, by day" "/api/v1/statistics?practice=$practice&from=$first&to=$last&granularity=day"
  measure "the whole center's month, by day" "/api/v1/statistics?from=$first&to=$last&granularity=day"
  measure "the whole center's month, by hour" "/api/v1/statistics?from=$first&to=$last&granularity=hour"
  echo "== the live board after a ringing event"
  TELEPHONY_SECRET=$("$binary" telephony secret) BOARD=1 PASSWORD=permanence-charge \
    python3 Benchmarks/http/live-latency.py "$base" "${ROUNDS:-300}"
  kill $servers; wait $servers 2>/dev/null || true; servers=""
  if [ "$engine" = postgres ] && [ -z "${POSTGRES_URL:-}" ]; then throwaway_postgres_stop; fi
done
