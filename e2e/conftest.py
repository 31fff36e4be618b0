"""A real Permanence server on a fresh SQLite database, and a headless Chromium to drive it."""
import os
import pathlib
import socket
import subprocess
import tempfile
import time
import urllib.request

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


@pytest.fixture(scope="session")
def server():
    binary = BINARY
    folder = tempfile.mkdtemp(prefix="permanence-e2e-")
    port = free_port()
    env = dict(os.environ, PORT=str(port), DATABASE_URL=os.path.join(folder, "permanence.sqlite"), PERMANENCE_DEMO="true")
    log = open(os.path.join(folder, "server.log"), "w")
    process = subprocess.Popen([binary, "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    SERVER_ENV.update(env)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the server stopped: " + open(log.name).read()[-2000:])
            time.sleep(0.3)
    else:
        process.kill()
        raise RuntimeError("the server did not answer /health within 120 s")
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture()
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768", "--lang=fr-FR"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def screenshot(driver, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
