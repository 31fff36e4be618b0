"""Issue 23: a practice's own software on Permanence. In a real browser a practitioner makes her practice's FHIR token,
subscribes a webhook receiver and her phone's calendar; then an external FHIR client finds free Slots, books an
Appointment, moves and cancels it, sees it in the practitioner's .ics feed (read by `icalendar`), and the receiver
started here gets the signed deliveries, whose signatures it verifies. Every FHIR answer is checked against the R4
models of `fhir.resources` (in a virtual environment of its own: it needs pydantic 1)."""
import datetime
import hashlib
import hmac
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zoneinfo

import icalendar
from selenium.webdriver.common.by import By

from conftest import ROOT, api, api_token, free_port, screenshot
from test_sign_in import sign_in, wait_for_text

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
FHIR_VENV = ROOT / ".build" / "fhir-venv"


def fhir_python():
    """The virtual environment's Python with fhir.resources 6.4.0 (FHIR 4.0.1), made on first use."""
    python = FHIR_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(FHIR_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "fhir.resources==6.4.0", "pydantic[email]<2"], check=True)
    return str(python)


class Receiver(http.server.BaseHTTPRequestHandler):
    """A practice's software receiving webhooks: keeps every delivery and answers 204."""
    deliveries = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.deliveries.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class FHIRClient:
    """An external FHIR client with the practice's token; every answer is kept for validation."""

    def __init__(self, base, token):
        self.base, self.token, self.folder, self.count = base + "/fhir", token, tempfile.mkdtemp(prefix="fhir-answers-"), 0

    def call(self, method, path, body=None, content_type="application/fhir+json", expect=200):
        headers = {"Authorization": "Bearer " + self.token, "Accept": "application/fhir+json"}
        if body is not None:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.base + path, method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(request) as response:
                status, text, kind = response.status, response.read(), response.headers["Content-Type"]
        except urllib.error.HTTPError as error:
            status, text, kind = error.code, error.read(), error.headers["Content-Type"]
        assert status == expect, f"{method} {path}: {status} {text[:400]}"
        assert kind.startswith("application/fhir+json"), kind
        document = json.loads(text)
        self.count += 1
        with open(os.path.join(self.folder, f"{self.count:03d}-{document['resourceType']}.json"), "w") as handle:
            json.dump(document, handle)
        return document

    def validate(self):
        result = subprocess.run([fhir_python(), str(ROOT / "scripts" / "fhir_validate.py")]
                                + sorted(os.path.join(self.folder, name) for name in os.listdir(self.folder)),
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout


def secret_shown(browser):
    return browser.find_element(By.ID, "nouveau-secret").text.strip()


def feed(url):
    with urllib.request.urlopen(url) as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        return icalendar.Calendar.from_ical(response.read())


def event(calendar, appointment_id):
    return next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith(appointment_id.lower()))


def wait_for_delivery(event_name, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        for headers, body in Receiver.deliveries:
            if json.loads(body)["event"] == event_name:
                return headers, body
        time.sleep(0.3)
    raise AssertionError(f"no {event_name} delivery: {[json.loads(b)['event'] for _, b in Receiver.deliveries]}")


def verify(headers, body, secret):
    timestamp = headers["X-Permanence-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Permanence-Signature"], expected)
    assert abs(time.time() - int(timestamp)) < 300


def test_a_practice_software_books_through_fhir_and_sees_it_in_the_feed_and_its_webhook(server, browser):
    port = free_port()
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        run_the_scenario(server, browser, port)
    finally:
        receiver.shutdown()


def run_the_scenario(server, browser, port):
    # The practitioner makes her practice's token, its webhook and her calendar's address.
    sign_in(browser, server, "dr.martin@permanence.test")
    browser.get(server + "/portail")
    wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, "Connexions du cabinet").click()
    wait_for_text(browser, "Connexions du cabinet à ses logiciels")
    browser.find_element(By.ID, "jeton-nom").send_keys("Logiciel médical du cabinet")
    browser.find_element(By.CSS_SELECTOR, "#jeton-portee option[value=read-write]").click()
    browser.find_element(By.CSS_SELECTOR, "form[action$='/connexions/jetons'] button[type=submit]").click()
    wait_for_text(browser, "il ne sera plus affiché")
    token = secret_shown(browser)
    assert token.startswith("pcx_")
    assert "lecture et prise de rendez-vous" in browser.page_source

    # A webhook to the server itself is refused, nothing saved; the local receiver is accepted.
    url_field = browser.find_element(By.ID, "webhook-url")
    url_field.send_keys(server + "/api/v1/hook")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/connexions/webhooks'] button[type=submit]").click()
    wait_for_text(browser, "Aucun abonnement n'a été créé")
    assert "celle de Permanence même" in browser.page_source
    url_field = browser.find_element(By.ID, "webhook-url")
    url_field.clear()
    url_field.send_keys(f"http://127.0.0.1:{port}/permanence")
    for name in ("appointment.status-changed", "transmission.sent"):
        browser.find_element(By.CSS_SELECTOR, f"input[name='events[]'][value='{name}']").click()
    browser.find_element(By.CSS_SELECTOR, "form[action$='/connexions/webhooks'] button[type=submit]").click()
    wait_for_text(browser, "Abonnement créé")
    webhook_secret = secret_shown(browser)
    screenshot(browser, "23-connexions")

    browser.get(server + "/portail/agenda-telephone")
    wait_for_text(browser, "Mon agenda dans mon téléphone")
    browser.find_element(By.CSS_SELECTOR, "input[name=nom]").click()
    browser.find_element(By.XPATH, "//button[contains(., 'Créer mon adresse')]").click()
    wait_for_text(browser, "Nouvelle adresse créée")
    feed_url = browser.find_element(By.ID, "adresse-agenda").text.strip()
    assert feed_url.startswith(server + "/ical/cal_") and feed_url.endswith(".ics")
    screenshot(browser, "23-agenda-telephone")
    assert browser.find_elements(By.CSS_SELECTOR, ".qr-box svg.qr"), browser.page_source[-3000:]

    # The external FHIR client.
    fhir = FHIRClient(server, token)
    capability = fhir.call("GET", "/metadata")
    assert {r["type"] for r in capability["rest"][0]["resource"]} == {
        "Organization", "Practitioner", "PractitionerRole", "Patient", "Schedule", "Slot", "Appointment", "Communication"}
    organizations = fhir.call("GET", "/Organization")
    assert organizations["total"] == 1
    practice = organizations["entry"][0]["resource"]["id"]
    martin = fhir.call("GET", "/Practitioner?family=martin")["entry"][0]["resource"]
    assert martin["name"][0]["family"] == "Martin"
    fhir.call("GET", f"/PractitionerRole?practitioner=Practitioner/{martin['id']}")
    schedule = fhir.call("GET", f"/Schedule/{martin['id']}")
    motif = schedule["serviceType"][0]["coding"][0]["code"]
    start = datetime.datetime.now(PARIS).date() + datetime.timedelta(days=1)
    slots = fhir.call("GET", f"/Slot?schedule=Schedule/{martin['id']}&service-type=urn:permanence:motif|{motif}"
                             f"&start=ge{start.isoformat()}&start=lt{(start + datetime.timedelta(days=28)).isoformat()}&_count=5")
    assert slots["total"] > 5 and len(slots["entry"]) == 5
    assert any(link["relation"] == "next" for link in slots["link"])
    slot = slots["entry"][0]["resource"]
    patients = fhir.call("GET", "/Patient?_count=3")
    patient = patients["entry"][0]["resource"]
    fhir.call("GET", f"/Patient/{patient['id']}")

    booking = {"resourceType": "Appointment", "status": "booked", "serviceType": slot["serviceType"],
               "slot": [{"reference": "Slot/" + slot["id"]}], "start": slot["start"], "end": slot["end"],
               "participant": [{"actor": {"reference": "Patient/" + patient["id"]}, "status": "accepted"},
                               {"actor": {"reference": "Practitioner/" + martin["id"]}, "status": "accepted"}]}
    booked = fhir.call("POST", "/Appointment", booking, expect=201)
    assert booked["status"] == "booked" and booked["start"] == slot["start"]
    taken = fhir.call("POST", "/Appointment", booking, expect=409)
    assert taken["issue"][0]["code"] == "conflict" and booked["id"] in taken["issue"][0]["diagnostics"]
    found = fhir.call("GET", f"/Appointment?patient=Patient/{patient['id']}&date=ge{start.isoformat()}&status=booked")
    assert booked["id"] in [e["resource"]["id"] for e in found["entry"]]

    # The feed shows it at its local time; the receiver got the signed "booked".
    calendar = feed(feed_url)
    shown = event(calendar, booked["id"])
    assert shown.decoded("DTSTART") == datetime.datetime.fromisoformat(slot["start"])
    assert str(shown["DTSTART"].params["TZID"]) == "Europe/Paris"
    assert int(shown["SEQUENCE"]) == 0 and str(shown["STATUS"]) == "CONFIRMED"
    headers, body = wait_for_delivery("appointment.booked")
    verify(headers, body, webhook_secret)
    delivered = json.loads(body)
    assert delivered["resourceId"] == booked["id"] and delivered["resource"]["status"] == "booked"
    with open(os.path.join(fhir.folder, "900-webhook-Appointment.json"), "w") as handle:
        json.dump(delivered["resource"], handle)

    # Moved by JSON Patch: a new SEQUENCE in the feed and a signed "moved"; cancelled by PUT: shown cancelled.
    later = slots["entry"][3]["resource"]
    moved = fhir.call("PATCH", f"/Appointment/{booked['id']}", [{"op": "replace", "path": "/start", "value": later["start"]}],
                      content_type="application/json-patch+json")
    assert moved["start"] == later["start"]
    shown = event(feed(feed_url), booked["id"])
    assert shown.decoded("DTSTART") == datetime.datetime.fromisoformat(later["start"]) and int(shown["SEQUENCE"]) == 1
    verify(*wait_for_delivery("appointment.moved"), webhook_secret)
    moved["status"] = "cancelled"
    moved["cancelationReason"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason", "code": "pat"}],
                                  "text": "Le patient ne peut pas venir"}
    cancelled = fhir.call("PUT", f"/Appointment/{booked['id']}", moved)
    assert cancelled["status"] == "cancelled" and cancelled["cancelationReason"]["coding"][0]["code"] == "pat"
    shown = event(feed(feed_url), booked["id"])
    assert str(shown["STATUS"]) == "CANCELLED" and int(shown["SEQUENCE"]) == 2
    verify(*wait_for_delivery("appointment.cancelled"), webhook_secret)

    # Transmissions as Communications: without their text for this token, with it for a secretary's own token.
    secretary = api_token(server, "secretaire@permanence.test")
    api(server, "POST", f"/api/v1/practices/{practice}/transmissions", secretary,
        {"practitionerId": martin["id"], "patientId": patient["id"], "priority": "normal", "subject": "Renouvellement d'ordonnance",
         "message": "Demande le renouvellement de son traitement habituel.", "callbackNumber": "06 12 34 56 78"})
    headers, body = wait_for_delivery("transmission.sent")
    verify(headers, body, webhook_secret)
    sent = json.loads(body)["resource"]
    assert sent["resourceType"] == "Communication" and "payload" not in sent and "topic" not in sent
    communications = fhir.call("GET", "/Communication?_count=5")
    assert communications["entry"] and all("payload" not in e["resource"] for e in communications["entry"])
    with_text = FHIRClient(server, secretary)
    with_text.folder = fhir.folder
    with_text.count = 500
    assert all("payload" in e["resource"] for e in with_text.call("GET", "/Communication?_count=5")["entry"])
    refused = fhir.call("GET", "/Appointment?colour=blue", expect=400)
    assert refused["issue"][0]["code"] == "not-supported" and "colour" in refused["issue"][0]["diagnostics"]
    fhir.call("GET", "/Appointment?date=ge2026-13-45", expect=400)
    fhir.call("GET", f"/Organization/{practice[:-1]}0", expect=404)
    print(fhir.validate())
    kinds = set()
    for name in os.listdir(fhir.folder):
        with open(os.path.join(fhir.folder, name)) as handle:
            document = json.load(handle)
        kinds.add(document["resourceType"])
        kinds.update(e["resource"]["resourceType"] for e in document.get("entry", []))
    assert kinds >= {"CapabilityStatement", "Bundle", "OperationOutcome", "Organization", "Practitioner", "PractitionerRole", "Patient",
                     "Schedule", "Slot", "Appointment", "Communication"}, kinds

    # The subscription's page: its log with the answer codes, and a test sent at once.
    browser.get(server + f"/cabinets/{practice}/connexions")
    browser.find_element(By.PARTIAL_LINK_TEXT, f"127.0.0.1:{port}").click()
    wait_for_text(browser, "Journal des envois")
    assert "réponse 204" in browser.page_source
    browser.find_element(By.XPATH, "//button[contains(., 'Envoyer un essai')]").click()
    wait_for_text(browser, "Essai envoyé")
    verify(*wait_for_delivery("test"), webhook_secret)
    screenshot(browser, "23-webhook")

    # The feed's local times stay right across both changes of time (booked beyond the horizon with a reason).
    patient_id = patient["id"]
    around = ["2027-03-26T10:00:00+01:00", "2027-03-29T10:00:00+02:00", "2027-10-29T10:00:00+02:00", "2027-11-02T10:00:00+01:00"]
    ids = []
    for when in around:
        ids.append(api(server, "POST", f"/api/v1/practices/{practice}/appointments", secretary,
                       {"patientId": patient_id, "practitionerId": martin["id"], "motifId": motif, "start": when,
                        "override": {"reason": "Suivi programmé à l'avance"}})["appointment"]["id"])
    calendar = feed(feed_url)
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    for appointment_id, when in zip(ids, around):
        start_shown = event(calendar, appointment_id).decoded("DTSTART")
        assert start_shown.hour == 10 and start_shown.utcoffset() == datetime.datetime.fromisoformat(when).utcoffset()
        assert start_shown == datetime.datetime.fromisoformat(when)
