#!/usr/bin/env bash
# The practices' connections (issue 23), on a release server: one practice of 20 practitioners and 50,000 appointments
# over the coming year (`permanence seed-load`), on SQLite and on PostgreSQL:
#   - FHIR Slot search: one practitioner's free slots of a motif over 4 weeks (a random window of the year, the first
#     100), 16 clients, beside the trivial JSON route and a static file of about the bundle's size (the machine's floors)
#     at 16 clients in the same run; then one client;
#   - the practitioner's .ics feed (30 days back, a year ahead: about 2,500 events), one client at a time.
# Usage (from the repository's root): bash Benchmarks/http/run-connections.sh
#   PERMANENCE_BINARY=path/to/release/permanence  (default: builds .build/release/permanence)
#   ENGINES="sqlite postgres"  DURATION=15s  CONNECTIONS=16
#   PostgreSQL: POSTGRES_URL of an empty database, or, as root with Debian's postgresql installed, a throwaway cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
. Benchmarks/http/common.sh
engines=${ENGINES:-sqlite postgres}; duration=${DURATION:-15s}; connections=${CONNECTIONS:-16}
work=$(mktemp -d /tmp/permanence-connections.XXXXXX)
servers=""
. scripts/throwaway-postgres.sh
trap '[ -n "$servers" ] && kill $servers 2>/dev/null; throwaway_postgres_stop; rm -rf "$work"' EXIT
export PERMANENCE_DEMO=false LOG_LEVEL=warning PERMANENCE_WORKER_SECONDS=0

for engine in $engines; do
  echo "===== $engine"
  case $engine in
    sqlite) export DATABASE_URL="$work/connections.sqlite" ;;
    postgres)
      if [ -n "${POSTGRES_URL:-}" ]; then export DATABASE_URL=$POSTGRES_URL
      else throwaway_postgres_start permanence_connections; export DATABASE_URL=$THROWAWAY_PG_URL; fi ;;
    *) echo "unknown engine $engine (sqlite or postgres)"; exit 1 ;;
  esac
  ids=$("$binary" seed-load --practitioners 20 --appointments 50000 | tail -1)
  export MOTIF=$(echo "$ids" | sed -E 's/.*motif=([^ ]+).*/\1/')
  export PRACTITIONER=$(echo "$ids" | sed -E 's/.*practitioners=([^, ]+).*/\1/')
  feed=$("$binary" calendar-feed --practitioner "$PRACTITIONER" --patient-names | tail -1)
  export PORT=$(free_port)
  start_servers "$engine"
  echo "server memory:$(instances_memory)"
  export TOKEN=$(python3 scripts/demo_token.py "$base" charge@permanence.test permanence-charge)
  events=$(curl -fsS "$base$feed" | grep -c "BEGIN:VEVENT")
  echo "feed of one practitioner: $events events, $(curl -fsS "$base$feed" | wc -c) bytes"
  curl -fsS -H "Authorization: Bearer $TOKEN" "$base/fhir/Slot?schedule=Schedule/$PRACTITIONER&service-type=urn:permanence:motif%7C$MOTIF&_count=1" \
    | python3 -c 'import json,sys; b=json.load(sys.stdin); print("4 weeks from today:", b["total"], "free slots")'
  wrk -t1 -c"$connections" -d3s "$base/health" >/dev/null
  wrk -t1 -c"$connections" -d3s -s Benchmarks/http/fhir-slots.lua "$base" >/dev/null
  echo "== trivial JSON route, $connections clients: GET /health"
  wrk -t1 -c"$connections" -d"$duration" --latency "$base/health" | grep -E "Requests/sec|50%|99%"
  echo "== a static file of about the Slot bundle's size, $connections clients: GET /css/app.css ($(curl -fsS "$base/css/app.css" | wc -c) bytes; the floor for that size)"
  wrk -t1 -c"$connections" -d"$duration" --latency "$base/css/app.css" | grep -E "Requests/sec|50%|99%"
  echo "== FHIR Slot search, one practitioner, 4 weeks, $connections clients ($(curl -fsS -H "Authorization: Bearer $TOKEN" "$base/fhir/Slot?schedule=Schedule/$PRACTITIONER&service-type=urn:permanence:motif%7C$MOTIF&_count=100" | wc -c) bytes for 100 slots)"
  wrk -t1 -c"$connections" -d"$duration" --latency -s Benchmarks/http/fhir-slots.lua "$base" | grep -E "Requests/sec|50%|99%|Non-2xx"
  echo "== FHIR Slot search, one client (the route's own time)"
  wrk -t1 -c1 -d"$duration" --latency -s Benchmarks/http/fhir-slots.lua "$base" | grep -E "Requests/sec|50%|99%|Non-2xx"
  echo "== the practitioner's .ics feed, one client"
  wrk -t1 -c1 -d3s "$base$feed" >/dev/null
  wrk -t1 -c1 -d"$duration" --latency "$base$feed" | grep -E "Requests/sec|50%|99%|Non-2xx"
  kill $servers; wait $servers 2>/dev/null || true; servers=""
  if [ "$engine" = postgres ] && [ -z "${POSTGRES_URL:-}" ]; then throwaway_postgres_stop; fi
done
