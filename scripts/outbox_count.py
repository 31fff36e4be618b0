"""How many messages of the outbox were handed over (sent or delivered): `python3 scripts/outbox_count.py DATABASE_URL`,
for the reminders' benchmark. SQLite through Python's own module; PostgreSQL through psql."""
import sqlite3
import subprocess
import sys

url = sys.argv[1]
query = "SELECT COUNT(*) FROM outbox_messages WHERE state IN ('sent', 'delivered')"
if url.startswith("postgres"):
    out = subprocess.run(["psql", url, "-tAc", query], check=True, capture_output=True, text=True)
    print(out.stdout.strip())
else:
    path = url[len("sqlite://"):] if url.startswith("sqlite://") else url
    print(sqlite3.connect(path).execute(query).fetchone()[0])
