"""The server started outside the repository still finds its pages, style sheets and API description; given a folder
without them, it says what is missing instead of dropping connections."""
import json
import tempfile
import urllib.error
import urllib.request

from conftest import start_server, stop_server


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def test_started_from_another_folder_it_serves_everything():
    folder = tempfile.mkdtemp(prefix="permanence-elsewhere-")
    process, base, _ = start_server(folder, cwd=folder)
    try:
        assert fetch(base + "/ready")[0] == 200
        status, kind, page = fetch(base + "/connexion")
        assert status == 200 and "text/html" in kind and "Connexion" in page
        assert fetch(base + "/css/app.css")[0] == 200
        status, kind, document = fetch(base + "/api/v1/openapi.json")
        assert status == 200 and json.loads(document)["openapi"].startswith("3.")
    finally:
        stop_server(process)


def test_a_resource_folder_without_the_files_is_named_by_ready():
    folder = tempfile.mkdtemp(prefix="permanence-bare-")
    empty = tempfile.mkdtemp(prefix="permanence-no-resources-")
    process, base, _ = start_server(folder, cwd=folder, extra_env={"PERMANENCE_RESOURCES": empty})
    try:
        status, _, body = fetch(base + "/ready")
        assert status == 503
        assert "Resources/Views/" in json.loads(body)["missing"]
        status, kind, page = fetch(base + "/connexion")
        assert status == 503 and "text/html" in kind and "PERMANENCE_RESOURCES" in page
    finally:
        stop_server(process)
