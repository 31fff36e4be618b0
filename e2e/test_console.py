"""Journeys of issue 8: the secretary's cockpit from the ring to the read-back, an unknown caller, an urgent call, a move
from the day's grid, and a secretary kept out of a practice she does not answer for. Journey (a) counts the keystrokes
and clicks from the answered call to the read-back and the time each page takes to be usable; both are written to
e2e/screenshots/mesures.txt (and printed with `pytest -s`)."""
import json
import subprocess
import time

from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BINARY, ROOT, SCREENSHOTS, SERVER_ENV, screenshot
from test_journal import PRACTICE, a_patient_name
from test_sign_in import sign_in, wait_for_text


class Work:
    """What the secretary does, counted: a key (a shortcut such as Alt+M counts once) or a click."""

    def __init__(self, browser):
        self.browser = browser
        self.keys = 0
        self.clicks = 0
        self.pages = []

    def shortcut(self, key, modifier=Keys.ALT):
        ActionChains(self.browser).key_down(modifier).send_keys(key).key_up(modifier).perform()
        self.keys += 1

    def press(self, key):
        ActionChains(self.browser).send_keys(key).perform()
        self.keys += 1

    def type(self, text):
        ActionChains(self.browser).send_keys(text).perform()
        self.keys += len(text)

    def click(self, element):
        element.click()
        self.clicks += 1

    def timing(self, name):
        """The page's navigation timing: server time (request to first byte) and usable (DOM ready), in ms."""
        entry = self.browser.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return {server: n.responseStart - n.requestStart, usable: n.domContentLoadedEventEnd - n.startTime, load: n.loadEventEnd - n.startTime};")
        self.pages.append((name, entry))


def spoken(hhmm):
    """"08:30" as the read-back says it: "8 h 30"."""
    hours, minutes = hhmm.strip()[:5].split(":")
    return f"{int(hours)} h" + ("" if minutes == "00" else f" {minutes}")


def console(browser, server):
    browser.get(server + "/")
    if "/connexion" in browser.current_url:
        sign_in(browser, server, "secretaire@permanence.test")
        wait_for_text(browser, "Bonjour")


def ring(server, caller, practice="cabinet-des-tilleuls"):
    sent = subprocess.run([BINARY, "simulate-call", "--from", caller, "--to", practice, "--url", server],
                          cwd=ROOT, env=SERVER_ENV, capture_output=True, text=True, timeout=60)
    assert sent.returncode == 0, sent.stdout + sent.stderr


def wait_live(browser):
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live") == "connected")


def first_pop_from(browser, number):
    """The first pop (the one F2 takes), once it is the call from `number`: a call left ringing by another journey
    would be taken instead, and is named in the failure."""
    def first(d):
        pops = d.find_elements(By.CSS_SELECTOR, "#appels-entrants .pop")
        return pops[0] if pops and number in pops[0].text else None
    try:
        return WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,)).until(first)
    except TimeoutException:
        pops = [p.text for p in browser.find_elements(By.CSS_SELECTOR, "#appels-entrants .pop")]
        raise AssertionError(f"no pop from {number} first in line: {pops}")


def answer_a_known_caller(browser, server):
    """A patient of the demo practice rings from their number; the secretary answers the pop with F2. Returns the
    patient's name, the cockpit of the call open."""
    console(browser, server)
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    name = a_patient_name(browser)
    browser.find_element(By.LINK_TEXT, name).click()
    wait_for_text(browser, "Historique des échanges")
    phone = browser.find_element(By.CSS_SELECTOR, "dd.phone").text.split(",")[0].split(" (")[0].strip()
    browser.find_element(By.LINK_TEXT, "Cabinets").click()
    wait_live(browser)
    ring(server, phone)
    first_pop_from(browser, phone)
    ActionChains(browser).send_keys(Keys.F2).perform()
    wait_for_text(browser, "Appel en cours")
    return name


def test_a_known_caller_pops_is_taken_and_booked_on_the_first_free_slot_with_its_read_back(server, browser):
    # The call is answered: F2. From here every key and click is counted.
    name = answer_a_known_caller(browser, server)
    work = Work(browser)
    work.timing("cockpit (appel pris)")
    # Known caller: the patient is already on the call, with the record beside it.
    assert "Ce n'est pas ce patient" in browser.page_source
    assert "Dossier du patient" in browser.page_source
    screenshot(browser, "80-cockpit-appel-pris")

    work.shortcut("m")            # the finder's motif
    work.type("cons")             # "Consultation (20 min)"
    work.press(Keys.ENTER)        # the first free slots
    wait_for_text(browser, "Prochain créneau libre")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".finder-slots button.slot"))
    work.timing("cockpit (créneaux libres)")
    first = browser.find_element(By.CSS_SELECTOR, ".finder-slots button.slot")
    slot_title = first.get_attribute("title")
    assert "Consultation" in browser.find_element(By.CSS_SELECTOR, ".finder select[name=motif] option:checked").text
    screenshot(browser, "81-cockpit-creneaux")

    work.shortcut("1")            # hold the first one: the confirmation waits in the cockpit, the slot held on the grid
    wait_for_text(browser, "Créneau retenu pour vous jusqu'à")
    work.timing("cockpit (créneau retenu)")
    assert "Appel en cours" in browser.page_source and name in browser.page_source
    assert browser.find_elements(By.CSS_SELECTOR, "#jour-grille .block.hold"), "the held slot drawn on its day, shown beside"
    screenshot(browser, "81b-cockpit-creneau-retenu")
    work.press(Keys.ENTER)        # the confirmation has the focus
    wait_for_text(browser, "À relire au patient")
    work.timing("cockpit (relecture)")
    assert "Appel en cours" in browser.page_source, "the read-back is read from the call's page"
    read_back = browser.find_element(By.CSS_SELECTOR, ".readback").text
    assert spoken(slot_title.split(" à ")[1]) in read_back
    screenshot(browser, "82-relecture")
    keys_to_read_back = work.keys + work.clicks

    # The booking ticked « Prise de rendez-vous » and offers « Traité pendant l'appel »: Alt+C closes the call at once.
    assert browser.find_element(By.CSS_SELECTOR, "input[name='motifs[]'][value=appointment]").is_selected()
    assert browser.find_element(By.CSS_SELECTOR, "input[name=issue][value=handled]").is_selected()
    work.shortcut("c")
    wait_for_text(browser, "Ajouter une correction")
    work.timing("appel clôturé")

    measures = {"keystrokes": work.keys, "clicks": work.clicks, "to_read_back": keys_to_read_back, "pages": work.pages}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "mesures.txt").write_text(json.dumps(measures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("Parcours (a) :", json.dumps(measures, ensure_ascii=False))
    assert keys_to_read_back <= 8 and work.keys + work.clicks <= 9

    # The call carries the booking, and the journal lists the call with its patient.
    assert browser.find_elements(By.LINK_TEXT, "Rendez-vous")
    assert "Prise de rendez-vous" in browser.page_source
    browser.find_element(By.LINK_TEXT, "Appels").click()
    wait_for_text(browser, "Journal des appels")
    assert name in browser.find_element(By.CSS_SELECTOR, "table.grid").text


def test_an_unknown_caller_gets_a_new_record_after_the_duplicate_check_then_a_booking(server, browser):
    console(browser, server)
    existing = existing_patient(browser, server)
    browser.find_element(By.LINK_TEXT, "Cabinets").click()
    wait_live(browser)
    ring(server, "06 47 21 93 58")
    pop = first_pop_from(browser, "06 47 21 93 58")
    assert "Numéro inconnu du cabinet" in pop.text
    ActionChains(browser).send_keys(Keys.F2).perform()
    wait_for_text(browser, "Appel en cours")
    assert "Non identifié" in browser.page_source

    # Search as she types: nobody.
    search = browser.find_element(By.NAME, "q")
    search.send_keys("Quéméner")
    WebDriverWait(browser, 10).until(lambda d: "Aucun patient ne correspond" in d.find_element(By.CSS_SELECTOR, "[data-results]").text)
    screenshot(browser, "83-inconnu-recherche")
    browser.find_element(By.LINK_TEXT, "Créer le dossier").click()
    wait_for_text(browser, "Identitovigilance")
    assert "06 47 21 93 58" == browser.find_element(By.NAME, "telephone1").get_attribute("value")
    # A record like an existing one (the caller's twin, it turns out): the duplicate check shows that one first.
    for field, value in (("nomNaissance", existing["name"]), ("prenoms", existing["first"]), ("naissance", existing["born"])):
        browser.find_element(By.NAME, field).clear()
        browser.find_element(By.NAME, field).send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "input[name=sexe][value=F]").click()
    browser.find_element(By.XPATH, "//button[text()='Créer le dossier']").click()
    wait_for_text(browser, "Doublon probable")
    screenshot(browser, "84-inconnu-doublon")
    # Checked with the caller: someone else (a twin). Created, and back to the call.
    browser.find_element(By.CSS_SELECTOR, "input[name='pasDoublon[]']").click()
    browser.find_element(By.NAME, "prenoms").clear()
    browser.find_element(By.NAME, "prenoms").send_keys(existing["first"] + "-Anne")
    browser.find_element(By.XPATH, "//button[text()='Créer le dossier']").click()
    wait_for_text(browser, "Appel en cours")
    # The caller's number now names the new record.
    match = browser.find_element(By.XPATH, "//ul[@class='matches']//button[contains(., '-Anne')]")
    match.click()
    wait_for_text(browser, "Ce n'est pas ce patient")
    browser.find_element(By.NAME, "motif").send_keys("cons")
    browser.find_element(By.NAME, "motif").send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".finder-slots button.slot"))[0].click()
    wait_for_text(browser, "Créneau retenu pour vous jusqu'à")
    browser.find_element(By.XPATH, "//button[contains(., 'Confirmer le rendez-vous')]").click()
    wait_for_text(browser, "À relire au patient")
    assert "-Anne" in browser.page_source
    screenshot(browser, "85-inconnu-relecture")


def existing_patient(browser, server):
    """A woman of the demo practice: name, first name, birth date, from her record."""
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    name = a_patient_name(browser)
    browser.find_element(By.LINK_TEXT, name).click()
    wait_for_text(browser, "Historique des échanges")
    born = browser.find_element(By.XPATH, "//dt[text()='Né(e) le']/following-sibling::dd").text.split(" ")[0]
    birth_name, first = name.split(" ", 1)
    return {"name": birth_name, "first": first.split(" ")[0], "born": born}


def test_an_urgent_call_triaged_to_level_one_shows_the_15_and_is_recorded_on_the_call(server, browser):
    console(browser, server)
    browser.find_element(By.LINK_TEXT, "Cabinet du Dr Lambert, pédiatre").click()
    wait_for_text(browser, "Accueil à dire")
    browser.find_element(By.XPATH, "//button[contains(., 'Nouvel appel')]").click()
    wait_for_text(browser, "Appel en cours")
    ActionChains(browser).key_down(Keys.ALT).send_keys("u").key_up(Keys.ALT).perform()
    from test_triage import answer, caller, give_subject
    give_subject(browser, age="2")
    answer(browser, "o")  # a new health problem
    wait_for_text(browser, "Signe d'alerte du centre")
    answer(browser, "nno")  # the third red flag of a child: a seizure
    wait_for_text(browser, "Niveau 1 — Urgence vitale")
    assert "Appeler le 15 (SAMU) maintenant" in browser.page_source
    screenshot(browser, "86-urgence-niveau-1")
    caller(browser)
    browser.find_element(By.XPATH, "//button[contains(., 'Enregistrer')]").click()
    wait_for_text(browser, "Questions posées")
    assert "Appel du 15 conseillé" in browser.page_source
    browser.find_element(By.PARTIAL_LINK_TEXT, "appel").click()
    wait_for_text(browser, "Ce que l'appel a produit")
    assert browser.find_elements(By.LINK_TEXT, "Évaluation de l'urgence")
    screenshot(browser, "87-urgence-sur-appel")


def test_an_appointment_is_moved_from_the_days_grid_to_an_alternative(server, browser):
    console(browser, server)
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    wait_for_text(browser, "Accueil à dire")
    browser.find_element(By.XPATH, "//button[contains(., 'Nouvel appel')]").click()
    wait_for_text(browser, "Appel en cours")
    # A day with appointments: step forward until the grid shows one.
    for _ in range(10):
        if browser.find_elements(By.CSS_SELECTOR, "#jour-grille a.block.appointment"):
            break
        browser.find_element(By.LINK_TEXT, "Lendemain →").click()
        wait_for_text(browser, "Appel en cours")
    block = browser.find_element(By.CSS_SELECTOR, "#jour-grille a.block.appointment")
    screenshot(browser, "88-grille-du-jour")
    block.click()
    wait_for_text(browser, "Créneaux proches, les meilleurs d'abord")
    was = browser.find_element(By.TAG_NAME, "h1").text
    alternative = browser.find_elements(By.CSS_SELECTOR, "#deplacer ~ ol.slots button.slot, ol.slots button.slot")[0]
    target = alternative.text.replace("Déplacer au ", "")
    alternative.click()
    wait_for_text(browser, "À relire au patient")
    assert browser.find_element(By.TAG_NAME, "h1").text != was
    assert spoken(target.split(" à ")[-1]) in browser.find_element(By.CSS_SELECTOR, ".readback").text
    # Back to the call from which the move was made.
    assert browser.find_elements(By.LINK_TEXT, "Revenir à l'appel")
    screenshot(browser, "89-deplace")


def test_a_secretary_cannot_open_a_patient_of_a_practice_she_does_not_answer_for(server, browser):
    # A patient of the physiotherapy practice, seen by the demo secretary (who answers for all).
    console(browser, server)
    browser.find_element(By.LINK_TEXT, "Cabinet de kinésithérapie Roux").click()
    name = a_patient_name(browser)
    browser.find_element(By.LINK_TEXT, name).click()
    wait_for_text(browser, "Historique des échanges")
    record = browser.current_url
    browser.find_element(By.XPATH, "//button[contains(., 'Se déconnecter')]").click()
    # The administrator creates a secretary for the general practice only.
    sign_in(browser, server, "admin@permanence.test")
    wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, "Utilisateurs").click()
    browser.find_element(By.ID, "displayName").send_keys("Lou Marchand")
    browser.find_element(By.ID, "email").send_keys("lou.marchand@permanence.test")
    browser.find_element(By.XPATH, "//label[contains(., 'Tilleuls')]/input[@name='practices[]']").click()
    browser.find_element(By.ID, "password").send_keys("un mot de passe sûr")
    browser.find_element(By.XPATH, "//button[text()='Créer le compte']").click()
    wait_for_text(browser, "Compte créé")
    browser.find_element(By.XPATH, "//button[contains(., 'Se déconnecter')]").click()
    sign_in(browser, server, "lou.marchand@permanence.test", "un mot de passe sûr")
    wait_for_text(browser, "Bonjour")
    assert "Cabinet de kinésithérapie Roux" not in browser.page_source
    browser.get(record)
    wait_for_text(browser, "introuvable")
    assert name not in browser.page_source
    screenshot(browser, "90-autre-cabinet-refuse")


def test_the_practitioner_portal_shows_her_day_her_transmissions_and_takes_an_absence(server, browser):
    browser.delete_all_cookies()
    sign_in(browser, server, "dr.martin@permanence.test")
    wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, "Mon portail").click()
    wait_for_text(browser, "Transmissions à traiter")
    heads = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#jour-grille .day-head strong")]
    assert heads == ["Dr Claire Martin"]
    WebDriverWait(browser, 10).until(lambda d: "Chargement" not in d.find_element(By.ID, "messagerie").text)
    screenshot(browser, "91-portail")
    day = browser.execute_script("const d = new Date(); d.setDate(d.getDate() + 40); return d.toISOString().slice(0, 10);")
    browser.find_element(By.NAME, "motif").send_keys("Formation continue")
    for field in ("debut_date", "fin_date"):
        browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.NAME, field), day)
    browser.find_element(By.XPATH, "//button[contains(., \"Déclarer l'absence\")]").click()
    wait_for_text(browser, "Absence enregistrée.")
    assert "Formation continue" in browser.find_element(By.ID, "absences").find_element(By.XPATH, "..").text
    screenshot(browser, "92-portail-absence")
    # Her week, where the secretaries see it too.
    browser.find_element(By.LINK_TEXT, "Ma semaine et mes horaires").click()
    wait_for_text(browser, "Formation continue")
