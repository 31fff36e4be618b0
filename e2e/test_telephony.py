"""Journey of issue 8's screen pop: a call rings (permanence simulate-call, signed like the phone system's events), the
secretary's console pops it live with the practice's greeting and the caller's patient, F2 takes it and opens the call."""
import subprocess

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BINARY, ROOT, SERVER_ENV, screenshot
from test_journal import PRACTICE, a_patient_name
from test_sign_in import sign_in, wait_for_text


def test_a_ringing_call_pops_on_the_console_and_f2_opens_it(server, browser):
    browser.get(server + "/")
    if "/connexion" in browser.current_url:
        sign_in(browser, server, "secretaire@permanence.test")
        wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    wait_for_text(browser, "Accueil à dire")
    name = a_patient_name(browser)
    browser.find_element(By.LINK_TEXT, name).click()
    wait_for_text(browser, "Historique des échanges")
    phone = browser.find_element(By.CSS_SELECTOR, "dd.phone").text.split(",")[0].split(" (")[0].strip()
    browser.find_element(By.LINK_TEXT, "Cabinets").click()
    wait_for_text(browser, "Vos cabinets")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live") == "connected")

    sent = subprocess.run([BINARY, "simulate-call", "--from", phone, "--to", "cabinet-des-tilleuls", "--url", server],
                          cwd=ROOT, env=SERVER_ENV, capture_output=True, text=True, timeout=60)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    pop = WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#appels-entrants .pop"))[0]
    assert "Cabinet médical des Tilleuls" in pop.text
    assert "Cabinet médical des Tilleuls, bonjour" in pop.text
    assert name in pop.text
    screenshot(browser, "70-appel-entrant")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.F2)
    wait_for_text(browser, "Appel en cours")
    assert phone in browser.find_element(By.NAME, "numero").get_attribute("value")
    assert name in browser.page_source
    screenshot(browser, "71-appel-pris")
    # Taken: the pop is gone from the console.
    assert not browser.find_elements(By.CSS_SELECTOR, "#appels-entrants .pop")
