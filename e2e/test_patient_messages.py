"""Issue 24's journey: a real SMTP server (aiosmtpd, asking for STARTTLS and a login) and a local HTTP receiver standing
for the SMS gateway. The supervisor sets the practice's messages; a secretary books for a consenting patient; the
server's clock is moved to the day before the appointment; the reminder e-mail arrives without the motif; the patient
follows its link in Chromium and cancels; the freed slot goes to the waiting list, whose patient is told."""
import datetime
import email
import email.policy
import http.server
import json
import os
import re
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zoneinfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import api, api_token, free_port, make_browser, screenshot, start_server, stop_server
from test_appointments import PRACTICE, open_practice
from test_sign_in import sign_in, wait_for_text

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SMTP_USER, SMTP_PASSWORD = "permanence", "mot de passe du relais"


class Mailbox:
    """What the SMTP server received, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append({"to": envelope.rcpt_tos, "subject": str(message["subject"]), "body": message.get_content(),
                              "tls": session.ssl is not None})
        return "250 2.0.0 Message accepted"

    def wait_for(self, predicate, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = [m for m in self.messages if predicate(m)]
            if found:
                return found
            time.sleep(0.3)
        raise AssertionError("no such e-mail; received: " + json.dumps([(m["to"], m["subject"]) for m in self.messages], ensure_ascii=False))


def authenticate(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login == SMTP_USER.encode() and data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok)


class SMSGateway(http.server.BaseHTTPRequestHandler):
    """Stands for an SMS provider's HTTP API: keeps each JSON body posted, answers 200."""
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        SMSGateway.received.append({"auth": self.headers.get("Authorization"), "body": json.loads(body)})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status":"queued"}')

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def center():
    folder = tempfile.mkdtemp(prefix="permanence-messages-")
    # A certificate for localhost, trusted by the server through SMTP_CA_FILE.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{folder}/key.pem", "-out", f"{folder}/cert.pem",
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"], check=True, capture_output=True)
    import ssl
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(f"{folder}/cert.pem", f"{folder}/key.pem")
    mailbox = Mailbox()
    smtp_port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port, server_hostname="localhost", tls_context=context,
                      require_starttls=True, authenticator=authenticate, auth_require_tls=True)
    smtp.start()
    SMSGateway.received = []
    gateway = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SMSGateway)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    clock = os.path.join(folder, "clock-offset")
    with open(clock, "w") as f:
        f.write("0")
    port = free_port()
    quoted = urllib.parse.quote(SMTP_PASSWORD)
    env = {
        "SMTP_URL": f"smtp://{SMTP_USER}:{quoted}@localhost:{smtp_port}?starttls=required",
        "SMTP_CA_FILE": f"{folder}/cert.pem",
        "SMTP_FROM": "rappels@permanence.test",
        "SMS_GATEWAY_URL": f"http://sms:cle@127.0.0.1:{gateway.server_address[1]}/send",
        "PERMANENCE_CLOCK_OFFSET_FILE": clock,
        "PERMANENCE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PERMANENCE_WORKER_SECONDS": "1",
    }
    process, base, _ = start_server(folder, port=port, extra_env=env)
    yield {"base": base, "mailbox": mailbox, "clock": clock, "folder": folder}
    stop_server(process)
    gateway.shutdown()
    smtp.stop()


def move_clock_to(center, instant):
    """The server's clock set to `instant` (an aware datetime) from now on."""
    with open(center["clock"], "w") as f:
        f.write(str(instant.timestamp() - time.time()))


def test_a_reminder_email_without_the_motif_cancels_through_its_link_and_the_waiting_list_is_offered_the_slot(center):
    base, mailbox = center["base"], center["mailbox"]
    browser = make_browser()
    patient_browser = make_browser()
    try:
        # The supervisor opens the practice's messages: both channels, the reminder the day before, each SMS counted.
        sign_in(browser, base, "superviseur@permanence.test")
        wait_for_text(browser, "Bonjour")
        secretary = api_token(base, "secretaire@permanence.test")
        practice = next(p["id"] for p in api(base, "GET", "/api/v1/practices", token=secretary)["practices"] if p["name"] == PRACTICE)
        browser.get(f"{base}/cabinets/{practice}/parametres")
        browser.find_element(By.LINK_TEXT, "Messages aux patients").click()
        wait_for_text(browser, "Rappel par SMS")
        assert browser.find_element(By.NAME, "sms").is_selected() and browser.find_element(By.NAME, "rappel24").is_selected()
        assert "1 SMS" in browser.page_source
        # A wording naming the motif is refused with its reason; nothing is saved.
        box = browser.find_element(By.ID, "modele-confirmation_sms")
        box.clear()
        box.send_keys("RDV {motif} le {date} à {heure}")
        browser.find_element(By.XPATH, "//button[text()='Enregistrer']").click()
        wait_for_text(browser, "donnée de santé")
        screenshot(browser, "140-messages-modele-refuse")
        browser.get(f"{base}/cabinets/{practice}/messages-patients")
        assert "{motif}" not in browser.find_element(By.ID, "modele-confirmation_sms").get_attribute("value")
        screenshot(browser, "141-messages-reglages")

        # Two consenting patients: one books, the other waits for an earlier slot.
        motifs = api(base, "GET", f"/api/v1/practices/{practice}/motifs", token=secretary)["motifs"]
        motif = next((m for m in motifs if m["label"].startswith("Consultation")), motifs[0])
        digits = str(int(time.time()))[-6:]
        # Names are letters only: the time's digits as letters.
        stamp = "".join(chr(ord("A") + int(d)) for d in digits).capitalize()
        booker = new_patient(base, secretary, practice, "Rappel" + stamp, "+3361000" + digits[-4:], f"rappel.{digits}@example.org")
        waiting = new_patient(base, secretary, practice, "Attente" + stamp, "+3362000" + digits[-4:], f"attente.{digits}@example.org")

        # The secretary books from the patient's record, on a slot two days ahead at least and not a Monday.
        browser.delete_all_cookies()
        sign_in(browser, base, "secretaire@permanence.test")
        wait_for_text(browser, "Bonjour")
        browser.get(f"{base}/cabinets/{practice}/patients/{booker['id']}")
        wait_for_text(browser, "Rendez-vous à venir")
        browser.find_element(By.LINK_TEXT, "Prendre un rendez-vous").click()
        wait_for_text(browser, "2. Créneau")
        Select(browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=etape-creneau] select[name=motif]")).select_by_value(motif["id"])
        start_day = datetime.date.today() + datetime.timedelta(days=2)
        browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=etape-creneau] input[name=date]"), start_day.isoformat())
        browser.find_element(By.XPATH, "//button[text()='Chercher les créneaux libres']").click()
        wait_for_text(browser, "le retient 5 minutes")
        forms = browser.find_elements(By.CSS_SELECTOR, "ol.slots form")
        chosen = next(f for f in forms if datetime.datetime.fromisoformat(f.find_element(By.NAME, "debut").get_attribute("value")).weekday() != 0)
        start = datetime.datetime.fromisoformat(chosen.find_element(By.NAME, "debut").get_attribute("value"))
        chosen.find_element(By.CSS_SELECTOR, "button.slot").click()
        wait_for_text(browser, "Créneau retenu pour vous jusqu'à")
        browser.find_element(By.XPATH, "//button[contains(., 'Confirmer le rendez-vous')]").click()
        wait_for_text(browser, "À relire au patient")
        api(base, "POST", f"/api/v1/practices/{practice}/waiting-list", token=secretary, body={
            "patientId": waiting["id"], "motifId": motif["id"], "from": (start - datetime.timedelta(hours=1)).isoformat(),
            "until": (start + datetime.timedelta(hours=2)).isoformat()})

        # The confirmation by e-mail, over STARTTLS with the login, at once.
        confirmation = mailbox.wait_for(lambda m: booker["email"] in m["to"] and "confirmé" in m["subject"])[0]
        assert confirmation["tls"], "the message went over STARTTLS"
        spoken = f"{start.hour} h" + ("" if start.minute == 0 else f" {start.minute:02d}")
        assert spoken in confirmation["body"] and motif["label"] not in confirmation["body"]

        # The day before, just after the reminder's time: the reminder e-mail and SMS, without the motif.
        move_clock_to(center, start - datetime.timedelta(hours=24) + datetime.timedelta(seconds=30))
        reminder = mailbox.wait_for(lambda m: booker["email"] in m["to"] and m["subject"] == "Rappel de votre rendez-vous")[0]
        body = reminder["body"]
        assert motif["label"] not in body and stamp.upper() not in body.upper(), body
        assert spoken in body and PRACTICE in body
        link = re.search(r"http://\S+/r/[A-Za-z0-9_-]+", body).group(0)
        sms = wait_until(lambda: [s for s in SMSGateway.received if s["body"]["to"] == booker["phone"] and "/r/" in s["body"]["text"]])
        assert sms[0]["body"]["text"].endswith(link.split("/r/")[1]) and motif["label"] not in sms[0]["body"]["text"]
        assert len(sms[0]["body"]["text"]) <= 160

        # The patient follows the link: the appointment without its motif, and two choices.
        patient_browser.get(link)
        wait_for_text(patient_browser, "Annuler ce rendez-vous")
        page = patient_browser.find_element(By.TAG_NAME, "main").text
        assert motif["label"] not in page and stamp.upper() not in page.upper() and spoken in page
        screenshot(patient_browser, "142-lien-rappel")
        patient_browser.find_element(By.XPATH, "//button[text()='Annuler ce rendez-vous']").click()
        wait_for_text(patient_browser, "Votre rendez-vous est annulé")
        screenshot(patient_browser, "143-lien-annule")
        # Used: a second visit acts no more.
        patient_browser.get(link)
        wait_for_text(patient_browser, "ne sert qu'une fois")

        # The waiting patient is told of the freed slot, and is a callback for the secretaries.
        mailbox.wait_for(lambda m: waiting["email"] in m["to"] and m["subject"] == "Un créneau s'est libéré")
        browser.delete_all_cookies()
        sign_in(browser, base, "secretaire@permanence.test")
        wait_for_text(browser, "Bonjour")
        browser.find_element(By.LINK_TEXT, PRACTICE).click()
        browser.find_element(By.LINK_TEXT, "Liste d'attente").click()
        wait_for_text(browser, "À rappeler")
        assert ("Attente" + stamp).upper() in browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=rappels]").text.upper()
        screenshot(browser, "144-liste-attente-creneau-libere")
        # The booker's record lists each message and its state; the cancellation is the patient's.
        browser.get(f"{base}/cabinets/{practice}/patients/{booker['id']}")
        section = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=messages-patient]")
        browser.execute_script("arguments[0].scrollIntoView()", section)
        assert "Rappel 24 h avant par e-mail" in section.text and "Confirmation par SMS" in section.text
        screenshot(browser, "145-dossier-messages")
    finally:
        move_clock_to(center, datetime.datetime.now(datetime.timezone.utc))
        browser.quit()
        patient_browser.quit()


def wait_until(found, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        result = found()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError("not received in time; the gateway got: " + json.dumps(SMSGateway.received, ensure_ascii=False))


def new_patient(base, token, practice, name, phone, address):
    created = api(base, "POST", f"/api/v1/practices/{practice}/patients", token=token, body={
        "birthName": name, "firstNames": "Claire", "birthDate": "1980-04-12", "sex": "F", "email": address,
        "phones": [{"number": phone, "label": "portable"}], "smsConsent": True, "emailConsent": True})
    return {"id": created["id"], "email": address, "phone": phone}
