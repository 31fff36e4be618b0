"""How long a change takes to reach a console: a secretary's browser session holds the server-sent events stream
(/evenements) open; through the API, the secretary sends a transmission to the demo practitioner, who acknowledges
it. Measured from the moment each request is sent to the moment its event arrives on the stream, on loopback.
With TELEPHONY_SECRET set (see run-live.sh), also the screen pop: a signed ringing event posted as the phone system
would, to its event on the console, and to the pop's fragment fetched by the console.
Usage: python3 Benchmarks/http/live-latency.py BASE_URL [ROUNDS]   (a server with the demo data; see run-live.sh)"""
import hashlib
import hmac
import http.client
import json
import os
import re
import socket
import statistics
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import demo_token  # noqa: E402  (the token with the demo key's second factor)

base = urllib.parse.urlparse(sys.argv[1])
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 300
PASSWORD = "permanence-demo"


def connection():
    return http.client.HTTPConnection(base.hostname, base.port, timeout=10)


def api(method, path, token, body=None):
    c = connection()
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/json"
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = c.getresponse()
    data = response.read()
    c.close()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
    return json.loads(data) if data else None


def token(email):
    return demo_token.token(sys.argv[1].rstrip("/"), email, PASSWORD)


def browser_session(email):
    """Signs in with the login form as a browser would; returns the cookie header."""
    c = connection()
    c.request("GET", "/connexion")
    page = c.getresponse()
    html = page.read().decode()
    cookie = "; ".join(v.split(";")[0] for k, v in page.getheaders() if k.lower() == "set-cookie")
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    form = urllib.parse.urlencode({"csrf": csrf, "email": email, "password": PASSWORD, "suite": "/"})
    c.request("POST", "/connexion", body=form, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    signed = c.getresponse()
    signed.read()
    cookies = [v.split(";")[0] for k, v in signed.getheaders() if k.lower() == "set-cookie"]
    return "; ".join(cookies) if cookies else cookie


class Stream(threading.Thread):
    """Reads the event stream and notes when each event of a kind arrives."""

    def __init__(self, cookie):
        super().__init__(daemon=True)
        self.cookie = cookie
        self.sock = socket.create_connection((base.hostname, base.port))
        self.sock.sendall(f"GET /evenements HTTP/1.1\r\nHost: {base.hostname}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n".encode())
        self.arrivals = {}
        self.lock = threading.Condition()

    def run(self):
        buffer = b""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                return
            now = time.perf_counter()
            buffer += chunk
            for kind in re.findall(rb"event: (\w+)\n", buffer):
                with self.lock:
                    self.arrivals.setdefault(kind.decode(), []).append(now)
                    self.lock.notify_all()
            buffer = buffer[buffer.rfind(b"\n") + 1:] if b"event:" in buffer else buffer[-200:]

    def wait(self, kind, count):
        with self.lock:
            self.lock.wait_for(lambda: len(self.arrivals.get(kind, [])) >= count, timeout=10)
            return self.arrivals.get(kind, [])[count - 1]


secretary = token("secretaire@permanence.test")
doctor = token("dr.martin@permanence.test")
practice = next(p for p in api("GET", "/api/v1/practices", secretary)["practices"] if p["name"] == "Cabinet médical des Tilleuls")["id"]
martin = next(p for p in api("GET", f"/api/v1/practices/{practice}/practitioners", secretary)["practitioners"] if p["displayName"].endswith("Martin"))["id"]
stream = Stream(browser_session("secretaire@permanence.test"))
stream.start()
time.sleep(0.5)

sent, acknowledged, post_times = [], [], []
transmissions_seen = queue_seen = 0
for i in range(rounds):
    start = time.perf_counter()
    t = api("POST", f"/api/v1/practices/{practice}/transmissions", secretary,
            {"practitionerId": martin, "priority": "urgent", "subject": f"Mesure {i}", "callbackNumber": "06 12 34 56 78"})
    post_times.append(time.perf_counter() - start)
    transmissions_seen += 1
    queue_seen += 1
    sent.append(stream.wait("transmission", transmissions_seen) - start)
    stream.wait("queue", queue_seen)
    start = time.perf_counter()
    api("POST", f"/api/v1/practices/{practice}/transmissions/{t['id']}/acknowledge", doctor)
    transmissions_seen += 1
    queue_seen += 1
    acknowledged.append(stream.wait("queue", queue_seen) - start)
    stream.wait("transmission", transmissions_seen)


def signed_event(body):
    secret = os.environ["TELEPHONY_SECRET"].encode()
    stamp = str(int(time.time()))
    signature = "sha256=" + hmac.new(secret, (stamp + ".").encode() + body, hashlib.sha256).hexdigest()
    c = connection()
    c.request("POST", "/api/v1/telephony/events", body=body, headers={
        "Content-Type": "application/json", "X-Permanence-Timestamp": stamp, "X-Permanence-Signature": signature})
    response = c.getresponse()
    data = response.read()
    c.close()
    if response.status != 201:
        raise RuntimeError(f"telephony event: {response.status} {data[:300]!r}")


def fetch(path, cookie):
    c = connection()
    c.request("GET", path, headers={"Cookie": cookie})
    response = c.getresponse()
    data = response.read()
    c.close()
    return response.status, data


pops, shown = [], []
if os.environ.get("TELEPHONY_SECRET"):
    phones = api("GET", f"/api/v1/practices/{practice}/patients?q=a", secretary)
    caller = next(p["phones"][0]["number"] for p in phones["patients"] if p.get("phones"))
    to = next(p for p in api("GET", "/api/v1/practices", secretary)["practices"] if p["id"] == practice)["phone"]
    ringing_seen = len(stream.arrivals.get("ringing", []))
    for i in range(rounds):
        body = json.dumps({"event": "ringing", "callId": f"bench-{i}", "from": caller, "to": to}).encode()
        start = time.perf_counter()
        signed_event(body)
        ringing_seen += 1
        arrived = stream.wait("ringing", ringing_seen)
        pops.append(arrived - start)
        status, page = fetch("/appels/entrants", stream.cookie)
        assert status == 200 and b"Appel entrant" in page, page[:200]
        shown.append(time.perf_counter() - start)
        signed_event(json.dumps({"event": "ended", "callId": f"bench-{i}", "from": caller, "to": to}).encode())
        ringing_seen += 1
        stream.wait("ringing", ringing_seen)


def report(name, values):
    values = sorted(v * 1000 for v in values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    print(f"{name}: median {statistics.median(values):.2f} ms, p99 {p99:.2f} ms, max {values[-1]:.2f} ms ({len(values)} rounds)")


report("transmission POST answered", post_times)
report("transmission sent -> event on the console", sent)
report("acknowledged -> queue event on the console", acknowledged)
if pops:
    report("telephony ringing event posted -> event on the console", pops)
    report("telephony ringing event posted -> pop fragment fetched", shown)
