#!/usr/bin/env python3
"""The cockpit's cost per page (issue 21): SQL statements, server time and weight of `GET /cabinets/{id}/appels/{call}`
for a known caller's call on the demo data, as a secretary's browser loads it.

A server on a fresh demo SQLite file logs every statement (LOG_LEVEL=debug, LOG_FORMAT=json: « Executing query » with
the request's id); headless Chromium signs in as the demo secretary, a known patient's number rings, F2 takes the call,
and the cockpit is loaded again RELOADS times (default 20). Printed: the statements of each load by request id (the
first load compiles the practice's agenda) and their median; then, the server started again on the same file without
that log, the server time of as many loads (navigation timing: request to first byte), median and p90; and the page's
weight (HTML, then with its scripts and styles).

    PERMANENCE_BINARY=.build-release/release/permanence python3 Benchmarks/http/cockpit-queries.py

Another commit's build is measured with PERMANENCE_CHECKOUT set to that commit's checkout (its templates and scripts).
"""
import collections
import json
import os
import pathlib
import statistics
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "e2e"))
# The checkout whose templates and scripts the server serves (another commit's, to measure its build).
CHECKOUT = os.environ.get("PERMANENCE_CHECKOUT", str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

import conftest  # noqa: E402
from test_console import answer_a_known_caller  # noqa: E402
from test_sign_in import wait_for_text  # noqa: E402


def main():
    reloads = int(os.environ.get("RELOADS", "20"))
    folder = tempfile.mkdtemp(prefix="permanence-cockpit-")
    process, base, env = conftest.start_server(folder, cwd=CHECKOUT, extra_env={"LOG_LEVEL": "debug", "LOG_FORMAT": "json"})
    conftest.SERVER_ENV.update(env)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768", "--lang=fr-FR"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        answer_a_known_caller(browser, base)
        cockpit = browser.current_url.split("?")[0]
        path = "/" + cockpit.split("/", 3)[3]
        for _ in range(reloads):
            browser.get(cockpit)
            wait_for_text(browser, "Appel en cours")
        # Timed on the same database and port without the statements' log (it costs more than the statements).
        process.terminate()
        process.wait(timeout=10)
        process, _, _ = conftest.start_server(folder, port=int(base.rsplit(":", 1)[1]), cwd=CHECKOUT, extra_env={"LOG_LEVEL": "warning"})
        server_ms = []
        for _ in range(reloads):
            browser.get(cockpit)
            wait_for_text(browser, "Appel en cours")
            server_ms.append(browser.execute_script(
                "const n = performance.getEntriesByType('navigation')[0]; return n.responseStart - n.requestStart;"))
        weight = browser.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "const r = performance.getEntriesByType('resource').filter(e => ['script', 'link', 'css'].includes(e.initiatorType));"
            "return {html: n.decodedBodySize, assets: r.reduce((s, e) => s + e.decodedBodySize, 0), count: r.length};")
    finally:
        browser.quit()
        process.terminate()
        process.wait(timeout=10)

    requests, queries = {}, collections.Counter()
    for line in open(os.path.join(folder, "server.log"), encoding="utf-8"):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        rid, message = entry.get("request_id"), entry.get("message", "")
        if not rid:
            continue
        if message.startswith("GET ") and rid not in requests:
            requests[rid] = message.split(" ")[1].split("?")[0]
        if "Executing query" in message:
            queries[rid] += 1
    loads = [queries[rid] for rid, target in requests.items() if target == path]
    loads = loads[-reloads:]
    print(f"cockpit {path}")
    print(f"statements per load ({len(loads)} loads): {loads}")
    print(f"statements per load, median: {statistics.median(loads)}")
    server_ms.sort()
    print(f"server time (request to first byte): median {statistics.median(server_ms):.1f} ms, "
          f"p90 {server_ms[int(len(server_ms) * 0.9) - 1]:.1f} ms")
    print(f"weight: HTML {weight['html'] / 1024:.1f} KiB, {weight['count']} scripts and styles "
          f"{weight['assets'] / 1024:.1f} KiB, total {(weight['html'] + weight['assets']) / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
