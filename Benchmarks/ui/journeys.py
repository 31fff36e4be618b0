"""Keys and clicks of issue 21's journeys (b), (c), (d) (e2e/journeys.py) against the server PERMANENCE_BINARY, on a
fresh demo file, in headless Chromium. JOURNEYS_UI=before walks the screens of 8743f72 (the build before issue 21):
give PERMANENCE_CHECKOUT, that commit's checkout, whose templates and scripts the server serves. The default walks
this build's. Prints one line per journey."""
import os
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "e2e"))

from conftest import SERVER_ENV, make_browser, start_server  # noqa: E402
from journeys import booking, move, triage_and_transmission  # noqa: E402


def main():
    ui = os.environ.get("JOURNEYS_UI", "after")
    for journey in (booking, move, triage_and_transmission):
        with tempfile.TemporaryDirectory() as folder:
            process, server, env = start_server(folder, cwd=os.environ.get("PERMANENCE_CHECKOUT", str(ROOT)))
            SERVER_ENV.update(env)
            browser = make_browser()
            try:
                print(ui, journey.__name__, journey(server, browser, ui=ui), flush=True)
            finally:
                browser.quit()
                process.terminate()
                process.wait()


if __name__ == "__main__":
    main()
