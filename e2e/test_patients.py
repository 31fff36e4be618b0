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


def test_a_record_is_changed_handed_out_and_kept_until_the_retention_ends(server, browser):
    """A supervisor changes a record (the identity goes back to provisional when a strict trait changes), prints the
    patient's whole file, and is told why the record cannot be erased yet."""
    open_practice(browser, server, "superviseur@permanence.test")
    browser.find_element(By.LINK_TEXT, "Patients").click()
    browser.find_element(By.LINK_TEXT, "Nouveau patient").click()
    fill(browser, {"nomNaissance": "Rousseau", "prenoms": "Hélène", "naissance": "14/07/1962", "telephone1": "06 98 76 54 32"})
    browser.find_element(By.CSS_SELECTOR, "input[name=sexe][value=F]").click()
    browser.find_element(By.XPATH, "//button[text()='Créer le dossier']").click()
    wait_for_text(browser, "Dossier créé")

    browser.find_element(By.LINK_TEXT, "Modifier le dossier").click()
    wait_for_text(browser, "Modifier le dossier")
    assert browser.find_element(By.NAME, "nomNaissance").get_attribute("value") == "Rousseau"
    fill(browser, {"telephone2": "01 40 00 00 07", "libelle2": "fixe", "notes": "Rappeler plutôt l'après-midi"})
    browser.find_element(By.NAME, "malentendant").click()
    screenshot(browser, "23-patient-modifier")
    browser.find_element(By.XPATH, "//button[text()='Enregistrer les modifications']").click()
    wait_for_text(browser, "Dossier modifié")
    sheet = browser.find_element(By.CSS_SELECTOR, ".sheet").text
    assert "01 40 00 00 07" in sheet and "Rappeler plutôt l'après-midi" in sheet
    assert "Malentendant" in browser.find_element(By.CSS_SELECTOR, "ul.flags").text

    # A mistyped date is refused with its reason and changes nothing.
    browser.find_element(By.LINK_TEXT, "Modifier le dossier").click()
    fill(browser, {"naissance": "31/06/1962"})
    browser.find_element(By.XPATH, "//button[text()='Enregistrer les modifications']").click()
    wait_for_text(browser, "Dossier refusé")
    assert "Date de naissance" in browser.find_element(By.CSS_SELECTOR, ".alert").text
    browser.find_element(By.LINK_TEXT, "ROUSSEAU Hélène").click()
    assert "14/07/1962" in browser.find_element(By.CSS_SELECTOR, ".sheet").text

    # The patient asks for her file: a page to print, and the JSON beside it.
    browser.find_element(By.LINK_TEXT, "Dossier complet (droit d'accès)").click()
    wait_for_text(browser, "Copie remise au titre du droit d'accès")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Rousseau" in page and "06 98 76 54 32 (portable)" in page and "modification (dossier)" in page
    screenshot(browser, "24-patient-dossier-complet")

    # Then she asks for it to be erased: never seen at the practice, the retention rules allow it.
    browser.back()
    browser.find_element(By.LINK_TEXT, "Patients").click()
    search = browser.find_element(By.NAME, "q")
    search.send_keys("rousseau")
    search.submit()
    browser.find_element(By.LINK_TEXT, "ROUSSEAU Hélène").click()
    browser.find_element(By.XPATH, "//summary[contains(., 'Effacer ou anonymiser')]").click()
    assert "Les règles de conservation le permettent" in browser.find_element(By.ID, "effacer").text
    browser.find_element(By.CSS_SELECTOR, "#effacer input[value=anonymise]").click()
    browser.find_element(By.CSS_SELECTOR, "#effacer input[name=raison]").send_keys("Demande de la patiente, jamais venue")
    screenshot(browser, "25-patient-effacer")
    browser.find_element(By.XPATH, "//details[@id='effacer']//button[text()='Confirmer']").click()
    wait_for_text(browser, "Dossier anonymisé")
    assert browser.find_element(By.TAG_NAME, "h1").text == "ANONYME Anonyme"


def test_a_practice_file_is_checked_then_imported(server, browser, tmp_path):
    """A supervisor drops the export of the practice's old software (Windows-1252, semicolons): every refused row is
    listed with its line and reason before anything is imported; then only the accepted rows are imported."""
    rows = [
        "Nom;Prénom;Date de naissance;Sexe;Téléphone;Remarques",
        "Fabre;Josiane;12/03/1948;Mme;04 67 00 00 01;Sourde d'une oreille",
        "Garnier;Théo;2015-09-30;M;06 55 44 33 22;",
        "Henry;Louise;31/09/1990;F;;",
        "Imbert;Noé;01/01/2001;X;15;",
    ]
    csv = tmp_path / "export-ancien-logiciel.csv"
    csv.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    open_practice(browser, server, "superviseur@permanence.test")
    browser.find_element(By.LINK_TEXT, "Patients").click()
    browser.find_element(By.LINK_TEXT, "Importer des patients").click()
    browser.find_element(By.NAME, "fichier").send_keys(str(csv))
    browser.find_element(By.XPATH, "//button[text()='Vérifier le fichier']").click()
    wait_for_text(browser, "Rapport : 4 lignes, 2 acceptées, 2 refusées")
    assert "Windows-1252" in browser.page_source
    refused = browser.find_element(By.CSS_SELECTOR, "table[aria-label='Lignes refusées']").text
    assert "4 Date de naissance" in refused and "5 Sexe" in refused and "Téléphone n° 1" in refused
    # The remarks column is recognised as notes; the example shows the accents read correctly.
    assert browser.find_element(By.ID, "colonne5").get_attribute("value") == "notes"
    columns = browser.find_element(By.CSS_SELECTOR, "form.panel table.grid").text
    assert "Sourde d'une oreille" in columns and "Josiane" in columns and "Prénom" in columns
    screenshot(browser, "26-import-rapport")
    browser.find_element(By.XPATH, "//button[text()='Importer les 2 lignes acceptées']").click()
    wait_for_text(browser, "Import terminé : 2 dossiers créés")
    screenshot(browser, "27-import-termine")
    browser.find_element(By.LINK_TEXT, "Patients").click()
    search = browser.find_element(By.NAME, "q")
    search.send_keys("garnier 2015")
    search.submit()
    wait_for_text(browser, "GARNIER Théo")
