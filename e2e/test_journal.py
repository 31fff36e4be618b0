"""Journeys of issue 6: a secretary logs a call, sends an urgent transmission with its read-back, the demo practitioner
acknowledges and answers it in the portal, and the answer to relay appears in the secretary's queue without a reload."""
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import api, api_token, screenshot
from test_sign_in import sign_in, wait_for_text

PRACTICE = "Cabinet médical des Tilleuls"


def second_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768", "--lang=fr-FR"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    return driver


def a_patient_name(browser):
    """The first patient of the practice's list, as the search finds them (birth name, first name)."""
    browser.find_element(By.LINK_TEXT, "Patients").click()
    wait_for_text(browser, "Patients")
    browser.find_element(By.NAME, "q").send_keys("a")
    browser.find_element(By.NAME, "q").submit()
    link = WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.grid tbody tr td a"))[0]
    return link.text


def test_a_call_an_urgent_transmission_acknowledged_and_the_answer_live_in_the_queue(server, browser):
    sign_in(browser, server, "secretaire@permanence.test")
    wait_for_text(browser, "Bonjour")
    # The handover note of the demo shows until read.
    assert "Consignes de relève à lire" in browser.page_source
    screenshot(browser, "50-releve-a-lire")
    browser.find_element(By.XPATH, "//button[contains(., \"J'ai lu\")]").click()
    WebDriverWait(browser, 10).until(lambda d: "Consignes de relève à lire" not in d.page_source)
    assert "Vos cabinets" in browser.page_source

    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    wait_for_text(browser, "Accueil à dire")
    name = a_patient_name(browser)
    birth_name = name.split(" ")[0]
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    wait_for_text(browser, "Accueil à dire")

    # Ring: the secretary opens the call with the caller's number.
    browser.find_element(By.NAME, "numero").send_keys("06 99 88 77 66")
    browser.find_element(By.XPATH, "//button[contains(., 'Nouvel appel')]").click()
    wait_for_text(browser, "Appel en cours")
    assert "Non identifié" in browser.page_source
    browser.find_element(By.NAME, "q").send_keys(birth_name)
    browser.find_element(By.XPATH, "//button[@form='recherche']").click()
    wait_for_text(browser, "né(e) le")
    browser.find_element(By.CSS_SELECTOR, "ul.matches button.slot").click()
    wait_for_text(browser, "Ce n'est pas ce patient")
    chosen = browser.find_element(By.CSS_SELECTOR, ".chosen strong").text
    browser.find_element(By.XPATH, "//input[@value='results']").click()
    browser.find_element(By.NAME, "notes").send_keys("Demande les résultats de sa prise de sang ; inquiète.")
    browser.find_element(By.XPATH, "//button[@value='enregistrer']").click()
    wait_for_text(browser, "Appel enregistré.")
    screenshot(browser, "51-appel-en-cours")

    # The urgent transmission, with its read-back.
    browser.find_element(By.PARTIAL_LINK_TEXT, "Transmettre au praticien").click()
    wait_for_text(browser, "Numéro de rappel")
    assert chosen in browser.page_source
    Select(browser.find_element(By.NAME, "praticien")).select_by_visible_text("Dr Claire Martin")
    browser.find_element(By.XPATH, "//input[@name='priorite' and @value='urgent']").click()
    browser.find_element(By.NAME, "objet").send_keys("Résultats de prise de sang à commenter")
    browser.find_element(By.NAME, "message").send_keys("La patiente a reçu ses résultats et souhaite un avis aujourd'hui.")
    screenshot(browser, "52-transmission-redaction")
    browser.find_element(By.XPATH, "//button[contains(., 'Envoyer la transmission')]").click()
    wait_for_text(browser, "À lire à l'appelant")
    read_back = browser.find_element(By.CSS_SELECTOR, ".readback p").text
    assert read_back.startswith("« Je transmets au Dr Martin votre demande : Résultats de prise de sang à commenter.")
    assert "dans les plus brefs délais" in read_back
    assert "Nouvelle" in browser.page_source
    screenshot(browser, "53-transmission-relecture")

    # Close the call; the journal keeps it frozen, with the transmission linked.
    browser.find_element(By.LINK_TEXT, "Revenir à l'appel").click()
    wait_for_text(browser, "Appel en cours")
    browser.find_element(By.XPATH, "//input[@name='issue' and @value='transmitted']").click()
    browser.find_element(By.XPATH, "//button[@value='cloturer']").click()
    wait_for_text(browser, "Ajouter une correction")
    assert "Transmis au praticien" in browser.page_source
    assert browser.find_elements(By.LINK_TEXT, "Transmission")
    screenshot(browser, "54-appel-cloture")

    # The secretary's queue shows the urgent transmission waiting for the practitioner.
    browser.find_element(By.LINK_TEXT, "File de travail").click()
    wait_for_text(browser, "Transmission urgente non prise en compte")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live") == "connected")
    screenshot(browser, "55-file-transmission-urgente")

    doctor = second_browser()
    try:
        sign_in(doctor, server, "dr.martin@permanence.test")
        wait_for_text(doctor, "Bonjour")
        doctor.find_element(By.LINK_TEXT, "Messagerie").click()
        wait_for_text(doctor, "Résultats de prise de sang à commenter")
        screenshot(doctor, "56-messagerie-praticien")
        doctor.find_element(By.PARTIAL_LINK_TEXT, "Résultats de prise de sang").click()
        wait_for_text(doctor, "Accuser réception")
        doctor.find_element(By.XPATH, "//button[contains(., 'Accuser réception')]").click()
        wait_for_text(doctor, "Prise en compte")
        doctor.find_element(By.NAME, "reponse").send_keys("Rappeler la patiente pour lui dire que ses résultats sont normaux.")
        screenshot(doctor, "57-praticien-reponse")
        doctor.find_element(By.XPATH, "//button[contains(., 'Répondre et terminer')]").click()
        wait_for_text(doctor, "Traitées récemment")
    finally:
        doctor.quit()

    # Without any reload, the queue now shows the answer to relay and no longer the waiting transmission.
    WebDriverWait(browser, 10).until(lambda d: "Réponse à transmettre au patient" in d.page_source)
    # (Other journeys' urgent transmissions may still wait in the queue: this one is no longer among them.)
    waiting = [item.text for item in browser.find_elements(By.CSS_SELECTOR, "#file li") if "non prise en compte" in item.text]
    assert not any("Résultats de prise de sang à commenter" in text for text in waiting)
    assert "ses résultats sont normaux" in browser.page_source
    assert int(browser.find_element(By.ID, "file").get_attribute("data-refreshed")) >= 1
    screenshot(browser, "58-file-reponse-a-transmettre")

    # She takes it, then marks it done.
    browser.find_element(By.XPATH, "//button[contains(., \"Je m'en occupe\")]").click()
    wait_for_text(browser, "Libérer")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Réponse à transmettre au patient").click()
    wait_for_text(browser, "Ce qui a été fait")
    browser.find_element(By.NAME, "issue").send_keys("Patiente prévenue : résultats normaux.")
    browser.find_element(By.XPATH, "//button[@value='oui']").click()
    wait_for_text(browser, "File de travail")
    # Other journeys of the run may have left items of their own; this one is gone.
    WebDriverWait(browser, 10).until(lambda d: "ses résultats sont normaux" not in d.page_source)
    screenshot(browser, "59-file-vide")


def test_a_triage_run_during_a_call_is_found_in_its_journal_with_the_urgent_transmission(server, browser):
    from test_triage import RED_FLAGS, answer, answer_no_until_done, caller, give_subject, result_level
    browser.get(server + "/")
    if "/connexion" in browser.current_url:
        sign_in(browser, server, "secretaire@permanence.test")
        wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, "Cabinet du Dr Lambert, pédiatre").click()
    wait_for_text(browser, "Accueil à dire")
    browser.find_element(By.NAME, "numero").send_keys("07 61 52 43 34")
    browser.find_element(By.XPATH, "//button[contains(., 'Nouvel appel')]").click()
    wait_for_text(browser, "Appel en cours")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Évaluer l'urgence").click()
    give_subject(browser, age="2")
    answer(browser, "o")  # a new health problem
    answer(browser, "n" + "s")  # the second red flag in doubt: level 2, the practitioner now
    # The other red flags, the ingestion question, the paediatrician's own criteria: « Non » until the result shows.
    answer_no_until_done(browser)
    assert result_level(browser) == "Niveau 2 — Avis médical immédiat"
    assert "une transmission part dès l'enregistrement" in browser.page_source
    Select(browser.find_element(By.NAME, "action")).select_by_visible_text("Conseil donné à l'appelant")
    caller(browser, name="M. Garnier")
    browser.find_element(By.XPATH, "//button[contains(., 'Enregistrer')]").click()
    wait_for_text(browser, "Transmise")
    screenshot(browser, "63-triage-transmission-auto")
    browser.find_element(By.LINK_TEXT, "Revenir à l'appel").click()
    wait_for_text(browser, "Ce que l'appel a produit")
    produced = browser.find_element(By.CSS_SELECTOR, ".call-side").text
    assert "Évaluation de l'urgence" in produced and "Transmission" in produced
    screenshot(browser, "64-appel-triage-lie")
    browser.find_element(By.LINK_TEXT, "Évaluation de l'urgence").click()
    wait_for_text(browser, "Questions posées")
    assert "Niveau 2 — Avis médical immédiat" in browser.page_source


def test_an_appointment_booked_from_the_call_is_found_in_its_journal(server, browser):
    browser.get(server + "/")
    if "/connexion" in browser.current_url:
        sign_in(browser, server, "secretaire@permanence.test")
        wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    wait_for_text(browser, "Accueil à dire")
    name = a_patient_name(browser)
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    wait_for_text(browser, "Accueil à dire")
    browser.find_element(By.XPATH, "//button[contains(., 'Nouvel appel')]").click()
    wait_for_text(browser, "Appel en cours")
    browser.find_element(By.NAME, "q").send_keys(name.split(" ")[0])
    browser.find_element(By.XPATH, "//button[@form='recherche']").click()
    wait_for_text(browser, "né(e) le")
    browser.find_element(By.CSS_SELECTOR, "ul.matches button.slot").click()
    wait_for_text(browser, "Ce n'est pas ce patient")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Prendre un rendez-vous").click()
    wait_for_text(browser, "2. Créneau")
    Select(browser.find_element(By.NAME, "motif")).select_by_index(1)
    browser.find_element(By.XPATH, "//button[text()='Chercher les créneaux libres']").click()
    wait_for_text(browser, "le retient 5 minutes")
    browser.find_elements(By.CSS_SELECTOR, "button.slot")[0].click()
    wait_for_text(browser, "Créneau retenu pour vous jusqu'à")
    browser.find_element(By.XPATH, "//button[contains(., 'Confirmer le rendez-vous')]").click()
    wait_for_text(browser, "À relire au patient")
    browser.find_element(By.LINK_TEXT, "Revenir à l'appel").click()
    wait_for_text(browser, "Ce que l'appel a produit")
    assert browser.find_elements(By.LINK_TEXT, "Rendez-vous")
    screenshot(browser, "65-appel-rendez-vous-lie")


def test_a_colleagues_hold_shows_on_the_agenda_without_reload(server, browser):
    """Issue 8, live everywhere: a slot held through the API by a colleague appears on the week shown."""
    call = lambda method, path, token=None, body=None: api(server, method, path, token, body)
    token = api_token(server, "secretaire@permanence.test")
    practice = next(p for p in call("GET", "/api/v1/practices", token)["practices"] if p["name"] == PRACTICE)["id"]
    motif = call("GET", f"/api/v1/practices/{practice}/motifs", token)["motifs"][0]
    slot = call("GET", f"/api/v1/practices/{practice}/availability?motif={motif['id']}&limit=1", token)["slots"][0]

    browser.get(server + "/")
    if "/connexion" in browser.current_url:
        sign_in(browser, server, "secretaire@permanence.test")
        wait_for_text(browser, "Bonjour")
    week = slot["start"][:10]
    browser.get(f"{server}/cabinets/{practice}/agenda?praticien={slot['practitionerId']}&semaine={week}")
    wait_for_text(browser, "Agenda et horaires")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live") == "connected")
    grid = lambda d: d.find_element(By.ID, "semaine-grille")
    before = grid(browser).get_attribute("innerHTML")
    call("POST", f"/api/v1/practices/{practice}/holds", token,
         {"practitionerId": slot["practitionerId"], "motifId": motif["id"], "start": slot["start"]})
    # The held time now shows as taken in the week, without a reload.
    WebDriverWait(browser, 10).until(lambda d: grid(d).get_attribute("data-refreshed") and grid(d).get_attribute("innerHTML") != before)
    screenshot(browser, "66-agenda-en-direct")
