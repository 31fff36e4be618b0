"""Issue 19, parts 1, 2, 3 and 8: on a database started without the demo, an administrator made on the command line
enrols her second factor, creates a paediatric practice in Moselle from its template, with two numbers and its
coverage hours, adds two
practitioners (an RPPS whose check digit fails is refused first), gives them hours, takes over 200 upcoming appointments
from the previous agenda's .ics (checked, then imported); a practitioner reviews the urgency
criteria; the checklist turns green with the test call, the practice goes live, and a call to its urgent line pops on
its secretary's console with the practice's greeting."""
import datetime
import os
import subprocess
import tempfile
import zoneinfo

import icalendar
from dateutil.easter import easter

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import BINARY, api, screenshot, start_server, totp_code
from test_accounts import second_browser
from test_sign_in import sign_in, wait_for_text

ADMIN = "direction@centre-lumiere.test"
ADMIN_PASSWORD = "Ouverture du centre 2026"
DOCTOR = "louise.weber@centre-lumiere.test"
DOCTOR_PASSWORD = "Critères relus ce matin"
SECRETARY = "accueil@centre-lumiere.test"
SECRETARY_PASSWORD = "Premier jour au plateau"


def command(env, *arguments, stdin=None):
    done = subprocess.run([BINARY, *arguments], cwd=env["_FOLDER"], env=env, input=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def previous_agenda(path, count=200):
    """The previous software's export: `count` upcoming 20-minute consultations on weekday mornings, from next week on,
    written by the icalendar library (not by Permanence), in Paris time with a TZID."""
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    surnames = ["MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT",
                "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD"]
    first_names = ["Léa", "Hugo", "Chloé", "Louis", "Emma", "Jules", "Inès", "Gabriel", "Manon", "Arthur"]

    def closed(day):
        """French public holidays, with those of the Moselle (Good Friday, 26 December)."""
        e = easter(day.year)
        fixed = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25), (12, 26)}
        moving = {e - datetime.timedelta(days=2), e + datetime.timedelta(days=1), e + datetime.timedelta(days=39), e + datetime.timedelta(days=50)}
        return (day.month, day.day) in fixed or day in moving

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Ancien agenda du cabinet//FR")
    calendar.add("version", "2.0")
    day = datetime.date.today() + datetime.timedelta(days=7 - datetime.date.today().weekday() + 7)
    made = 0
    while made < count:
        if day.weekday() < 5 and not closed(day):
            for slot in range(10):
                if made == count:
                    break
                start = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=paris) + datetime.timedelta(minutes=20 * slot)
                event = icalendar.Event()
                event.add("uid", f"rdv-{made}@ancien-agenda")
                event.add("dtstart", start)
                event.add("dtend", start + datetime.timedelta(minutes=20))
                event.add("summary", f"{surnames[made % 20]} {first_names[made // 20 % 10]} - Consultation")
                event.add("description", f"Né(e) le {1 + made % 28:02d}/{1 + made % 12:02d}/{2012 + made % 12}\nTél : 06 12 34 {made // 100:02d} {made % 100:02d}")
                calendar.add_component(event)
                made += 1
        day += datetime.timedelta(days=1)
    with open(path, "wb") as file:
        file.write(calendar.to_ical())


def fill(browser, name, value):
    field = browser.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def test_a_practice_is_put_into_service_without_the_demo(browser):
    folder = tempfile.mkdtemp(prefix="permanence-service-")
    process, base, env = start_server(folder, cwd=folder, extra_env={"PERMANENCE_DEMO": "false"})
    env = dict(env, _FOLDER=folder)
    console = None
    try:
        command(env, "user", "create", "--email", ADMIN, "--role", "admin", "--name", "Hélène Garnier", "--password", ADMIN_PASSWORD)
        sign_in(browser, base, ADMIN, ADMIN_PASSWORD)
        wait_for_text(browser, "activez-la pour continuer")
        key = browser.find_element(By.ID, "cle-secrete").text.replace(" ", "")
        browser.find_element(By.ID, "code").send_keys(totp_code(ADMIN, key))
        browser.find_element(By.XPATH, "//button[text()='Activer la double authentification']").click()
        wait_for_text(browser, "Vos dix codes de secours")
        browser.get(base + "/")
        wait_for_text(browser, "Aucun cabinet")

        browser.find_element(By.LINK_TEXT, "Nouveau cabinet").click()
        wait_for_text(browser, "Numéros appelés")
        Select(browser.find_element(By.NAME, "modele")).select_by_visible_text("Pédiatrie")
        fill(browser, "nom", "Cabinet de pédiatrie Lumière")
        fill(browser, "adresse", "5 place Saint-Louis, 57000 Metz")
        fill(browser, "departement", "57")
        fill(browser, "acces", "2e étage, digicode 4512, ascenseur à droite")
        numbers = browser.find_elements(By.NAME, "numeros[]")
        labels = browser.find_elements(By.NAME, "etiquettes[]")
        numbers[0].send_keys("03 87 55 10 10")
        Select(labels[0]).select_by_visible_text("Secrétariat")
        numbers[1].send_keys("03 87 55 10 15")
        Select(labels[1]).select_by_visible_text("Urgences")
        fill(browser, "exceptions", "2026-12-31 fermé Réveillon")
        # First without the 15 in the outside-hours message: refused, nothing saved, the form kept.
        fill(browser, "horsHoraires", "Le secrétariat est fermé, rappelez demain.")
        browser.find_element(By.XPATH, "//button[text()='Créer le cabinet']").click()
        wait_for_text(browser, "n'a pas été enregistré")
        assert "orienter les urgences vers le 15" in browser.page_source
        assert browser.find_element(By.NAME, "nom").get_attribute("value") == "Cabinet de pédiatrie Lumière"
        screenshot(browser, "190-nouveau-cabinet-refuse")
        fill(browser, "horsHoraires", "Le secrétariat est fermé. En cas d'urgence vitale, appelez le 15.")
        browser.find_element(By.XPATH, "//button[text()='Créer le cabinet']").click()
        wait_for_text(browser, "Cabinet créé avec les motifs, la fiche et les critères d'urgence du modèle")
        assert "/parametres" in browser.current_url
        assert browser.find_element(By.NAME, "specialite").get_attribute("value") == "Pédiatrie"
        assert browser.find_element(By.NAME, "departement").get_attribute("value") == "57"
        screenshot(browser, "191-cabinet-cree")

        # Two practitioners; a mistyped RPPS is refused first.
        for first, last, rpps in [("Louise", "Weber", "10001234566"), ("Louise", "Weber", "10001234565"), ("Marc", "Haas", "10101010105")]:
            fill(browser, "prenom", first)
            fill(browser, "nomPraticien", last)
            fill(browser, "rpps", rpps)
            browser.find_element(By.XPATH, "//button[text()='Ajouter le praticien']").click()
            if rpps.endswith("6"):
                wait_for_text(browser, "clé de contrôle du RPPS incorrecte")
                screenshot(browser, "192-rpps-refuse")
            else:
                wait_for_text(browser, f"Dr {first} {last} ajouté")
        rows = browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=praticiens] table tbody tr")
        assert len(rows) == 2
        screenshot(browser, "193-praticiens")
        # Both take the template's motifs (ticked by default when they were added).
        practice_id = browser.current_url.split("/cabinets/")[1].split("/")[0]
        browser.get(f"{base}/cabinets/{practice_id}/agenda")
        wait_for_text(browser, "Motifs de consultation")
        assert "Examen du 9e mois" in browser.page_source
        assert "Dr Louise Weber, Dr Marc Haas" in browser.page_source or "Dr Marc Haas, Dr Louise Weber" in browser.page_source

        practice_id = browser.current_url.split("/cabinets/")[1].split("/")[0]
        admin = api(base, "POST", "/api/v1/auth/token", body={"email": ADMIN, "password": ADMIN_PASSWORD, "code": totp_code(ADMIN, key)})["token"]
        practitioners = api(base, "GET", f"/api/v1/practices/{practice_id}/practitioners", admin)["practitioners"]
        for practitioner in practitioners:
            api(base, "POST", f"/api/v1/practices/{practice_id}/hours", admin, {
                "practitionerId": practitioner["id"], "validFrom": "2026-01-01",
                "ranges": [{"weekday": day, "start": "09:00", "end": "12:30"} for day in range(1, 6)]})
        weber = next(p for p in practitioners if p["lastName"] == "Weber")
        api(base, "POST", "/api/v1/users", admin, {"email": DOCTOR, "displayName": "Dr Louise Weber", "role": "practitioner",
                                                  "password": DOCTOR_PASSWORD, "practices": [practice_id], "practitionerID": weber["id"]})
        command(env, "user", "create", "--email", SECRETARY, "--role", "secretary", "--name", "Inès Morel",
                "--practice", "cabinet-de-pediatrie-lumiere", "--password", SECRETARY_PASSWORD)

        # The previous agenda: 200 upcoming appointments of Dr Weber, checked first, then imported.
        export = os.path.join(folder, "ancien-agenda.ics")
        previous_agenda(export)
        browser.get(f"{base}/cabinets/{practice_id}/reprise-agenda")
        Select(browser.find_element(By.NAME, "praticien")).select_by_visible_text("Dr Louise Weber")
        browser.find_element(By.NAME, "fichier").send_keys(export)
        browser.find_element(By.XPATH, "//button[text()='Vérifier le fichier']").click()
        wait_for_text(browser, "Vérification : 200 rendez-vous sur 200 seront repris")
        screenshot(browser, "197-reprise-agenda-verifiee")
        browser.find_element(By.XPATH, "//button[contains(., 'Importer les 200 rendez-vous')]").click()
        wait_for_text(browser, "Import terminé : 200 rendez-vous repris", seconds=60)
        screenshot(browser, "198-reprise-agenda-importee")

        # The checklist: everything but the triage review and the test call holds; « Prêt » waits.
        browser.get(f"{base}/cabinets/{practice_id}/mise-en-service")
        wait_for_text(browser, "Un appel d'essai")
        assert len(browser.find_elements(By.CSS_SELECTOR, ".checklist li.done")) == 5
        assert browser.find_element(By.XPATH, "//button[contains(., 'Prêt')]").get_attribute("disabled")
        screenshot(browser, "195-mise-en-service-a-completer")

        # Dr Weber, at her first sign-in, enrols her second factor and reviews the practice's urgency criteria.
        console = second_browser()
        sign_in(console, base, DOCTOR, DOCTOR_PASSWORD)
        wait_for_text(console, "activez-la pour continuer")
        doctor_key = console.find_element(By.ID, "cle-secrete").text.replace(" ", "")
        console.find_element(By.ID, "code").send_keys(totp_code(DOCTOR, doctor_key))
        console.find_element(By.XPATH, "//button[text()='Activer la double authentification']").click()
        wait_for_text(console, "Vos dix codes de secours")
        console.get(f"{base}/cabinets/{practice_id}/fiche")
        console.find_element(By.XPATH, '//button[contains(., "relu les critères")]').click()
        wait_for_text(console, "est notée relue")
        console.quit()

        # The test call pops on the checklist's page and turns its last item green; then the practice goes live.
        browser.refresh()
        WebDriverWait(browser, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live") == "connected")
        command(env, "simulate-call", "--from", "06 12 34 56 78", "--to", "03 87 55 10 15", "--url", base)
        pop = WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#appels-entrants .pop"))[0]
        assert "Cabinet de pédiatrie Lumière, bonjour" in pop.text
        WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".checklist li.done")) == 7)
        screenshot(browser, "196-mise-en-service-prete")
        browser.find_element(By.XPATH, "//button[contains(., 'Prêt')]").click()
        wait_for_text(browser, "Cabinet en service")

        # Its secretary's console now pops its calls, with the practice's greeting.
        console = second_browser()
        sign_in(console, base, SECRETARY, SECRETARY_PASSWORD)
        wait_for_text(console, "Bonjour Inès Morel")
        WebDriverWait(console, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live") == "connected")
        command(env, "simulate-call", "--from", "06 98 76 54 32", "--to", "03 87 55 10 15", "--url", base)
        pop = WebDriverWait(console, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#appels-entrants .pop"))[0]
        assert "Cabinet de pédiatrie Lumière" in pop.text
        assert "Cabinet de pédiatrie Lumière, bonjour" in pop.text
        screenshot(console, "194-appel-nouveau-cabinet")

        listed = command(env, "practice", "list")
        assert "cabinet-de-pediatrie-lumiere" in listed and "+33387551015 (urgences)" in listed
    finally:
        if console:
            console.quit()
        # The live connection of the page left open would hold the server's graceful stop.
        browser.get("about:blank")
        process.terminate()
        process.wait(timeout=30)
