"""Journey of issue 3: a supervisor previews new hours, saves them, and sees the week change."""
from selenium.webdriver.common.by import By

from conftest import screenshot
from test_sign_in import sign_in, wait_for_text


def test_supervisor_previews_then_saves_hours(server, browser):
    sign_in(browser, server, "superviseur@permanence.test")
    wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, "Cabinet de kinésithérapie Roux").click()
    browser.find_element(By.LINK_TEXT, "Agenda et horaires").click()
    wait_for_text(browser, "Horaires hebdomadaires")
    assert "08:00–12:30" in browser.find_element(By.CSS_SELECTOR, ".day").text
    screenshot(browser, "07-agenda-semaine")

    start = browser.find_element(By.NAME, "r1_0_start")
    start.clear()
    start.send_keys("10:00")
    browser.find_element(By.XPATH, "//button[text()='Aperçu de la semaine']").click()
    wait_for_text(browser, "Aperçu : ces horaires ne sont pas encore enregistrés")
    assert "10:00–12:30" in browser.find_element(By.CSS_SELECTOR, ".day").text
    screenshot(browser, "08-agenda-apercu")

    browser.find_element(By.XPATH, "//button[text()='Enregistrer les horaires']").click()
    wait_for_text(browser, "Horaires enregistrés.")
    assert "10:00–12:30" in browser.find_element(By.CSS_SELECTOR, ".day").text
    assert "Aperçu" not in browser.find_element(By.CSS_SELECTOR, "main").text.split("Horaires hebdomadaires")[0]


def test_secretary_sees_the_week_but_no_forms(server, browser):
    sign_in(browser, server, "secretaire@permanence.test")
    wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, "Cabinet du Dr Lambert, pédiatre").click()
    browser.find_element(By.LINK_TEXT, "Agenda et horaires").click()
    wait_for_text(browser, "Motifs de consultation")
    assert "Enregistrer les horaires" not in browser.page_source
    assert "Examen du 9e mois" in browser.page_source
