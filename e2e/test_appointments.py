"""Journeys of issue 4: a secretary finds a patient, holds a slot, confirms it and reads the summary back; moves it
to an alternative; puts another patient on the waiting list, cancels, and sees the callback; books a series."""
import datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import screenshot
from test_sign_in import sign_in, wait_for_text

PRACTICE = "Cabinet médical des Tilleuls"


def open_practice(browser, server, email="secretaire@permanence.test"):
    sign_in(browser, server, email)
    wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    wait_for_text(browser, "Accueil à dire")


def open_patient(browser, letters, index=0):
    """The practice's patient list, searched; opens the index-th match and returns its name."""
    browser.find_element(By.LINK_TEXT, "Patients").click()
    search = browser.find_element(By.NAME, "q")
    search.send_keys(letters)
    search.submit()
    wait_for_text(browser, "Né(e) le")
    link = browser.find_elements(By.CSS_SELECTOR, "table.grid tbody td a")[index]
    name = link.text
    link.click()
    wait_for_text(browser, "Rendez-vous à venir")
    return name


def test_secretary_books_moves_cancels_and_the_waiting_list_calls_back(server, browser):
    open_practice(browser, server)
    # A patient who wants an earlier slot goes on the waiting list, for any practitioner.
    waiting = open_patient(browser, "ma", index=1)
    browser.find_element(By.XPATH, "//summary[contains(., 'liste d')]").click()
    Select(browser.find_element(By.CSS_SELECTOR, "form[action$='liste-attente'] select[name=motif]")).select_by_index(0)
    motif = Select(browser.find_element(By.CSS_SELECTOR, "form[action$='liste-attente'] select[name=motif]")).first_selected_option.text
    browser.find_element(By.XPATH, "//button[text()='Inscrire']").click()
    wait_for_text(browser, "Inscrit en liste d'attente")

    # Another caller: found by name, then a slot of the same motif.
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    patient = open_patient(browser, "ma", index=0)
    browser.find_element(By.LINK_TEXT, "Prendre un rendez-vous").click()
    wait_for_text(browser, "2. Créneau")
    assert patient in browser.find_element(By.CSS_SELECTOR, ".chosen").text
    Select(browser.find_element(By.NAME, "motif")).select_by_visible_text(motif)
    browser.find_element(By.XPATH, "//button[text()='Chercher les créneaux libres']").click()
    wait_for_text(browser, "le retient 5 minutes")
    screenshot(browser, "09-rdv-creneaux-libres")
    slots = browser.find_elements(By.CSS_SELECTOR, "button.slot")
    assert len(slots) >= 3
    chosen = slots[0].find_element(By.TAG_NAME, "strong").text
    slots[0].click()

    # Held: colleagues see it taken until it is confirmed.
    wait_for_text(browser, "Créneau retenu pour vous jusqu'à")
    day, hour = chosen.rsplit(" à ", 1)
    assert f"{day} de {hour}" in browser.find_element(By.CSS_SELECTOR, ".sheet").text
    browser.find_element(By.NAME, "notes").send_keys("Préfère être rappelée sur le portable.")
    screenshot(browser, "10-rdv-creneau-retenu")
    browser.find_element(By.XPATH, "//button[contains(., 'Confirmer le rendez-vous')]").click()
    wait_for_text(browser, "À relire au patient")
    read_back = browser.find_element(By.CSS_SELECTOR, ".readback").text
    assert "Je récapitule" in read_back
    assert "réservé" in browser.find_element(By.CSS_SELECTOR, ".status").text.lower()
    screenshot(browser, "11-rdv-recapitulatif")

    # Move to the first alternative: same identity, the summary of the move, the history grows.
    first_url = browser.current_url.split("?")[0]
    alternatives = browser.find_elements(By.CSS_SELECTOR, "#deplacer ~ ol button.slot, section[aria-labelledby=deplacer] button.slot")
    assert len(alternatives) >= 3
    alternatives[0].click()
    WebDriverWait(browser, 10).until(lambda driver: "fait=deplace" in driver.current_url)
    assert browser.current_url.split("?")[0] == first_url
    assert "déplac" in browser.find_element(By.CSS_SELECTOR, ".readback").text
    history = browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=historique] tbody tr")
    assert len(history) >= 2
    screenshot(browser, "12-rdv-deplace")

    # Cancelled at the patient's request: the time frees and the waiting patient becomes a callback.
    browser.find_element(By.CSS_SELECTOR, "form[action$='annuler'] input[name=raison]").send_keys("Empêchement professionnel")
    browser.find_element(By.XPATH, "//button[text()='Annuler le rendez-vous']").click()
    WebDriverWait(browser, 10).until(lambda driver: "fait=annule" in driver.current_url)
    assert "annulé" in browser.find_element(By.CSS_SELECTOR, ".status").text.lower()
    assert "Empêchement professionnel" in browser.find_element(By.CSS_SELECTOR, ".sheet").text
    assert "annul" in browser.find_element(By.CSS_SELECTOR, ".readback").text
    screenshot(browser, "13-rdv-annule")
    history = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=historique]")
    browser.execute_script("arguments[0].scrollIntoView()", history)
    assert "Statut : réservé → annulé" in history.text
    assert "Motif d'annulation : — → Empêchement professionnel" in history.text
    screenshot(browser, "13b-rdv-historique")
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    browser.find_element(By.LINK_TEXT, "Liste d'attente").click()
    wait_for_text(browser, "À rappeler")
    callbacks = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=rappels]").text
    assert waiting in callbacks
    assert "Créneau libéré" in callbacks
    screenshot(browser, "14-liste-attente-rappel")


def test_a_taken_slot_is_refused_and_a_series_reports_what_it_could_not_book(server, browser):
    open_practice(browser, server)
    open_patient(browser, "be")
    browser.find_element(By.XPATH, "//summary[contains(., 'série')]").click()
    monday = datetime.date.today() + datetime.timedelta(days=7 - datetime.date.today().weekday() + 7)
    form = browser.find_element(By.CSS_SELECTOR, "form[action$='serie']")
    date = form.find_element(By.NAME, "date")
    browser.execute_script("arguments[0].value = arguments[1]", date, monday.isoformat())
    form.find_element(By.NAME, "heure").send_keys("10:00")
    count = form.find_element(By.NAME, "nombre")
    count.clear()
    count.send_keys("6")
    form.find_element(By.XPATH, ".//button[text()='Réserver la série']").click()
    wait_for_text(browser, "Série demandée")
    result = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=serie-resultat]").text
    assert "Je récapitule" in result or "Séances non réservées" in result
    screenshot(browser, "15-rdv-serie")
    booked = browser.find_elements(By.CSS_SELECTOR, "table.grid tbody tr")
    assert booked, "the series' appointments are listed among the upcoming ones"

    # The same place again, with a dérogation: an overlap is refused even then, with what is in the way.
    browser.find_element(By.LINK_TEXT, "Prendre un rendez-vous").click()
    browser.find_element(By.XPATH, "//summary[contains(., 'dérogation')]").click()
    form = browser.find_element(By.CSS_SELECTOR, "form[action$='derogation']")
    browser.execute_script("arguments[0].value = arguments[1]", form.find_element(By.NAME, "date"), monday.isoformat())
    form.find_element(By.NAME, "heure").send_keys("10:00")
    form.find_element(By.NAME, "raison").send_keys("Demande du médecin")
    form.find_element(By.XPATH, ".//button[text()='Réserver avec dérogation']").click()
    wait_for_text(browser, "Rendez-vous refusé")
    assert "déjà pris" in browser.find_element(By.CSS_SELECTOR, ".alert").text
    screenshot(browser, "16-rdv-chevauchement-refuse")


def test_the_patient_search_answers_as_the_secretary_types(server, browser):
    open_practice(browser, server)
    browser.find_element(By.LINK_TEXT, "Patients").click()
    search = browser.find_element(By.NAME, "q")
    search.send_keys("lemaire 1966")
    # No Enter: the results come while typing.
    WebDriverWait(browser, 10).until(lambda driver: driver.find_elements(By.CSS_SELECTOR, "[data-results] tbody tr"))
    rows = browser.find_elements(By.CSS_SELECTOR, "[data-results] tbody tr")
    assert all("1966" in row.text for row in rows)
    assert any("LEMAIRE" in row.text for row in rows)
    assert "q=lemaire" in browser.current_url
    screenshot(browser, "17-patients-recherche")
