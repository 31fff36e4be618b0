"""How long a change takes to reach a console: a secretary's browser session holds the server-sent events stream
(/evenements) open; through the API, the secretary sends a transmission to the demo practitioner, who acknowledges
it. Measured from the moment each request is sent to the moment its event arrives on the stream, on loopback.
With TELEPHONY_SECRET set (see run-live.sh), also the screen pop: a signed ringing event posted as the phone system
would, to its event on the console, and to the pop's fragment fetched by the console.
With BOARD=1 (see run-figures.sh, on a center seeded by `permanence seed-figures`), instead: the supervisor's live board —
a signed ringing event posted, to its event on the supervisor's stream, to the board's region fetched again with the
call in it.
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
PASSWORD = os.environ.get("PASSWORD", "permanence-demo")


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
    """Signs in with the login form as a browser would (with the demo key's code when the account asks a second
    factor); returns the cookie header."""
    c = connection()
    jar = {}

    def send(method, path, form=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=urllib.parse.urlencode(form) if form is not None else None, headers=headers)
        response = c.getresponse()
        body = response.read().decode()
        for k, v in response.getheaders():
            if k.lower() == "set-cookie":
                name, _, value = v.split(";")[0].partition("=")
                if value:
                    jar[name] = value
                else:
                    jar.pop(name, None)
        return response, body

    _, html = send("GET", "/connexion")
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    signed, _ = send("POST", "/connexion", {"csrf": csrf, "email": email, "password": PASSWORD, "suite": "/"})
    if "/connexion/code" in (signed.getheader("Location") or ""):
        _, html = send("GET", "/connexion/code")
        csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
        send("POST", "/connexion/code", {"csrf": csrf, "code": demo_token.code(email)})
    return "; ".join(f"{k}={v}" for k, v in jar.items())


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


def report(name, values):
    values = sorted(v * 1000 for v in values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    print(f"{name}: median {statistics.median(values):.2f} ms, p99 {p99:.2f} ms, max {values[-1]:.2f} ms ({len(values)} rounds)")


if os.environ.get("BOARD"):
    email = os.environ.get("EMAIL", "charge@permanence.test")
    if os.environ.get("TOKEN"):
        # The caller's token took this step's code: the browser's sign-in takes the next one.
        supervisor = os.environ["TOKEN"]
        demo_token._used[email] = int(time.time()) // 30
    else:
        supervisor = token(email)
    practice = api("GET", "/api/v1/practices", supervisor)["practices"][0]
    stream = Stream(browser_session(email))
    stream.start()
    time.sleep(0.5)
    status, page = fetch("/plateau?partiel=1", stream.cookie)
    assert status == 200, (status, page[:300])
    seen, board, region = len(stream.arrivals.get("ringing", [])), [], []
    for i in range(rounds):
        caller = "+3367%07d" % i
        body = json.dumps({"event": "ringing", "callId": f"board-{time.time_ns()}-{i}", "from": caller, "to": practice["phone"]}).encode()
        start = time.perf_counter()
        signed_event(body)
        seen += 1
        board.append(stream.wait("ringing", seen) - start)
        status, page = fetch("/plateau?partiel=1", stream.cookie)
        national = "0" + caller[3:]
        assert status == 200 and " ".join(national[k:k + 2] for k in range(0, 10, 2)).encode() in page, page[:400]
        region.append(time.perf_counter() - start)
        signed_event(json.dumps({"event": "ended", "callId": json.loads(body)["callId"], "from": caller, "to": practice["phone"]}).encode())
        seen += 1
        stream.wait("ringing", seen)
    report("ringing event posted -> event on the supervisor's stream", board)
    report("ringing event posted -> board region fetched with the call", region)
    sys.exit(0)

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

report("transmission POST answered", post_times)
report("transmission sent -> event on the console", sent)
report("acknowledged -> queue event on the console", acknowledged)
if pops:
    report("telephony ringing event posted -> event on the console", pops)
    report("telephony ringing event posted -> pop fragment fetched", shown)
