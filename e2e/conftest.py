"""A real Permanence server on a fresh SQLite database, and a headless Chromium to drive it."""
import json
import os
import pathlib
import socket
import subprocess
import tempfile
import time
import urllib.request

import pyotp
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "e2e" / "screenshots"
BINARY = os.environ.get("PERMANENCE_BINARY", str(ROOT / ".build" / "debug" / "permanence"))
# The running server's database, for the journeys that run a command beside it (permanence simulate-call).
SERVER_ENV = {}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder, port=None, cwd=ROOT, extra_env=None):
    """A Permanence server on the SQLite file in `folder` (created with the demo data when new), started in `cwd`;
    returns the process and its address once /health answers."""
    port = port or free_port()
    # The escalation ladder and the outbox run every two seconds, so a journey sees them act.
    env = dict(os.environ, PORT=str(port), DATABASE_URL=os.path.join(folder, "permanence.sqlite"), PERMANENCE_DEMO="true",
               PERMANENCE_WORKER_SECONDS="2")
    env.update(extra_env or {})
    log = open(os.path.join(folder, "server.log"), "a")
    process = subprocess.Popen([BINARY, "serve"], cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log_path = log.name
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            return process, base, env
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the server stopped: " + open(log.name).read()[-2000:])
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the server did not answer /health within 120 s")


@pytest.fixture(scope="session")
def server():
    process, base, env = start_server(tempfile.mkdtemp(prefix="permanence-e2e-"))
    SERVER_ENV.update(env)
    yield base
    stop_server(process)


def stop_server(process, timeout=30):
    """SIGTERM, as a service manager stops it: the requests in flight get Vapor's 10 s, the background pass 3 s, then
    the databases close. A server still running after `timeout` is killed and the test fails with its log's end."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        tail = open(process.log_path, errors="replace").read()[-3000:] if hasattr(process, "log_path") else ""
        raise AssertionError(f"the server did not stop within {timeout} s of SIGTERM; its log ends with:\n{tail}")


def make_browser():
    """Debian's headless Chromium at 1366×768, in French."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768", "--lang=fr-FR"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    return driver


@pytest.fixture()
def browser():
    driver = make_browser()
    yield driver
    driver.quit()


def screenshot(driver, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def api(server, method, path, token=None, body=None):
    """One JSON API call, as an integration would make it; returns the decoded answer."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(server + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    return json.loads(urllib.request.urlopen(request).read())


# The published authenticator key of the demo's administrators, supervisors and practitioners (README).
DEMO_AUTHENTICATOR_KEY = "PERMANENCEDEMOKEYFORTOTPCODES234"
_last_step = {}


def totp_code(email, key=DEMO_AUTHENTICATOR_KEY):
    """The code an authenticator application set with `key` shows, computed by pyotp (an implementation independent of
    the server's). A code opens once: a second sign-in of the same account takes the next step's code (the server
    accepts one step ahead) or waits for the clock to reach it."""
    step = max(int(time.time()) // 30, _last_step.get((email, key), -1) + 1)
    while step > int(time.time()) // 30 + 1:
        time.sleep(0.5)
    _last_step[(email, key)] = step
    return pyotp.TOTP(key).at(step * 30)


def api_token(server, email):
    """A token for a demo account; the code is read only from an account that enrolled a second factor."""
    body = {"email": email, "password": "permanence-demo", "code": totp_code(email)}
    return api(server, "POST", "/api/v1/auth/token", body=body)["token"]


DEMO_PRACTICE = "Cabinet médical des Tilleuls"


def booking_material(server, token, slots, from_day=None):
    """What a secretary books with in the demo practice: its id, its first motif, `slots` free slots (from `from_day`,
    an ISO date, when given) and patients."""
    practice = next(p for p in api(server, "GET", "/api/v1/practices", token)["practices"] if p["name"] == DEMO_PRACTICE)["id"]
    motif = api(server, "GET", f"/api/v1/practices/{practice}/motifs", token)["motifs"][0]["id"]
    since = f"&from={from_day}" if from_day else ""
    free = api(server, "GET", f"/api/v1/practices/{practice}/availability?motif={motif}&limit={slots}{since}", token)["slots"]
    patients = api(server, "GET", f"/api/v1/practices/{practice}/patients?q=a", token)["patients"]
    assert len(free) == slots and patients
    return practice, motif, free, patients
