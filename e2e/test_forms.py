"""Issue 21, part 3: a phone number is checked as soon as it is typed — the field says what is wrong beside itself
(aria-invalid, aria-describedby), in the server's words, and stops saying it once corrected; a refused form says each
fault at its field, in French, and the focus goes to the first one."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import screenshot
from test_journal import PRACTICE
from test_sign_in import sign_in, wait_for_text

SAMPLES = {
    "06 12 34 56 78": None,
    "+33 6 12 34 56 78": None,
    "0033612345678": None,
    "+44 20 7946 0958": None,
    "0692 12 34 56": None,
    "06 12 34 56": "Un numéro français compte 10 chiffres (0X XX XX XX XX).",
    "06 12 34 56 78 9": "Un numéro français compte 10 chiffres (0X XX XX XX XX).",
    "+33 06 12 34 56 78": "Un numéro français compte 10 chiffres (0X XX XX XX XX).",
    "06 12 AB 56 78": "Le numéro contient des caractères inattendus.",
    "15": "Les numéros courts (15, 112, 114, 3114, 116 117…) ne sont pas des numéros de patient.",
}


def test_a_callers_number_is_checked_as_it_is_typed(server, browser):
    sign_in(browser, server, "secretaire@permanence.test")
    wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    browser.find_element(By.XPATH, "//button[contains(., 'Nouvel appel')]").click()
    wait_for_text(browser, "Appel en cours")
    field = browser.find_element(By.NAME, "numero")
    for typed, said in SAMPLES.items():
        field.clear()
        field.send_keys(typed)
        field.send_keys(Keys.TAB)  # leaving the field checks it
        if said is None:
            assert field.get_attribute("aria-invalid") is None, typed
        else:
            assert field.get_attribute("aria-invalid") == "true", typed
            note = browser.find_element(By.ID, field.get_attribute("aria-describedby"))
            assert note.text == said, (typed, note.text)
    field.clear()
    field.send_keys("06 12 34 5")
    field.send_keys(Keys.TAB)
    assert field.get_attribute("aria-invalid") == "true"
    screenshot(browser, "101-numero-verifie")
    # Corrected: the message goes at the key that makes it right.
    field.send_keys(Keys.END, "6 78")
    assert field.get_attribute("aria-invalid") is None
    assert not browser.find_element(By.CSS_SELECTOR, ".field-error").is_displayed()


def test_a_refused_form_puts_the_focus_on_its_refusal(server, browser):
    sign_in(browser, server, "secretaire@permanence.test")
    wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    browser.find_element(By.LINK_TEXT, "Patients").click()
    browser.get(browser.current_url.split("?")[0] + "/nouveau")
    wait_for_text(browser, "Nouveau patient")
    browser.find_element(By.NAME, "nomNaissance").send_keys("Essai")
    browser.find_element(By.NAME, "prenoms").send_keys("Jeanne")
    browser.find_element(By.NAME, "naissance").send_keys("31/02/1990")  # a day that does not exist
    browser.find_element(By.CSS_SELECTOR, "input[name=sexe][value=F]").click()
    browser.find_element(By.XPATH, "//button[contains(., 'Créer le dossier')]").click()
    wait_for_text(browser, "Dossier refusé")
    # The focus is on the field at fault, which names the sentence said beside it; the list above names it in French.
    focused = browser.switch_to.active_element
    assert focused.get_attribute("name") == "naissance", focused.get_attribute("outerHTML")[:200]
    assert focused.get_attribute("aria-invalid") == "true"
    said = browser.find_element(By.ID, focused.get_attribute("aria-describedby"))
    assert said.is_displayed() and said.text.startswith("Date de naissance attendue (jj/mm/aaaa)"), said.text
    refusal = browser.find_element(By.ID, "refus")
    assert "Dossier refusé" in refusal.text and "Date de naissance : " in refusal.text, refusal.text
    assert "birthDate" not in refusal.text and "AAAA" not in refusal.text, "no field path nor machine format on screen"
    # What was typed is still there, and the other fields are not marked.
    assert browser.find_element(By.NAME, "nomNaissance").get_attribute("value") == "Essai"
    assert browser.find_element(By.NAME, "nomNaissance").get_attribute("aria-invalid") is None
    screenshot(browser, "102-refus-au-champ")
    # The item of the list leads back to its field.
    browser.find_element(By.NAME, "nomNaissance").click()
    refusal.find_element(By.LINK_TEXT, refusal.find_element(By.TAG_NAME, "a").text).click()
    assert browser.switch_to.active_element.get_attribute("name") == "naissance"
