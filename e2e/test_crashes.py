"""Issue 20: a SQLite server killed with SIGKILL while secretaries book and cancel, thirty times over. What was
acknowledged (a 201 for a booking, a 200 for a cancellation) is in the database after every restart: group commit
answers each write only once the commit that carries it is on disk. The file stays sound, no two live appointments
overlap, and the audit journal verifies at the end."""
import concurrent.futures
import json
import os
import random
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time

from conftest import BINARY, ROOT, booking_material, start_server
from test_operations import AUDIT_KEY, call, secretary_token

KILLS = int(os.environ.get("PERMANENCE_CRASH_KILLS", "30"))
CLIENTS = 12
SLOTS = 24


def test_thirty_kills_during_bookings_lose_no_acknowledged_write():
    folder = tempfile.mkdtemp(prefix="permanence-crash-")
    database_path = os.path.join(folder, "permanence.sqlite")
    extra = {"PERMANENCE_AUDIT_KEY": AUDIT_KEY, "PERMANENCE_WORKER_SECONDS": "0"}
    booked, cancelled = {}, set()  # acknowledged: appointment id → start; cancelled appointment ids
    rng = random.Random(20)
    attempts = 0
    for kill in range(KILLS):
        process, base, env = start_server(folder, extra_env=extra)
        try:
            token = secretary_token(base)
            practice, motif, slots, patients = booking_material(base, token, SLOTS)
            path = f"/api/v1/practices/{practice}/appointments"
            stop = threading.Event()
            lock = threading.Lock()

            def client(seed):
                nonlocal attempts
                mine = random.Random(seed)
                while not stop.is_set():
                    slot = mine.choice(slots)
                    body = {"patientId": mine.choice(patients)["id"], "practitionerId": slot["practitionerId"], "motifId": motif,
                            "start": slot["start"], "source": "phone"}
                    try:
                        status, _, answer = call(base, "POST", path, token, body)
                    except OSError:
                        return  # the server is gone
                    with lock:
                        attempts += 1
                    if status != 201:
                        continue
                    appointment = json.loads(answer)["appointment"]["id"].upper()
                    with lock:
                        booked[appointment] = slot["start"]
                    if mine.random() < 0.5:
                        try:
                            status, _, _ = call(base, "POST", f"{path}/{appointment}/cancel", token,
                                                {"party": "patient", "reason": "Empêchement"})
                        except OSError:
                            return
                        if status == 200:
                            with lock:
                                cancelled.add(appointment)

            with concurrent.futures.ThreadPoolExecutor(max_workers=CLIENTS) as pool:
                futures = [pool.submit(client, rng.random()) for _ in range(CLIENTS)]
                time.sleep(rng.uniform(0.3, 1.2))
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
                stop.set()
                for future in futures:
                    future.result()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

        database = sqlite3.connect(database_path)
        try:
            rows = dict(database.execute("SELECT upper(id), status FROM appointments"))
        finally:
            database.close()
        lost = [appointment for appointment in booked if appointment not in rows]
        assert not lost, f"kill {kill + 1}: acknowledged bookings missing after the crash: {lost}"
        uncancelled = [appointment for appointment in cancelled if rows[appointment] != "cancelled"]
        assert not uncancelled, f"kill {kill + 1}: acknowledged cancellations undone by the crash: {uncancelled}"

    assert len(booked) > KILLS, f"the load wrote ({len(booked)} bookings in {attempts} attempts)"
    assert cancelled, "the load cancelled"
    database = sqlite3.connect(database_path)
    try:
        assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        overlaps = database.execute("""SELECT count(*) FROM appointments a JOIN appointments b
            ON a.practitioner_id = b.practitioner_id AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
            WHERE a.status NOT IN ('cancelled','noshow','entered-in-error') AND b.status NOT IN ('cancelled','noshow','entered-in-error')""").fetchone()[0]
        assert overlaps == 0
    finally:
        database.close()
    verified = subprocess.run([BINARY, "audit", "verify"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert verified.returncode == 0 and "intact" in verified.stdout, verified.stdout + verified.stderr
    print(f"{KILLS} kills, {attempts} booking attempts, {len(booked)} acknowledged bookings, {len(cancelled)} acknowledged cancellations")
