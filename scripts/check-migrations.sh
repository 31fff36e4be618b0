#!/usr/bin/env bash
# A landed migration never changes: a database migrated by it would differ from one migrated by the new text. Each
# migration file's SHA-256 is written once in .ci/migrations.sha256 (`sha256sum FILE >> .ci/migrations.sha256` when a
# migration is added); this check refuses a migration missing from that list, one whose content no longer matches, one
# that disappeared, and — read from git's history — any line of the list removed or rewritten since it was added.
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=.ci/migrations.sha256
status=0
for file in Sources/App/Migrations/[0-9]*.swift; do
  listed=$(awk -v f="$file" '$2 == f { print $1 }' "$manifest")
  actual=$(sha256sum "$file" | cut -d' ' -f1)
  if [ -z "$listed" ]; then
    echo "migration without its checksum: $file (add it: sha256sum $file >> $manifest)"
    status=1
  elif [ "$listed" != "$actual" ]; then
    echo "landed migration changed: $file — restore it and write a new migration for the change"
    status=1
  fi
done
while read -r _ file; do
  [ -f "$file" ] || { echo "landed migration removed: $file"; status=1; }
done < "$manifest"
if [ "$(git rev-parse --is-shallow-repository 2>/dev/null || echo true)" = "false" ]; then
  # grep reads the whole log (no -q): under pipefail, a grep that quits at its first match makes git log die of
  # SIGPIPE and the pipeline fail, which would let a rewritten line through.
  if git log --format= -p -- "$manifest" | grep '^-[0-9a-f]' > /dev/null; then
    echo "$manifest lost or rewrote a line in its history: it may only grow"
    status=1
  fi
else
  echo "(shallow clone: the history of $manifest is not checked)"
fi
[ "$status" -eq 0 ] && echo "migrations: $(wc -l < "$manifest") landed, none changed"
exit "$status"
