"""Journeys of issue 7: a secretary triages urgent calls with the practice's protocol, one question at a time with the
keyboard, reaching each level with its orientation and script; the triage is recorded with what was asked."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import screenshot
from test_sign_in import sign_in, wait_for_text

RED_FLAGS = 11


def start_triage(browser, server, practice):
    browser.get(server + "/")
    if "/connexion" in browser.current_url:
        sign_in(browser, server, "secretaire@permanence.test")
        wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, practice).click()
    wait_for_text(browser, "Accueil à dire")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Évaluer l'urgence").click()
    wait_for_text(browser, "Question 1 ")


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
    answer(browser, "nn" + "o")  # the third red flag: very hard to breathe
    assert result_level(browser) == "Niveau 1 — Urgence vitale"
    assert "Appeler le 15 (SAMU) maintenant" in browser.page_source
    assert "appelez le 15 tout de suite" in browser.find_element(By.CSS_SELECTOR, "blockquote.script").text
    assert Select(browser.find_element(By.NAME, "action")).first_selected_option.text == "Appel du 15 conseillé"
    screenshot(browser, "41-triage-niveau-1")
    browser.find_element(By.XPATH, "//button[contains(., 'Enregistrer')]").click()
    wait_for_text(browser, "Questions posées")
    assert "Niveau 1 — Urgence vitale" in browser.page_source
    assert "Appel du 15 conseillé" in browser.page_source
    screenshot(browser, "42-triage-enregistre")


def test_the_paediatric_criteria_give_level_two_and_a_lowered_level_needs_a_reason(server, browser):
    start_triage(browser, server, "Cabinet du Dr Lambert, pédiatre")
    answer(browser, "n" * RED_FLAGS)
    wait_for_text(browser, "L'enfant a-t-il de la fièvre")
    assert "Signe d'alerte du centre" not in browser.page_source
    answer(browser, "o")  # fever: its follow-ups come next
    wait_for_text(browser, "entre 3 et 6 mois")
    answer(browser, "n" + "o")  # drinks much less than usual
    assert "Niveau 2 — Avis médical immédiat" in browser.find_element(By.CSS_SELECTOR, ".triage-side").text
    answer(browser, "nnnnnn")
    assert result_level(browser) == "Niveau 2 — Avis médical immédiat"
    assert "Je vous passe le Dr Lambert maintenant" in browser.find_element(By.CSS_SELECTOR, "blockquote.script").text
    screenshot(browser, "43-triage-niveau-2")
    # Lowering without a reason is refused, with the reason why; nothing is recorded.
    Select(browser.find_element(By.NAME, "niveau")).select_by_visible_text("Niveau 4 — Consultation sous 48 h")
    browser.find_element(By.XPATH, "//button[contains(., 'Enregistrer')]").click()
    wait_for_text(browser, "abaisser le niveau demande une raison écrite")
    screenshot(browser, "44-triage-raison-obligatoire")
    browser.find_element(By.NAME, "raison").send_keys("Vu ce matin par le Dr Lambert, qui a demandé un contrôle sous 48 h")
    browser.find_element(By.XPATH, "//button[contains(., 'Enregistrer')]").click()
    wait_for_text(browser, "Questions posées")
    assert "Niveau calculé : Niveau 2 — Avis médical immédiat" in browser.page_source
    assert "Vu ce matin par le Dr Lambert" in browser.page_source


def test_the_general_practice_protocol_reaches_levels_three_four_and_five(server, browser):
    # Its criteria in order: breathing-worse (2), elderly-fall (2), fever-3-days (3), strong-pain (3), cannot-drink (3),
    # urine-fever (3), wound (4), lasting (4).
    for keys, level, orientation in [
        ("nn" + "o" + "nnnnn", "Niveau 3 — Consultation dans la journée", "Créneau d'urgence aujourd'hui"),
        ("nnnnnn" + "o" + "n", "Niveau 4 — Consultation sous 48 h", "Rendez-vous sous 48 heures"),
        ("nnnnnnnn", "Niveau 5 — Rendez-vous programmé", "Rendez-vous habituel"),
    ]:
        start_triage(browser, server, "Cabinet médical des Tilleuls")
        answer(browser, "n" * RED_FLAGS + keys)
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
