#!/usr/bin/env bash
# Patient search and caller-ID over HTTP (issue 5): 1,000,000 patients across 100 practices, a release server on
# SQLite and on PostgreSQL, 16 connections; then the import of a 100,000-row CSV file by `permanence import patients`.
# Usage (from the repository's root): bash Benchmarks/http/run-patients.sh
#   PERMANENCE_BINARY=path/to/release/permanence  (default: builds .build/release/permanence)
#   ENGINES="sqlite postgres"  PATIENTS=1000000  PRACTICES=100  CONNECTIONS=16  DURATION=20s  IMPORT_ROWS=100000  PACE_MS=10
#   PostgreSQL: POSTGRES_URL of an empty database, or, as root with Debian's postgresql installed, a throwaway cluster.
#   INSTANCES=N: N servers behind nginx (deploy/nginx/permanence-proxy.conf), PostgreSQL only when N > 1; IMPORT_ROWS=0: no import
set -euo pipefail
cd "$(dirname "$0")/../.."
. Benchmarks/http/common.sh
engines=${ENGINES:-sqlite postgres}; patients=${PATIENTS:-1000000}; practices=${PRACTICES:-100}
connections=${CONNECTIONS:-16}; duration=${DURATION:-20s}; import_rows=${IMPORT_ROWS:-100000}; pace=${PACE_MS:-10}
work=$(mktemp -d /tmp/permanence-patients.XXXXXX)
servers=""
. scripts/throwaway-postgres.sh
trap '[ -n "$servers" ] && kill $servers 2>/dev/null; throwaway_postgres_stop; rm -rf "$work"' EXIT
export PERMANENCE_DEMO=false LOG_LEVEL=warning

# A messy file as an old practice software exports it: Windows-1252, semicolons, French dates, phones written in
# several ways, a civility for the sex, quoted notes; about 2 % of the rows are invalid (an impossible date, a short number).
python3 - "$work/import.csv" "$import_rows" <<'PY'
import random, sys
path, rows = sys.argv[1], int(sys.argv[2])
rng = random.Random(5)
surnames = ["Martin", "Bernard", "Dubois", "Lefèvre", "Garçon", "Müller", "Nguyễn".replace("ễ", "e"), "Le Gall", "N'Diaye", "Rousseau"]
syllables = ["ber", "tin", "lau", "mon", "ri", "chal", "gou", "dan", "vel", "pré", "zac", "lor", "quet", "mas", "sei", "bou", "cha", "nel"]
firsts = [("Hélène", "Mme"), ("Zoé", "Mlle"), ("Anaïs", "Madame"), ("Jérôme", "M."), ("François", "Monsieur"), ("Noël", "M")]
out = ["NOM;Prénom;Né(e) le;Civilité;Tél. portable;Tél fixe;Adresse;CP;Ville;Commentaire"]
for i in range(rows):
    name = rng.choice(surnames) if rng.random() < 0.2 else "".join(rng.choice(syllables) for _ in range(3)).capitalize()
    first, civility = rng.choice(firsts)
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1930, 2024)
    if rng.random() < 0.01:
        day, month = 31, 4
    mobile = "0%d %02d %02d %02d %02d" % (rng.choice([6, 7]), rng.randint(0, 99), rng.randint(0, 99), rng.randint(0, 99), rng.randint(0, 99))
    if rng.random() < 0.3:
        mobile = "+33 " + mobile[1:]
    if rng.random() < 0.01:
        mobile = "15"
    fixed = "01.%02d.%02d.%02d.%02d" % tuple(rng.randint(0, 99) for _ in range(4)) if rng.random() < 0.3 else ""
    note = '"Préfère le matin; rappeler"' if rng.random() < 0.1 else ""
    out.append(f"{name};{first};{day:02d}/{month:02d}/{year};{civility};{mobile};{fixed};{i} rue de l'Église;75011;Paris;{note}")
open(path, "wb").write(("\r\n".join(out) + "\r\n").encode("cp1252"))
PY

for engine in $engines; do
  echo "===== $engine"
  case $engine in
    sqlite) export DATABASE_URL="$work/patients.sqlite" ;;
    postgres)
      if [ -n "${POSTGRES_URL:-}" ]; then export DATABASE_URL=$POSTGRES_URL
      else throwaway_postgres_start permanence_patients; export DATABASE_URL=$THROWAWAY_PG_URL; fi ;;
    *) echo "unknown engine $engine (sqlite or postgres)"; exit 1 ;;
  esac
  port=$(free_port)
  export PORT=$port
  echo "seeding $patients patients in $practices practices…"
  "$binary" seed-patients --practices "$practices" --patients "$patients" --samples "$work/samples-$engine" | tail -1
  start_servers "$engine"
  export TOKEN=$(python3 scripts/demo_token.py "$base" charge@permanence.test permanence-charge)
  first=$(head -1 "$work/samples-$engine/search.tsv")
  echo "example: q=$(echo "$first" | cut -f2) → $(curl -fsS -H "Authorization: Bearer $TOKEN" \
    "$base/api/v1/practices/$(echo "$first" | cut -f1)/patients?q=$(echo "$first" | cut -f2)&limit=2" | head -c 240)"
  # Each practice's index is read on its first query: read them all first (the time it takes is printed).
  start=$(date +%s.%N)
  for practice in $(cut -f1 "$work/samples-$engine/search.tsv" | sort -u); do
    for _ in $(seq 1 "${INSTANCES:-1}"); do  # through nginx, one query per instance (round robin)
      curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$base/api/v1/practices/$practice/patients?q=a"
    done
  done
  python3 -c "import sys; print(f'first queries of every practice (index reads): {float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$start" "$(date +%s.%N)"
  echo "server memory:$(instances_memory)"
  # The server's own ceiling on this machine: the trivial JSON route, same connections. One wrk thread: the second
  # core is the server's (with two, wrk took CPU from the server it measures).
  echo "== trivial JSON route GET /health, $connections connections, $duration"
  wrk -t1 -c"$connections" -d"$duration" --latency "$base/health" | grep -E "Requests/sec|50%|90%|99%"
  for route in search caller-id; do
    export ROUTE=$route SAMPLES="$work/samples-$engine/$route.tsv"
    # Warm the connections, then measure: as fast as the server answers (its ceiling; the latency is then mostly the
    # queue of 16 requests), then at a set pace (each connection asks again $pace ms after each answer).
    wrk -t1 -c"$connections" -d3s -s Benchmarks/http/patients.lua "$base" >/dev/null
    echo "== $route: $(wc -l <"$SAMPLES") sampled queries, $connections connections, $duration, as fast as answered"
    wrk -t1 -c"$connections" -d"$duration" --latency -s Benchmarks/http/patients.lua "$base" \
      | grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors"
    echo "== $route: $connections connections, $duration, each asking $pace ms after its answer"
    PACE_MS=$pace wrk -t1 -c"$connections" -d"$duration" --latency -s Benchmarks/http/patients.lua "$base" \
      | grep -E "Requests/sec|50%|90%|99%|Non-2xx|Socket errors"
  done
  kill $servers; wait $servers 2>/dev/null || true; servers=""
  if [ "$import_rows" -gt 0 ]; then
  echo "== import of $import_rows rows (Windows-1252, ;) into a practice of $((patients / practices)) patients"
  start=$(date +%s.%N)
  "$binary" import patients --practice essai-patients-001 "$work/import.csv" | tail -2
  python3 -c "import sys; print(f'import: {float(sys.argv[2]) - float(sys.argv[1]):.1f} s wall clock')" "$start" "$(date +%s.%N)"
  fi
  if [ "$engine" = postgres ] && [ -z "${POSTGRES_URL:-}" ]; then throwaway_postgres_stop; fi
done
