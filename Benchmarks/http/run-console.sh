#!/usr/bin/env bash
# The console at work (issue 8): browser journey (a) of e2e/test_console.py run ROUNDS times, each on a fresh server and
# database, in headless Chromium; prints the keystrokes and clicks from the answered call to the read-back, and for
# each page the median server time (request to first byte) and time to usable (DOM ready), in ms.
# Usage (from the repository's root): bash Benchmarks/http/run-console.sh
#   PERMANENCE_BINARY=path/to/release/permanence  (default: builds .build/release/permanence)   ROUNDS=5
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${PERMANENCE_BINARY:-}
if [ -z "$binary" ]; then
  swift build -c release --product permanence
  binary=.build/release/permanence
fi
rounds=${ROUNDS:-5}
work=$(mktemp -d /tmp/permanence-console.XXXXXX)
trap 'rm -rf "$work"' EXIT
for round in $(seq 1 "$rounds"); do
  PERMANENCE_BINARY=$(realpath "$binary") python3 -m pytest -q e2e/test_console.py -k known_caller > "$work/pytest-$round.log" 2>&1 \
    || { cat "$work/pytest-$round.log"; exit 1; }
  cp e2e/screenshots/mesures.txt "$work/round-$round.json"
done
python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
runs = [json.load(open(f"{work}/round-{i}.json")) for i in range(1, rounds + 1)]
print(f"journey (a), {rounds} rounds: {runs[0]['keystrokes']} keystrokes, {runs[0]['clicks']} clicks from the answered call to the read-back")
assert all(r["keystrokes"] == runs[0]["keystrokes"] and r["clicks"] == runs[0]["clicks"] for r in runs)
for index, (name, _) in enumerate(runs[0]["pages"]):
    server = statistics.median(r["pages"][index][1]["server"] for r in runs)
    usable = statistics.median(r["pages"][index][1]["usable"] for r in runs)
    print(f"  {name:28s} server {server:6.1f} ms   usable {usable:6.1f} ms (median)")
PY
