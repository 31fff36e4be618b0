#!/usr/bin/env bash
# The reminders of one day (issue 24): a center of PRACTICES practices (default 100) and APPOINTMENTS appointments
# (default 20,000) on a day three days ahead, every patient accepting SMS and e-mail.
#  1. `permanence queue-reminders` at midnight the day before: the pass that queues the day's reminders (two messages
#     and a link per appointment), timed; RUNS fresh databases (default 3), the median printed.
#  2. The availability route under wrk on the same database: its worker stopped (nothing leaves), then its worker
#     handing the e-mails to a local SMTP server (aiosmtpd's sink) and the SMS to the log, the clock moved to the
#     appointments' day so that every reminder is due, then stopped again; p99 of each, the ratios to the first (the
#     last one is the spread of two runs of nothing), and how many messages left meanwhile.
# Usage (from the repository's root): bash Benchmarks/http/run-reminders.sh
#   PERMANENCE_BINARY=path/to/release/permanence  DATABASE_URL=postgres://… (default: SQLite files)  DURATION=20s
set -euo pipefail
cd "$(dirname "$0")/../.."
. Benchmarks/http/common.sh
python3 -c 'import aiosmtpd' 2>/dev/null || { echo "aiosmtpd is needed: python3 -m pip install aiosmtpd"; exit 1; }
practices=${PRACTICES:-100}; appointments=${APPOINTMENTS:-20000}; runs=${RUNS:-3}; duration=${DURATION:-20s}
work=$(mktemp -d /tmp/permanence-reminders.XXXXXX)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
postgres=${DATABASE_URL:-}
export PERMANENCE_DEMO=false LOG_LEVEL=warning

fresh_database() {
  if [ -n "$postgres" ]; then
    # A database of its own for each run, beside the one named.
    psql "$postgres" -qc "DROP DATABASE IF EXISTS permanence_reminders_$1" -c "CREATE DATABASE permanence_reminders_$1" >/dev/null
    export DATABASE_URL=$(python3 -c "import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path='/permanence_reminders_$1')))" "$postgres")
  else
    export DATABASE_URL="$work/reminders-$1.sqlite"
  fi
}

day=$(python3 -c 'import datetime; print(datetime.date.today() + datetime.timedelta(days=3))')
eve=$(python3 -c "import datetime, zoneinfo; d = datetime.date.fromisoformat('$day') - datetime.timedelta(days=1); print(datetime.datetime(d.year, d.month, d.day, tzinfo=zoneinfo.ZoneInfo('Europe/Paris')).isoformat())")
timings=""
for run in $(seq 1 "$runs"); do
  fresh_database "$run"
  ids=$("$binary" seed-reminders --practices "$practices" --appointments "$appointments" --day "$day" | tail -1)
  line=$("$binary" queue-reminders --at "$eve" | tail -1)
  echo "run $run: $line ($ids)"
  timings="$timings $(echo "$line" | sed -E 's/.*seconds=([0-9.]+).*/\1/')"
done
python3 -c "import statistics; t=[float(x) for x in '$timings'.split()]; print(f'queueing the day\'s reminders: median {statistics.median(t):.2f} s over {len(t)} runs (target < 10 s)')"

# 2. Delivery beside the availability route, on the last run's database.
export PRACTICE=$(echo "$ids" | sed -E 's/.*practice=([^ ]+).*/\1/')
export MOTIF=$(echo "$ids" | sed -E 's/.*motif=([^ ]+).*/\1/')
smtp_port=$(free_port)
python3 -m aiosmtpd -n -c aiosmtpd.handlers.Sink -l "127.0.0.1:$smtp_port" >/dev/null 2>&1 &
pids="$pids $!"
sent() { python3 scripts/outbox_count.py "$DATABASE_URL"; }
run_server() {  # $1: worker seconds; the clock on the appointments' day, 07:00
  port=$(free_port)
  echo "$(python3 -c "import datetime, zoneinfo, time; d = datetime.date.fromisoformat('$day'); print(datetime.datetime(d.year, d.month, d.day, 7, tzinfo=zoneinfo.ZoneInfo('Europe/Paris')).timestamp() - time.time())")" > "$work/offset"
  PORT=$port PERMANENCE_WORKER_SECONDS=$1 SMTP_URL="smtp://127.0.0.1:$smtp_port" PERMANENCE_CLOCK_OFFSET_FILE="$work/offset" \
    "$binary" serve >"$work/server-$1.log" 2>&1 &
  server=$!
  pids="$pids $server"
  for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.1; done
  export TOKEN=$(python3 scripts/demo_token.py "http://127.0.0.1:$port" charge@permanence.test permanence-charge)
  curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/api/v1/practices/$PRACTICE/availability?motif=$MOTIF&limit=10" >/dev/null
  wrk -t1 -c16 -d2s -s Benchmarks/http/availability.lua "http://127.0.0.1:$port" >/dev/null
}
p99() { echo "$1" | awk '/ 99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}'; }

run_server 0
quiet=$(wrk -t1 -c16 -d"$duration" --latency -s Benchmarks/http/availability.lua "http://127.0.0.1:$port")
kill "$server"; wait "$server" 2>/dev/null || true
before=$(sent)
run_server 1
during=$(wrk -t1 -c16 -d"$duration" --latency -s Benchmarks/http/availability.lua "http://127.0.0.1:$port")
after=$(sent)
kill "$server"; wait "$server" 2>/dev/null || true
# The same quiet run again: how far two runs of nothing differ on this machine (the measure's own spread).
run_server 0
again=$(wrk -t1 -c16 -d"$duration" --latency -s Benchmarks/http/availability.lua "http://127.0.0.1:$port")
kill "$server"; wait "$server" 2>/dev/null || true
echo "== availability, nothing leaving";      echo "$quiet" | grep -E "Requests/sec|50%|99%|Non-2xx" || true
echo "== availability, reminders leaving";    echo "$during" | grep -E "Requests/sec|50%|99%|Non-2xx" || true
echo "== availability, nothing leaving again"; echo "$again" | grep -E "Requests/sec|50%|99%|Non-2xx" || true
echo "messages handed over during the run: $((after - before)) (sent before: $before, after: $after)"
python3 -c "q=float('$(p99 "$quiet")'); d=float('$(p99 "$during")'); a=float('$(p99 "$again")'); print(f'p99 {q:.2f} ms -> {d:.2f} ms: ratio {d/q:.2f} (target <= 1.20); nothing leaving again {a:.2f} ms: ratio {a/q:.2f} (the spread of two quiet runs)')"
