#!/usr/bin/env bash
# The API against its own document: Schemathesis (property-based, from /api/v1/openapi.json) drives a real server with
# demo data, first with a secretary's token, then with an administrator's, each for a bounded time, and fails on any
# server error (5xx) or any answer the document does not list (status, content type, body schema).
#   PERMANENCE_BINARY  the server to run (default .build/debug/permanence)
#   API_FUZZ_SECONDS   the time of each pass (default 120)
# Run with the python3 that pip installed it for. One worker: Hypothesis's caches are not safe across threads (a KeyError inside the tool, not the server).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${PERMANENCE_BINARY:-.build/debug/permanence}
seconds=${API_FUZZ_SECONDS:-120}
folder=$(mktemp -d /tmp/permanence-api-conformance.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

DATABASE_URL="$folder/permanence.sqlite" PORT=$port PERMANENCE_DEMO=true "$binary" serve > "$folder/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$folder"; }
trap cleanup EXIT
for _ in $(seq 1 240); do
  curl -fsS "$base/health" > /dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { tail -40 "$folder/server.log"; exit 1; }
  sleep 0.5
done

# Tokens are taken before fuzzing: the token route's own fuzzing soon locks this address out of signing in.
secretary=$(python3 scripts/demo_token.py "$base" secretaire@permanence.test)
admin=$(python3 scripts/demo_token.py "$base" admin@permanence.test)

status=0
for pass in "secretary:$secretary" "admin:$admin"; do
  echo "--- Schemathesis as the ${pass%%:*} (${seconds} s)"
  # Revoking its own token would leave the rest of the pass answering 401.
  python3 -m schemathesis.cli run "$base/api/v1/openapi.json" --no-color -H "Authorization: Bearer ${pass#*:}" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing --max-time "$seconds" --workers 1 --max-failures 50 \
    --exclude-by '/summary == "Revoke the token used for this request"' \
    || status=1
done
if grep -q "Fatal error\|panicked" "$folder/server.log"; then
  echo "the server log holds a crash:"; grep -n "Fatal error\|panicked" "$folder/server.log" | head
  status=1
fi
exit $status
