"""Issue 21, part 6: the main screens checked against RGAA / WCAG 2.1 AA by axe-core, run in the headless browser on
the pages a secretary and a practitioner use all day, and the supervisor's board, statistics and monthly report, the practice's connections and the practitioner's calendar feed. No serious or critical violation is allowed; the minor and
moderate ones are printed (`pytest -s`) so that they are seen.

axe-core comes from PyPI's `selenium-axe-python` (2.2.0, axe-core 4.9.1), the maintained continuation of
`axe-selenium-python`, whose axe-core 3.1.1 (2018) knows no WCAG 2.1 A tag and reports the valid `<div>` groups of a
`<dl>` (HTML 5.2) as faults."""
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium_axe_python import Axe

from conftest import screenshot
from test_journal import PRACTICE
from test_sign_in import sign_in, wait_for_text

WCAG_21_AA = '{runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}'


def audit(browser, page):
    """axe-core's violations of WCAG 2.1 A and AA on the page shown, as (impact, rule, count, first element)."""
    browser.set_script_timeout(120)
    axe = Axe(browser)
    axe.inject()
    results = axe.run(options=WCAG_21_AA)
    assert results["passes"], f"{page}: axe-core checked nothing"
    found = [(v["impact"], v["id"], len(v["nodes"]), v["nodes"][0]["target"]) for v in results["violations"]]
    for impact, rule, count, target in found:
        print(f"{page}: {impact} {rule} ×{count} (first: {target})")
    return found


def serious(found):
    return [v for v in found if v[0] in ("serious", "critical")]


def test_axe_finds_no_serious_violation_on_the_main_screens(server, browser):
    pages = {}
    browser.get(server + "/")
    wait_for_text(browser, "Connexion")
    pages["connexion"] = audit(browser, "connexion")
    sign_in(browser, server, "secretaire@permanence.test")
    wait_for_text(browser, "Bonjour")
    pages["accueil"] = audit(browser, "accueil")
    ActionChains(browser).send_keys("/").perform()  # the search from anywhere
    ActionChains(browser).send_keys("martin" + Keys.ENTER).perform()
    wait_for_text(browser, "Patients")
    assert browser.find_elements(By.CSS_SELECTOR, "ul.search-hits a"), "« / » then a name finds patients"
    pages["recherche"] = audit(browser, "recherche")
    browser.get(server + "/")
    browser.find_element(By.LINK_TEXT, PRACTICE).click()
    wait_for_text(browser, "Accueil à dire")
    practice = browser.current_url.split("?")[0]
    browser.get(practice + "/agenda")
    wait_for_text(browser, "Agenda et horaires")
    pages["agenda (semaine)"] = audit(browser, "agenda (semaine)")
    browser.get(practice + "/agenda/semaine")
    wait_for_text(browser, "Semaine du cabinet")
    pages["semaine du cabinet"] = audit(browser, "semaine du cabinet")
    browser.get(practice + "/agenda/jour")
    pages["agenda (jour)"] = audit(browser, "agenda (jour)")
    browser.find_element(By.LINK_TEXT, "Imprimer la liste").click()
    wait_for_text(browser, "Liste à imprimer")
    pages["liste du jour"] = audit(browser, "liste du jour")
    browser.get(practice + "/patients?q=a")
    pages["patients"] = audit(browser, "patients")
    browser.find_element(By.CSS_SELECTOR, "table.grid tbody tr td a").click()
    wait_for_text(browser, "Historique des échanges")
    pages["dossier patient"] = audit(browser, "dossier patient")
    browser.get(practice)
    browser.find_element(By.XPATH, "//button[contains(., 'Nouvel appel')]").click()
    wait_for_text(browser, "Appel en cours")
    pages["poste d'appel"] = audit(browser, "poste d'appel")
    screenshot(browser, "95-axe-poste-d-appel")
    ActionChains(browser).key_down(Keys.ALT).send_keys("u").key_up(Keys.ALT).perform()
    wait_for_text(browser, "Évaluer l'urgence")
    time.sleep(0.5)
    pages["évaluation de l'urgence"] = audit(browser, "évaluation de l'urgence")
    # The supervisor's screens of the figures: the live board, the statistics and their charts, a monthly report.
    browser.delete_all_cookies()
    browser.get(server + "/")
    sign_in(browser, server, "superviseur@permanence.test")
    wait_for_text(browser, "Bonjour")
    browser.get(server + "/plateau")
    wait_for_text(browser, "Appels qui sonnent")
    pages["plateau"] = audit(browser, "plateau")
    browser.get(server + "/statistiques?par=jour")
    wait_for_text(browser, "Les chiffres de la période")
    pages["statistiques"] = audit(browser, "statistiques")
    browser.get(practice + "/rapports/2026-11")
    wait_for_text(browser, "Rapport mensuel")
    pages["rapport mensuel"] = audit(browser, "rapport mensuel")
    # The practice's connections to its software, and the practitioner's calendar in her phone.
    browser.get(practice + "/connexions")
    wait_for_text(browser, "Connexions du cabinet à ses logiciels")
    pages["connexions"] = audit(browser, "connexions")
    browser.delete_all_cookies()
    browser.get(server + "/")
    sign_in(browser, server, "dr.martin@permanence.test")
    browser.get(server + "/portail/agenda-telephone")
    wait_for_text(browser, "Mon agenda dans mon téléphone")
    pages["agenda dans le téléphone"] = audit(browser, "agenda dans le téléphone")
    assert len(pages) == 16
    faults = {page: serious(found) for page, found in pages.items() if serious(found)}
    assert not faults, faults


def test_the_check_sees_a_fault_when_there_is_one(server, browser):
    """The check itself: a field without a label and light grey text on white, put into the sign-in page, are reported."""
    browser.get(server + "/")
    wait_for_text(browser, "Connexion")
    browser.execute_script(
        "const f = document.createElement('input'); f.type = 'text'; document.querySelector('main').appendChild(f);"
        "const p = document.createElement('p'); p.textContent = 'Texte illisible'; p.style.color = '#bbb';"
        "p.style.background = '#fff'; document.querySelector('main').appendChild(p);")
    rules = {rule for impact, rule, _, _ in serious(audit(browser, "connexion abîmée"))}
    assert {"label", "color-contrast"} <= rules, rules
