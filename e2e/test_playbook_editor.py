"""Journey of issue 7's editor: a supervisor changes a practice's greeting, previews the sheet as the secretaries will
see it with the changes, saves a new version, and the practice's page shows it."""
from selenium.webdriver.common.by import By

from conftest import screenshot
from test_sign_in import sign_in, wait_for_text

PRACTICE = "Cabinet de kinésithérapie Roux"


def test_a_supervisor_previews_and_saves_a_new_version_of_the_sheet(server, browser):
    sign_in(browser, server, "superviseur@permanence.test")
    wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    wait_for_text(browser, "Accueil à dire")
    browser.find_element(By.LINK_TEXT, "Fiche et versions").click()
    wait_for_text(browser, "Versions de la fiche")
    browser.find_element(By.LINK_TEXT, "Modifier la fiche et les procédures").click()
    wait_for_text(browser, "Modifier la fiche du cabinet")
    greeting = browser.find_element(By.NAME, "accueil")
    greeting.clear()
    greeting.send_keys("Cabinet de kinésithérapie Roux, bonjour, je vous écoute.")
    screenshot(browser, "60-editeur-fiche")
    browser.find_element(By.XPATH, "//button[@value='apercu']").click()
    wait_for_text(browser, "la fiche telle que les secrétaires la verront")
    assert "« Cabinet de kinésithérapie Roux, bonjour, je vous écoute. »" in browser.page_source
    changes = browser.find_element(By.CSS_SELECTOR, "table.changes").text
    assert "Modifié" in changes and "Accueil" in changes
    screenshot(browser, "61-editeur-apercu")
    browser.find_element(By.NAME, "note").send_keys("Accueil plus chaleureux")
    browser.find_element(By.XPATH, "//button[@value='enregistrer']").click()
    wait_for_text(browser, "de la fiche enregistrée")
    assert "Accueil plus chaleureux" in browser.page_source
    screenshot(browser, "62-fiche-versions")
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    wait_for_text(browser, "Accueil à dire")
    assert "Cabinet de kinésithérapie Roux, bonjour, je vous écoute." in browser.find_element(By.CSS_SELECTOR, ".greeting").text
