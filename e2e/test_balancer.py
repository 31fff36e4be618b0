"""Issue 20, parts 2 and 6: three instances on one PostgreSQL database behind a real nginx (the site's proxy settings of
deploy/), a booking load spread over them while each is restarted in turn. No double booking, every 201 in the
database, no server error left to a client (a retry under the same Idempotency-Key is allowed and counted), and the
live events pass through the balancer as they come. Needs PERMANENCE_E2E_POSTGRES_URL (CI gives its throwaway
cluster) and nginx."""
import concurrent.futures
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from conftest import BINARY, ROOT, booking_material, free_port

POSTGRES = os.environ.get("PERMANENCE_E2E_POSTGRES_URL")
AUDIT_KEY = "cle-du-journal-d-audit-partagee-par-les-instances"
LIVE = "status NOT IN ('cancelled','noshow','entered-in-error')"


def psql(url, sql):
    return subprocess.run(["psql", "-qtA", url, "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


class Instance:
    def __init__(self, database, folder, index):
        self.port = free_port()
        self.env = dict(os.environ, PORT=str(self.port), DATABASE_URL=database, PERMANENCE_DEMO="true", PERMANENCE_WORKER_SECONDS="5",
                        PERMANENCE_AUDIT_KEY=AUDIT_KEY, PERMANENCE_AUDIT_DIR=os.path.join(folder, f"audit-{index}"))
        self.log = os.path.join(folder, f"instance-{index}.log")
        self.process = None

    def start(self):
        self.process = subprocess.Popen([BINARY, "serve"], cwd=ROOT, env=self.env, stdout=open(self.log, "a"), stderr=subprocess.STDOUT)
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ready", timeout=1).status == 200:
                    return
            except OSError:
                assert self.process.poll() is None, open(self.log).read()[-2000:]
                time.sleep(0.3)
        raise AssertionError("the instance did not get ready")

    def stop(self):
        """SIGTERM, as systemd stops a unit; answers how long the stop took."""
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        return time.monotonic() - began


@pytest.fixture()
def center():
    """Three instances on a database of their own, behind nginx; yields (balancer URL, database URL, instances)."""
    if not POSTGRES or not shutil.which("nginx") or not shutil.which("psql"):
        pytest.skip("needs PERMANENCE_E2E_POSTGRES_URL, nginx and psql")
    name = "balancer_" + uuid.uuid4().hex[:10]
    psql(POSTGRES, f"CREATE DATABASE {name}")
    database = POSTGRES.rsplit("/", 1)[0] + "/" + name
    folder = tempfile.mkdtemp(prefix="permanence-balancer-")
    instances = [Instance(database, folder, n) for n in range(3)]
    nginx = None
    try:
        for instance in instances:  # the first one migrates and seeds the demo
            instance.start()
        port = free_port()
        upstreams = "\n".join(f"        server 127.0.0.1:{i.port} max_fails=3 fail_timeout=1s;" for i in instances)
        config = os.path.join(folder, "nginx.conf")
        with open(config, "w") as out:
            out.write(f"""
daemon off; worker_processes 1; pid {folder}/nginx.pid; error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    upstream permanence {{
{upstreams}
    }}
    server {{
        listen 127.0.0.1:{port};
        include {ROOT}/deploy/nginx/permanence-proxy.conf;
    }}
}}
""")
        nginx = subprocess.Popen(["nginx", "-c", config, "-e", f"{folder}/nginx-error.log"], stderr=subprocess.STDOUT, stdout=open(f"{folder}/nginx.out", "w"))
        base = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield base, database, instances
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait(timeout=10)
        for instance in instances:
            if instance.process and instance.process.poll() is None:
                instance.process.kill()
                instance.process.wait()
        psql(POSTGRES, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def request(url, method="GET", token=None, body=None, key=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    if key:
        headers["Idempotency-Key"] = key
    sent = urllib.request.Request(url, method=method, headers=headers, data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(sent, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as refusal:
        return refusal.code, refusal.read()
    except OSError:
        return None, b""


def token_for(base):
    status, body = request(base + "/api/v1/auth/token", "POST", body={"email": "secretaire@permanence.test", "password": "permanence-demo"})
    assert status == 201, body
    return json.loads(body)["token"]


def test_a_booking_load_over_three_instances_survives_a_rolling_restart(center):
    base, database, instances = center
    token = token_for(base)
    practice, motif, slots, patients = booking_material(base, token, 100)
    live_before = int(psql(database, f"SELECT count(*) FROM appointments WHERE {LIVE}"))
    path = f"{base}/api/v1/practices/{practice}/appointments"
    # 3,000 attempts, 80 % of them on a tenth of the slots: colleagues competing for the same places, long enough for
    # the three restarts to fall in the middle of them.
    attempts = [slots[n % 10] if n % 5 else slots[10 + n % 90] for n in range(3000)]
    outcomes, retries, lock = {}, [], threading.Lock()

    def book(n):
        slot, key = attempts[n], f"bascule-{n}"
        body = {"patientId": patients[n % len(patients)]["id"], "practitionerId": slot["practitionerId"], "motifId": motif,
                "start": slot["start"], "source": "phone"}
        for attempt in range(10):
            status, answer = request(path, "POST", token, body, key)
            if status in (201, 409):
                with lock:
                    outcomes[n] = (status, json.loads(answer)["appointment"]["id"] if status == 201 else None)
                return
            with lock:
                retries.append((n, status, answer[:200]))
            time.sleep(0.2)
        with lock:
            outcomes[n] = (status, None)

    restarts = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        futures = [pool.submit(book, n) for n in range(len(attempts))]
        time.sleep(1)
        for instance in instances:  # one after the other, as an upgrade goes: the next once this one is ready again
            restarts.append(instance.stop())
            instance.start()
            time.sleep(1)
        assert not all(future.done() for future in futures), "the restarts fell in the middle of the load"
        for future in futures:
            future.result()

    statuses = [status for status, _ in outcomes.values()]
    assert len(outcomes) == len(attempts)
    assert all(status in (201, 409) for status in statuses), sorted(set(statuses), key=str)
    print(f"\n{statuses.count(201)} booked, {statuses.count(409)} refused as taken, {len(retries)} retried "
          f"({sorted({str(s) for _, s, _ in retries})}), stops took {[round(s, 2) for s in restarts]} s")
    assert all(seconds < 5 for seconds in restarts), "each instance stopped at once, its requests finished"
    assert psql(database, f"""SELECT count(*) FROM appointments a JOIN appointments b ON a.practitioner_id = b.practitioner_id
        AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at WHERE a.{LIVE} AND b.{LIVE}""") == "0"
    booked = {appointment.lower() for status, appointment in outcomes.values() if status == 201}
    assert booked, "bookings went through"
    stored = {row.lower() for row in psql(database, "SELECT id FROM appointments").split()}
    assert booked <= stored, "every 201 is in the database"
    assert int(psql(database, f"SELECT count(*) FROM appointments WHERE {LIVE}")) == live_before + len(booked), "and nothing else"



def test_live_events_pass_through_the_balancer_as_they_come(center):
    base, _, instances = center
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/connexion").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    opener.open(base + "/connexion", data=urllib.parse.urlencode(
        {"csrf": csrf, "suite": "", "email": "secretaire@permanence.test", "password": "permanence-demo"}).encode())
    stream = opener.open(base + "/evenements", timeout=30)
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    assert stream.readline() == b"retry: 2000\n", "the stream's first lines arrive at once, not when a buffer fills"
    received = []

    def read():
        for line in stream:
            if line.startswith(b"event: "):
                received.append((time.monotonic(), line.decode().strip()))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    # A booking on each instance directly: whichever holds the stream, the relay and nginx bring the event.
    direct = [f"http://127.0.0.1:{i.port}" for i in instances]
    token = token_for(direct[0])
    practice, motif, (slot,), patients = booking_material(direct[0], token, 1)
    patient = patients[0]["id"]
    sent = time.monotonic()
    status, _ = request(f"{direct[2]}/api/v1/practices/{practice}/appointments", "POST", token,
                        {"patientId": patient, "practitionerId": slot["practitionerId"], "motifId": motif, "start": slot["start"]})
    assert status == 201
    reader.join(timeout=5)
    assert received, "the event reached the console through nginx"
    assert received[0][0] - sent < 1.5, f"within a second and a half: {received[0][0] - sent:.2f} s"
    assert received[0][1] in ("event: agenda", "event: queue")


def test_pg_dump_during_bookings_restores_elsewhere_with_every_acknowledged_booking(center):
    """The README's PostgreSQL backup: pg_dump while bookings go on, pg_restore into a new database, the journal checked
    there with the center's audit key."""
    base, database, instances = center
    token = token_for(base)
    practice, motif, slots, patients = booking_material(base, token, 100)
    patient = patients[0]["id"]
    acknowledged, lock = [], threading.Lock()

    def book(slot):
        status, answer = request(f"{base}/api/v1/practices/{practice}/appointments", "POST", token,
                                 {"patientId": patient, "practitionerId": slot["practitionerId"], "motifId": motif, "start": slot["start"]})
        if status == 201:
            with lock:
                acknowledged.append((time.monotonic(), json.loads(answer)["appointment"]["id"].lower()))
        return status

    folder = tempfile.mkdtemp(prefix="permanence-pgdump-")
    dump = os.path.join(folder, "permanence.dump")
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(book, slot) for slot in slots]
        while len(acknowledged) < 5:
            time.sleep(0.01)
        began = time.monotonic()
        dumped = subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", database], capture_output=True, text=True)
        statuses = [future.result() for future in futures]
    assert dumped.returncode == 0, dumped.stderr
    assert set(statuses) <= {201, 409}
    before = {appointment for answered, appointment in acknowledged if answered < began}

    name = "restored_" + uuid.uuid4().hex[:10]
    psql(POSTGRES, f"CREATE DATABASE {name}")
    restored = POSTGRES.rsplit("/", 1)[0] + "/" + name
    try:
        loaded = subprocess.run(["pg_restore", "--no-owner", f"--dbname={restored}", dump], capture_output=True, text=True)
        assert loaded.returncode == 0, loaded.stderr
        stored = set(psql(restored, "SELECT lower(id::text) FROM appointments").split())
        assert before <= stored, f"acknowledged before the dump began, absent from the restore: {before - stored}"
        env = dict(instances[0].env, DATABASE_URL=restored, PERMANENCE_AUDIT_DIR=os.path.join(folder, "audit"))
        verified = subprocess.run([BINARY, "audit", "verify"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert verified.returncode == 0 and "intact" in verified.stdout, verified.stdout + verified.stderr
    finally:
        psql(POSTGRES, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.skipif(not shutil.which("nginx") or not shutil.which("openssl"), reason="needs nginx and openssl")
def test_the_deployment_site_is_a_valid_nginx_configuration():
    """deploy/nginx/permanence.conf, as the README installs it, with a certificate of the test's own."""
    folder = tempfile.mkdtemp(prefix="permanence-site-")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=permanence.test",
                    "-keyout", f"{folder}/privkey.pem", "-out", f"{folder}/fullchain.pem"], check=True, capture_output=True)
    site = open(ROOT / "deploy" / "nginx" / "permanence.conf").read()
    site = site.replace("/etc/ssl/permanence", folder).replace("/opt/permanence/deploy", str(ROOT / "deploy"))
    site = site.replace("/var/log/nginx/permanence.access.log", f"{folder}/access.log")
    open(f"{folder}/site.conf", "w").write(site)
    with open(f"{folder}/nginx.conf", "w") as out:
        out.write(f"""pid {folder}/nginx.pid; error_log {folder}/error.log;
events {{ }}
http {{ client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy; fastcgi_temp_path {folder}/fastcgi;
       uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi; include {folder}/site.conf; }}
""")
    checked = subprocess.run(["nginx", "-t", "-c", f"{folder}/nginx.conf", "-e", f"{folder}/error.log"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr

