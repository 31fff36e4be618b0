"""Issue 20: what the people who run a center meet. /metrics read by a real Prometheus text parser, JSON logs with the
request id, a backup taken while bookings go on and restored elsewhere (the restore drill), and a full disk."""
import concurrent.futures
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import BINARY, ROOT, api, booking_material, start_server, stop_server

METRICS_TOKEN = "jeton-de-metriques-du-centre-e2e-0123456789"
# Given to every server and command of these journeys, as a center gives it from its secret store.
AUDIT_KEY = "cle-du-journal-d-audit-du-centre-e2e-0123456789"


def call(base, method, path, token=None, body=None, headers=None):
    """(status, headers, body) of one request, refusals included."""
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = "Bearer " + token
    request = urllib.request.Request(base + path, method=method, headers=sent,
                                     data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as refusal:
        return refusal.code, refusal.headers, refusal.read()


def secretary_token(base):
    return api(base, "POST", "/api/v1/auth/token", body={"email": "secretaire@permanence.test", "password": "permanence-demo"})["token"]


def booking_plan(base, token, count):
    """`count` free slots of the demo practice, each with a patient: what a secretary would book."""
    practice, motif, slots, patients = booking_material(base, token, count)
    path = f"/api/v1/practices/{practice}/appointments"
    return path, [{"patientId": patients[n % len(patients)]["id"], "practitionerId": slot["practitionerId"], "motifId": motif,
                   "start": slot["start"], "source": "phone"} for n, slot in enumerate(slots)]


def command(env, *arguments):
    return subprocess.run([BINARY, *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_metrics_parse_as_prometheus_text_and_json_logs_carry_the_request_id():
    folder = tempfile.mkdtemp(prefix="permanence-ops-")
    process, base, _ = start_server(folder, extra_env={"PERMANENCE_METRICS_TOKEN": METRICS_TOKEN, "LOG_FORMAT": "json",
                                                       "PERMANENCE_AUDIT_KEY": AUDIT_KEY})
    try:
        status, _, _ = call(base, "GET", "/metrics")
        assert status == 401, "no token, no figures"
        token = secretary_token(base)
        path, plan = booking_plan(base, token, 2)
        assert call(base, "POST", path, token, plan[0])[0] == 201
        assert call(base, "POST", path, token, plan[0])[0] == 409
        status, headers, _ = call(base, "GET", "/api/v1/me", token, headers={"X-Request-Id": "e2e-trace-1234"})
        assert status == 200 and headers["X-Request-Id"] == "e2e-trace-1234"

        status, headers, body = call(base, "GET", "/metrics", METRICS_TOKEN)
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        families = {family.name: family for family in text_string_to_metric_families(body.decode())}
        for name in ("permanence_http_requests", "permanence_http_request_duration_seconds", "permanence_bookings",
                     "permanence_database_wait_seconds", "permanence_database_write_seconds",
                     "permanence_event_stream_clients", "permanence_outbox_backlog",
                     "permanence_write_queue_depth"):
            assert name in families, f"{name} is scraped ({sorted(families)})"
        bookings = {s.labels["outcome"]: s.value for s in families["permanence_bookings"].samples if s.name.endswith("_total")}
        assert bookings == {"booked": 1.0, "conflict": 1.0}
        created = [s for s in families["permanence_http_requests"].samples
                   if s.labels.get("route") == "/api/v1/practices/:practiceID/appointments" and s.labels.get("status") == "201"]
        assert [s.value for s in created] == [1.0]
        assert families["permanence_http_request_duration_seconds"].type == "histogram"
    finally:
        stop_server(process)
    lines = [json.loads(line) for line in open(os.path.join(folder, "server.log")) if line.startswith("{")]
    assert lines, "the server logs JSON objects, one per line"
    traced = [line for line in lines if line.get("request_id") == "e2e-trace-1234"]
    assert traced and all(line["level"] and line["time"] and line["message"] for line in traced)


def test_restore_drill_a_backup_during_bookings_restores_elsewhere_with_every_acknowledged_booking():
    folder = tempfile.mkdtemp(prefix="permanence-drill-")
    process, base, env = start_server(folder, extra_env={"PERMANENCE_AUDIT_KEY": AUDIT_KEY})
    backup = os.path.join(folder, "sauvegarde.sqlite")
    try:
        token = secretary_token(base)
        path, plan = booking_plan(base, token, 40)
        acknowledged = []  # (time of the answer, appointment id)

        def book(body):
            status, _, answer = call(base, "POST", path, token, body)
            if status == 201:
                acknowledged.append((time.monotonic(), json.loads(answer)["appointment"]["id"]))
            return status

        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            futures = [pool.submit(book, body) for body in plan]
            while len(acknowledged) < 10:
                time.sleep(0.01)
            backup_began = time.monotonic()
            made = command(env, "backup", backup)
            statuses = [future.result() for future in futures]
        assert made.returncode == 0, made.stdout + made.stderr
        assert "integrity ok" in made.stdout
        assert statuses.count(201) == len(plan), statuses
        before = {appointment for answered, appointment in acknowledged if answered < backup_began}
        assert len(before) >= 10
    finally:
        stop_server(process)

    elsewhere = tempfile.mkdtemp(prefix="permanence-restored-")
    restored_env = dict(env, DATABASE_URL=os.path.join(elsewhere, "permanence.sqlite"), PERMANENCE_AUDIT_DIR=os.path.join(elsewhere, "audit"))
    restored = command(restored_env, "restore", backup)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "Audit journal intact" in restored.stdout
    verified = command(restored_env, "audit", "verify")
    assert verified.returncode == 0 and "intact" in verified.stdout, verified.stdout + verified.stderr
    database = sqlite3.connect(restored_env["DATABASE_URL"])
    ids = {row[0].upper() for row in database.execute("SELECT id FROM appointments")}
    assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    database.close()
    missing = {appointment for appointment in before if appointment.upper() not in ids}
    assert not missing, f"acknowledged before the backup began, absent from the restore: {missing}"

    again = command(restored_env, "restore", backup)
    assert again.returncode != 0 and "not empty" in again.stdout + again.stderr, "a restore never mixes into a database in use"


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("mount") is None, reason="a small file system of its own needs root (CI runs as root)")
def test_a_full_disk_refuses_writes_with_a_clear_503_and_corrupts_nothing():
    disk = tempfile.mkdtemp(prefix="permanence-disk-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", disk], check=True)
    process = None
    try:
        process, base, _ = start_server(disk, extra_env={"PERMANENCE_AUDIT_KEY": AUDIT_KEY})
        token = secretary_token(base)
        path, plan = booking_plan(base, token, 3)
        assert call(base, "POST", path, token, plan[0])[0] == 201
        database = sqlite3.connect(os.path.join(disk, "permanence.sqlite"))
        count = lambda: database.execute("SELECT count(*) FROM appointments").fetchone()[0]
        booked = count()
        # The write-ahead log emptied (the next write must grow it), and whatever room is left taken by another file.
        database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        subprocess.run(["dd", "if=/dev/zero", f"of={disk}/remplissage", "bs=1M"], capture_output=True)
        status, headers, body = call(base, "POST", path, token, plan[1])
        problem = json.loads(body)
        assert status == 503, body
        assert "disque" in problem["detail"] and "rien n'a été enregistré" in problem["detail"]
        assert headers["Retry-After"] == "60"
        status, _, _ = call(base, "GET", path.replace("/appointments", "/patients?q=a"), token)
        assert status == 200, "reading goes on"
        assert count() == booked, "the refused booking left nothing"
        database.close()
        os.remove(f"{disk}/remplissage")
        assert call(base, "POST", path, token, plan[2])[0] == 201, "with room again, writes go on"
        stop_server(process)
        process = None
        database = sqlite3.connect(os.path.join(disk, "permanence.sqlite"))
        assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert count() == booked + 1
        database.close()
    finally:
        if process:
            process.kill()
            process.wait()
        subprocess.run(["umount", "-l", disk])
