#!/usr/bin/env bash
# HTTP booking load (issue 4): 64 connections make 10,000 booking attempts, 80 % of them on 5 % of the places, against
# a release server on SQLite and on PostgreSQL; then, in the same run and on the same database, the database's own
# ceiling (`permanence bench-inserts`: direct inserts through the same driver, 64 writers); then a check that no two
# live appointments of a practitioner overlap and that every 201 is in the database.
# Usage (from the repository's root): bash Benchmarks/http/run-bookings.sh
#   PERMANENCE_BINARY=path/to/release/permanence  (default: builds .build/release/permanence)
#   ENGINES="sqlite postgres"  ATTEMPTS=10000  CONNECTIONS=64  APPOINTMENTS=20000 (already in the agenda)
#   INSTANCES=N: N servers behind nginx (deploy/nginx/permanence-proxy.conf); PostgreSQL only when N > 1
#   PERMANENCE_WRITES_PER_COMMIT=1: SQLite without group commit (a commit per write)
#   PostgreSQL: POSTGRES_URL of an empty database, or, as root with Debian's postgresql installed, a throwaway cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
. Benchmarks/http/common.sh
engines=${ENGINES:-sqlite postgres}; attempts=${ATTEMPTS:-10000}; connections=${CONNECTIONS:-64}
work=$(mktemp -d /tmp/permanence-bookings.XXXXXX)
servers=""
. scripts/throwaway-postgres.sh
trap '[ -n "$servers" ] && kill $servers 2>/dev/null; throwaway_postgres_stop; rm -rf "$work"' EXIT
export PERMANENCE_DEMO=false LOG_LEVEL=warning

# Live appointments of one practitioner that overlap another, and the count of live appointments.
overlaps_sql="SELECT count(*) FROM appointments a JOIN appointments b ON a.practitioner_id = b.practitioner_id AND a.id < b.id
  AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
  WHERE a.status NOT IN ('cancelled','noshow','entered-in-error') AND b.status NOT IN ('cancelled','noshow','entered-in-error');"
live_sql="SELECT count(*) FROM appointments WHERE status NOT IN ('cancelled','noshow','entered-in-error');"
query() {
  case "$DATABASE_URL" in
    postgres://*) psql -qtA "$DATABASE_URL" -c "$1" ;;
    *) sqlite3 "$DATABASE_URL" "$1" ;;
  esac
}

for engine in $engines; do
  echo "===== $engine"
  case $engine in
    sqlite) export DATABASE_URL="$work/bookings.sqlite" ;;
    postgres)
      if [ -n "${POSTGRES_URL:-}" ]; then export DATABASE_URL=$POSTGRES_URL
      else throwaway_postgres_start permanence_load; export DATABASE_URL=$THROWAWAY_PG_URL; fi ;;
    *) echo "unknown engine $engine (sqlite or postgres)"; exit 1 ;;
  esac
  port=$(free_port)
  export PORT=$port
  echo "seeding 10 practitioners, ${APPOINTMENTS:-20000} appointments…"
  ids=$("$binary" seed-load --practitioners 10 --appointments "${APPOINTMENTS:-20000}" | tail -1)
  field() { echo "$ids" | sed -E "s/.*$1=([^ ]+).*/\\1/"; }
  export PRACTICE=$(field practice) MOTIF=$(field motif) PATIENTS=$(field patients)
  # The places: every 20-minute start of the next four weeks' weekdays (the fixture's absences begin later), without
  # the reserved urgent slots, in Paris time with its offset; shuffled, the first 5 % are the hot ones.
  export PLACES="$work/places.txt"
  export HOT=$(PRACTITIONERS=$(field practitioners) python3 - "$PLACES" <<'PY'
import datetime, os, random, sys, zoneinfo
paris = zoneinfo.ZoneInfo("Europe/Paris")
today = datetime.datetime.now(paris).date()
# Starts whose 20 minutes fit in the hours and keep clear of the reserved urgent slots (11:40 and 18:10).
hours, urgent = [(8 * 60 + 30, 12 * 60), (14 * 60, 18 * 60 + 30)], [11 * 60 + 40, 18 * 60 + 10]
minutes = [m for start, end in hours for m in range(start, end - 19, 20) if all(m + 20 <= u or u + 20 <= m for u in urgent)]
def holidays(year):
    # Public holidays (with Alsace-Moselle's two): the server refuses a booking on them, and they are not load.
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    h = (19 * a + b - d - (b - (b + 8) // 25 + 1) // 3 + 15) % 30
    l = (32 + 2 * e + 2 * (c // 4) - h - c % 4) % 7
    m = (a + 11 * h + 22 * l) // 451
    easter = datetime.date(year, (h + l - 7 * m + 114) // 31, (h + l - 7 * m + 114) % 31 + 1)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25), (12, 26)]
    return {datetime.date(year, mo, da) for mo, da in fixed} | {easter + datetime.timedelta(days=k) for k in (-2, 1, 39, 50)}
places = []
for offset in range(1, 29):
    day = today + datetime.timedelta(days=offset)
    if day.isoweekday() > 5 or day in holidays(day.year):
        continue
    for practitioner in os.environ["PRACTITIONERS"].split(","):
        for m in minutes:
            start = datetime.datetime(day.year, day.month, day.day, m // 60, m % 60, tzinfo=paris)
            places.append(f"{practitioner} {start.isoformat()}")
random.Random(4).shuffle(places)
open(sys.argv[1], "w").write("\n".join(places) + "\n")
print(len(places) // 20)
PY
)
  start_servers "$engine"
  export TOKEN=$(python3 scripts/demo_token.py "$base" charge@permanence.test permanence-charge)
  before=$(query "$live_sql")
  echo "== $attempts booking attempts, $connections connections, $HOT hot places of $(wc -l <"$PLACES")"
  export ATTEMPTS=$attempts
  # wrk sleeps for its whole -d; once the script has its answers it writes the marker, and an interrupt makes wrk report.
  attempts_load() {  # $1: the name of this load
    export DONE_MARKER="$work/done-$1"
    wrk -t1 -c"$connections" -d600s --latency -s Benchmarks/http/bookings.lua "$base" >"$work/wrk-$1.txt" &
    load=$!
    while [ ! -e "$DONE_MARKER" ] && kill -0 "$load" 2>/dev/null; do sleep 0.2; done
    kill -INT "$load" 2>/dev/null || true
    wait "$load" || true
  }
  attempts_load "$engine"
  result=$(cat "$work/wrk-$engine.txt")
  echo "$result" | grep -E "^status |^sample |^answers:"
  echo "instance memory after the load:$(instances_memory)"
  # The floor of this machine in the same run: the trivial JSON route, same connections, through the same path.
  echo "== trivial JSON route GET /health, $connections connections, 10 s: $(wrk -t1 -c"$connections" -d10s --latency "$base/health" \
    | awk '/Requests\/sec/ {r=$2} / 50%/ {m=$2} / 99%/ {p=$2} END {printf "%s/s, median %s, p99 %s", r, m, p}')"
  # With a metrics token, what the write path did during the load (SQLite: the write queue and its commits), with the
  # distribution of the writes' wait for the writer and of the booking route's time in the server.
  if [ -n "${PERMANENCE_METRICS_TOKEN:-}" ]; then
    curl -s -H "Authorization: Bearer $PERMANENCE_METRICS_TOKEN" "$base/metrics" \
      | grep -E '^permanence_(database_wait_seconds|database_write_seconds|writes_per_commit|write_queue_depth|http_request_duration_seconds)' \
      | grep -E '^permanence_database_wait_seconds|method="POST",route="/api/v1/practices/:practiceID/appointments"|^permanence_[a-z_]+(_sum|_count)? ' || true
  fi
  # The route's own floor in the same run: the same attempts, all on the hot places, every one of them taken by now,
  # so each is refused by the read beside the writer and none reaches the write queue.
  export HOT_SHARE=1; attempts_load "$engine-refused"; unset HOT_SHARE
  echo "== the same route, every attempt on a taken place (refused by the read, no write), $connections connections: $(
    grep -E "^answers:|^status " "$work/wrk-$engine-refused.txt" | tr '\n' ' ')"
  # What the servers said of the refusals that are not the booking's own (a 5xx names its cause in the log).
  grep -hE '( |"level":")(error|critical)( |")' "$work"/server-*.log 2>/dev/null | sed -E 's/^[0-9T:+-]+ //; s/request-id=[^ ]+ //' \
    | cut -c1-400 | sort | uniq -c | sort -rn | head -5 || true
  kill $servers; wait $servers 2>/dev/null || true; servers=""
  created=$(echo "$result" | awk '/^status 201:/ {print $3}')
  [ -n "$created" ] || { echo "no booking succeeded:"; echo "$result"; exit 1; }
  after=$(query "$live_sql")
  echo "201 answers: $created; new live appointments in the database: $((after - before)) (answers still in flight when wrk stopped may add up to $connections)"
  echo "== direct inserts through the same driver"
  "$binary" bench-inserts --count "$attempts" --concurrency "$connections"
  overlaps=$(query "$overlaps_sql")
  echo "overlapping live appointments: $overlaps"
  [ "$overlaps" = "0" ] || { echo "DOUBLE BOOKING FOUND"; exit 1; }
  [ "$((after - before))" -ge "$created" ] || { echo "a 201 is missing from the database"; exit 1; }
  throwaway_postgres_stop
done
