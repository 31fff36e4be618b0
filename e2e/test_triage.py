"""Journeys of issue 7: a secretary triages urgent calls with the practice's protocol, one question at a time with the
keyboard, reaching each level with its orientation and script; the triage is recorded with what was asked."""
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import api, api_token, screenshot
from test_sign_in import sign_in, wait_for_text

# The red flags asked of a two-year-old (a child's wording) and of a 40-year-old (an adult's): ten each.
RED_FLAGS = 10


def give_subject(browser, who="proche", age="2", unit="ans"):
    """The first screen outside a record: for whom, and how old; then the first question, whether the call is about a
    new or worsening health problem, answered « Oui »."""
    wait_for_text(browser, "Pour qui ?")
    browser.find_element(By.CSS_SELECTOR, "input[name=qui][value=%s]" % who).click()
    browser.find_element(By.NAME, "age").send_keys(age)
    Select(browser.find_element(By.NAME, "unite")).select_by_value(unit)
    browser.find_element(By.XPATH, "//button[contains(., 'Commencer les questions')]").click()
    wait_for_text(browser, "Question 1 ")


def start_triage(browser, server, practice, age="2", symptom=True):
    browser.get(server + "/")
    if "/connexion" in browser.current_url:
        sign_in(browser, server, "secretaire@permanence.test")
        wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, practice).click()
    wait_for_text(browser, "Accueil à dire")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Évaluer l'urgence").click()
    give_subject(browser, age=age)
    if symptom:
        answer(browser, "o")


def answer_no_until_done(browser):
    while browser.find_elements(By.CSS_SELECTOR, "p.question"):
        answer(browser, "n")


def caller(browser, name="Mme Petit", number="06 12 34 56 78"):
    """Without a patient record, whom to call back is asked before recording."""
    field = browser.find_element(By.NAME, "appelant")
    field.clear()
    field.send_keys(name)
    rappel = browser.find_element(By.NAME, "rappel")
    if not rappel.get_attribute("value"):
        rappel.send_keys(number)


def answer(browser, keys):
    """Presses each key ("o" oui, "n" non, "s" ne sait pas) on the question shown, waiting for the next page each time."""
    for key in keys:
        before = browser.find_element(By.CSS_SELECTOR, "p.muted").text if browser.find_elements(By.CSS_SELECTOR, "p.question") else None
        browser.find_element(By.TAG_NAME, "body").send_keys(key)
        WebDriverWait(browser, 10).until(
            lambda driver: not driver.find_elements(By.CSS_SELECTOR, "p.question")
            or driver.find_element(By.CSS_SELECTOR, "p.muted").text != before)


def result_level(browser):
    return browser.find_element(By.CSS_SELECTOR, ".triage-main .level-badge").text


def test_a_red_flag_gives_level_one_and_the_15_whatever_follows(server, browser):
    start_triage(browser, server, "Cabinet du Dr Lambert, pédiatre")
    assert "Signe d'alerte du centre" in browser.page_source
    screenshot(browser, "40-triage-question")
    assert "mâchoire" not in browser.page_source  # a child's wording, never the adult chest pain
    answer(browser, "nn" + "o")  # the third red flag of a child: a seizure
    assert result_level(browser) == "Niveau 1 — Urgence vitale"
    assert "Appeler le 15 (SAMU) maintenant" in browser.page_source
    assert "appelez le 15 tout de suite" in browser.find_element(By.CSS_SELECTOR, "blockquote.script").text
    assert "Pendant que l'appelant compose le 15" in browser.page_source
    assert Select(browser.find_element(By.NAME, "action")).first_selected_option.text == "Appel du 15 conseillé à l'appelant"
    screenshot(browser, "41-triage-niveau-1")
    caller(browser)
    browser.find_element(By.XPATH, "//button[contains(., 'Enregistrer')]").click()
    wait_for_text(browser, "Questions posées")
    assert "Niveau 1 — Urgence vitale" in browser.page_source
    assert "Appel du 15 conseillé" in browser.page_source
    screenshot(browser, "42-triage-enregistre")


def test_the_paediatric_criteria_give_level_two_and_a_lowered_level_needs_a_reason(server, browser):
    start_triage(browser, server, "Cabinet du Dr Lambert, pédiatre")
    answer(browser, "n" * RED_FLAGS + "n")  # the red flags, then the ingestion question
    wait_for_text(browser, "L'enfant a-t-il de la fièvre")
    assert "Signe d'alerte du centre" not in browser.page_source
    answer(browser, "o")  # fever: its follow-ups come next, for a two-year-old
    wait_for_text(browser, "nuque raide")
    answer(browser, "n" + "o")  # drinks much less than usual
    assert "Niveau 2 — Avis médical immédiat" in browser.find_element(By.CSS_SELECTOR, ".triage-side").text
    assert "moins d'un an" not in browser.page_source  # the record's age is known: never asked
    answer_no_until_done(browser)
    assert result_level(browser) == "Niveau 2 — Avis médical immédiat"
    assert "Je vous passe le Dr Lambert maintenant" in browser.find_element(By.CSS_SELECTOR, "blockquote.script").text
    screenshot(browser, "43-triage-niveau-2")
    # Lowering without a reason is refused, with the reason why; nothing is recorded.
    Select(browser.find_element(By.NAME, "niveau")).select_by_visible_text("Niveau 4 — Consultation sous 48 h")
    caller(browser)
    browser.find_element(By.XPATH, "//button[contains(., 'Enregistrer')]").click()
    wait_for_text(browser, "abaisser le niveau demande une raison écrite")
    screenshot(browser, "44-triage-raison-obligatoire")
    browser.find_element(By.NAME, "raison").send_keys("Vu ce matin par le Dr Lambert, qui a demandé un contrôle sous 48 h")
    browser.find_element(By.XPATH, "//button[contains(., 'Enregistrer')]").click()
    wait_for_text(browser, "Questions posées")
    assert "Niveau calculé : Niveau 2 — Avis médical immédiat" in browser.page_source
    assert "Vu ce matin par le Dr Lambert" in browser.page_source


def test_the_general_practice_protocol_reaches_levels_three_four_and_five(server, browser):
    # A 40-year-old: the red flags, the ingestion question, then the practice's criteria (breathing-worse, fever…).
    for keys, level, orientation, symptom in [
        ("n" * RED_FLAGS + "n" + "n" + "o" + "nn" + "o", "Niveau 3 — Consultation dans la journée", "Créneau d'urgence aujourd'hui", True),
        ("n" * RED_FLAGS + "n", "Niveau 4 — Consultation sous 48 h", "Rendez-vous sous 48 heures", True),
        ("n", "Niveau 5 — Rendez-vous programmé", "Rendez-vous habituel", False),
    ]:
        start_triage(browser, server, "Cabinet médical des Tilleuls", age="40", symptom=symptom)
        answer(browser, keys)
        answer_no_until_done(browser)
        assert result_level(browser) == level
        assert orientation in browser.page_source
        screenshot(browser, "45-triage-" + level.split(" ")[1])


def test_the_practice_sheet_shows_the_playbook_and_is_searched_while_the_caller_talks(server, browser):
    browser.get(server + "/")
    if "/connexion" in browser.current_url:
        sign_in(browser, server, "secretaire@permanence.test")
        wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, "Cabinet du Dr Lambert, pédiatre").click()
    wait_for_text(browser, "Consignes du cabinet")
    assert "Ne fait pas : Pas de visites à domicile" in browser.page_source
    assert "116 117" in browser.find_element(By.CSS_SELECTOR, ".coverage").text
    browser.find_element(By.CSS_SELECTOR, "[data-filter]").send_keys("posologie")
    faq = browser.find_element(By.XPATH, "//dt[contains(., 'paracétamol')]")
    assert faq.is_displayed()
    assert not browser.find_element(By.XPATH, "//dd[contains(., 'Vincennes')]").is_displayed()
    screenshot(browser, "46-fiche-recherche")


def test_a_child_with_fever_outside_a_call_is_triaged_by_age_transmitted_in_one_key_and_the_ladder_asks_to_phone(server, browser):
    """Issue 17's journey: outside a call, for a two-year-old; the transmission carries the level and the answers; the
    ladder's "call the practitioner" task shows the number to dial."""
    supervisor = api_token(server, "superviseur@permanence.test")
    practice = next(p for p in api(server, "GET", "/api/v1/practices", supervisor)["practices"] if p["slug"] == "cabinet-lambert-pediatrie")
    # The practice wants to be phoned at once for an urgent matter (the demo waits 15 minutes).
    api(server, "PUT", f"/api/v1/practices/{practice['id']}/escalation-policy", supervisor,
        {"noticeAfterMinutes": 0, "callAfterMinutes": 0, "backupAfterMinutes": 0})

    start_triage(browser, server, practice["name"], age="2")
    answer(browser, "n" * RED_FLAGS + "n")  # no red flag of a child, no ingestion
    wait_for_text(browser, "L'enfant a-t-il de la fièvre")
    answer(browser, "o" + "n" + "o")  # fever; no stiff neck; drinks much less than usual
    answer_no_until_done(browser)
    assert result_level(browser) == "Niveau 2 — Avis médical immédiat"
    caller(browser, name="Mme Petit, sa mère", number="06 12 34 56 78")
    browser.find_element(By.XPATH, "//button[contains(., 'Enregistrer')]").click()
    wait_for_text(browser, "Questions posées")
    assert "Mme Petit, sa mère" in browser.page_source and "06 12 34 56 78" in browser.page_source
    screenshot(browser, "47-triage-enfant-enregistre")

    # "Transmettre" (key T) opens the transmission filled in; Enter sends it.
    browser.find_element(By.TAG_NAME, "body").send_keys("t")
    wait_for_text(browser, "Envoyer la transmission")
    assert browser.find_element(By.CSS_SELECTOR, "input[name=priorite][value=urgent]").is_selected()
    message = browser.find_element(By.NAME, "message").get_attribute("value")
    assert "Niveau 2" in message and "fièvre" in message and "Boit-il beaucoup moins que d'habitude, ou refuse-t-il le biberon ou le sein ? Oui." in message
    assert "nuque" not in message  # only what was answered « oui » or « ne sait pas »
    assert "06 12 34 56 78" in browser.page_source
    screenshot(browser, "48-transmission-preremplie")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for_text(browser, "À lire à l'appelant")
    assert "Niveau 2" in browser.page_source
    screenshot(browser, "49-transmission-envoyee")

    # Within a few ticks of the ladder, the queue asks a secretary to phone Dr Lambert, with her mobile.
    browser.get(server + "/file")
    deadline = time.time() + 30
    while "Appeler le praticien" not in browser.page_source and time.time() < deadline:
        time.sleep(1)
        browser.refresh()
    item = browser.find_element(By.XPATH, "//tr[@data-item][contains(., 'Appeler le praticien')]")
    assert "Joindre Dr Sophie Lambert : 06 39 98 00 30 (portable)" in item.text
    assert item.find_element(By.CSS_SELECTOR, "td.phone").text == "06 39 98 00 30"
    assert "Rappeler ensuite l'appelant au 06 12 34 56 78" in item.text
    screenshot(browser, "50-file-appeler-le-praticien")
