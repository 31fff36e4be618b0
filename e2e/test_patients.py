"""Journey of issue 5: a secretary creates a patient record, then the same person typed again is caught as a likely
duplicate before anything is saved; checked with the caller, another person is created on purpose."""
from selenium.webdriver.common.by import By

from conftest import screenshot
from test_appointments import open_practice
from test_sign_in import wait_for_text


def fill(browser, fields):
    for name, value in fields.items():
        element = browser.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)


def test_a_new_patient_and_the_duplicate_check(server, browser):
    open_practice(browser, server)
    browser.find_element(By.LINK_TEXT, "Patients").click()
    browser.find_element(By.LINK_TEXT, "Nouveau patient").click()
    wait_for_text(browser, "Identitovigilance")
    fill(browser, {"nomNaissance": "Le Fèvre", "prenoms": "Marie-Dominique", "naissance": "03/12/1957",
                   "telephone1": "06.12.34.56.78", "interprete": "arabe"})
    browser.find_element(By.CSS_SELECTOR, "input[name=sexe][value=F]").click()
    browser.find_element(By.NAME, "anxieux").click()
    screenshot(browser, "18-patient-nouveau")
    browser.find_element(By.XPATH, "//button[text()='Créer le dossier']").click()
    wait_for_text(browser, "Dossier créé")
    flags = browser.find_element(By.CSS_SELECTOR, "ul.flags").text
    assert "Appelant anxieux" in flags and "Interprète nécessaire (arabe)" in flags
    assert "06 12 34 56 78" in browser.find_element(By.CSS_SELECTOR, ".sheet").text
    screenshot(browser, "19-patient-fiche")

    # The same woman typed again, spelled differently: nothing is saved, the existing record is shown.
    browser.find_element(By.LINK_TEXT, "Patients").click()
    browser.find_element(By.LINK_TEXT, "Nouveau patient").click()
    fill(browser, {"nomNaissance": "Lefebvre", "prenoms": "Marie", "naissance": "3/12/1957"})
    browser.find_element(By.CSS_SELECTOR, "input[name=sexe][value=F]").click()
    browser.find_element(By.XPATH, "//button[text()='Créer le dossier']").click()
    wait_for_text(browser, "Doublon probable")
    warning = browser.find_element(By.CSS_SELECTOR, ".duplicates").text
    assert "LE FÈVRE Marie-Dominique" in warning
    assert "même date de naissance et nom proche" in warning
    screenshot(browser, "20-patient-doublon")

    # Checked with the caller: another person. Created on purpose.
    browser.find_element(By.CSS_SELECTOR, "input[name='pasDoublon[]']").click()
    browser.find_element(By.XPATH, "//button[text()='Créer le dossier']").click()
    wait_for_text(browser, "Dossier créé")
    assert browser.find_element(By.TAG_NAME, "h1").text == "LEFEBVRE Marie"

    # Later the caller calls back: it was her after all. The second record is merged into the first, with a reason.
    # Her record offers the records it looks like, without a search.
    wait_for_text(browser, "Dossiers ressemblants")
    # The one with the same date of birth and a close name is chosen.
    candidate = browser.find_element(By.XPATH, "//ul[@class='matches']/li[contains(., 'Marie-Dominique') and contains(., '03/12/1957')]")
    candidate.find_element(By.NAME, "raison").send_keys("Même personne : nom épelé Le Fèvre, téléphone vérifié")
    screenshot(browser, "21-patient-fusion")
    candidate.find_element(By.XPATH, ".//button[text()='Fusionner dans ce dossier']").click()
    wait_for_text(browser, "Dossiers fusionnés")
    assert browser.find_element(By.TAG_NAME, "h1").text == "LE FÈVRE Marie-Dominique"
    browser.find_element(By.LINK_TEXT, "Patients").click()
    browser.find_element(By.LINK_TEXT, "Fusions de dossiers").click()
    review = browser.find_element(By.CSS_SELECTOR, "table.grid").text
    assert "LEFEBVRE Marie" in review and "LE FÈVRE Marie-Dominique" in review and "téléphone vérifié" in review
    screenshot(browser, "22-patients-fusions")
    # The merged record is no longer offered by the search.
    browser.find_element(By.LINK_TEXT, "Patients").click()
    search = browser.find_element(By.NAME, "q")
    search.send_keys("lefebvre marie 1957")
    search.submit()
    wait_for_text(browser, "Aucun patient trouvé pour « lefebvre marie 1957 »")
