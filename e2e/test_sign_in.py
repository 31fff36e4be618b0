"""Journeys of issue 2: sign in with the demo logins, see one's practices, sign out; the admin creates a user."""
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shown
from selenium.webdriver.support.ui import WebDriverWait

from conftest import DEMO_AUTHENTICATOR_KEY, screenshot, totp_code

PASSWORD = "permanence-demo"


def wait_for_text(browser, text, seconds=10):
    WebDriverWait(browser, seconds).until(lambda driver: text in driver.page_source)


def replaced(element):
    """The page that held `element` was replaced. Chromium 156 answers « Node with given id does not belong to the
    document » for an element of a page being replaced, where selenium's `staleness_of` expects a stale reference."""
    def gone(_):
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
    return gone


def sign_in(browser, base, email, password=PASSWORD, key=DEMO_AUTHENTICATOR_KEY):
    """The sign-in form, then the second factor's code when the next page asks it (from the authenticator `key`)."""
    browser.get(base + "/")
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(password)
    button = browser.find_element(By.CSS_SELECTOR, "form button[type=submit]")
    button.click()
    WebDriverWait(browser, 10).until(replaced(button))
    if "/connexion/code" in browser.current_url:
        browser.find_element(By.ID, "code").send_keys(totp_code(email, key))
        button = browser.find_element(By.CSS_SELECTOR, "form button[type=submit]")
        button.click()
        WebDriverWait(browser, 10).until(replaced(button))


def test_secretary_signs_in_sees_her_practices_and_signs_out(server, browser):
    browser.get(server + "/")
    assert "/connexion" in browser.current_url
    assert "Mot de passe" in browser.page_source
    screenshot(browser, "01-connexion")

    sign_in(browser, server, "secretaire@permanence.test")
    wait_for_text(browser, "Bonjour")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Bonjour Camille Dubois"
    rows = browser.find_elements(By.CSS_SELECTOR, "table.grid tbody tr")
    assert len(rows) == 3
    assert "Cabinet médical des Tilleuls" in browser.page_source
    screenshot(browser, "02-accueil-secretaire")

    browser.find_element(By.LINK_TEXT, "Cabinet médical des Tilleuls").click()
    wait_for_text(browser, "Accueil à dire")
    assert "Cabinet médical des Tilleuls, bonjour" in browser.find_element(By.CSS_SELECTOR, ".greeting").text
    assert "Dr Claire Martin" in browser.page_source
    screenshot(browser, "03-fiche-cabinet")

    browser.find_element(By.XPATH, "//button[text()='Se déconnecter']").click()
    WebDriverWait(browser, 10).until(shown.url_contains("/connexion"))
    browser.get(server + "/")
    assert "/connexion" in browser.current_url


def test_wrong_password_is_refused_in_french(server, browser):
    sign_in(browser, server, "superviseur@permanence.test", "pas le bon mot de passe")
    wait_for_text(browser, "incorrect")
    alert = browser.find_element(By.CSS_SELECTOR, "[role=alert]")
    assert alert.text == "Adresse e-mail ou mot de passe incorrect."
    screenshot(browser, "04-erreur-connexion")


def test_admin_form_names_the_bad_field_then_creates_the_account(server, browser):
    sign_in(browser, server, "admin@permanence.test")
    wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, "Utilisateurs").click()
    wait_for_text(browser, "Créer un compte")
    browser.find_element(By.ID, "displayName").send_keys("Inès Fontaine")
    browser.find_element(By.ID, "email").send_keys("ines.fontaine@permanence.test")
    browser.find_element(By.CSS_SELECTOR, "input[name='practices[]']").click()
    browser.find_element(By.ID, "password").send_keys("court")
    # The browser's own minlength check would stop the form; the server must refuse it too.
    browser.execute_script("document.getElementById('password').removeAttribute('minlength')")
    browser.find_element(By.XPATH, "//button[text()='Créer le compte']").click()
    wait_for_text(browser, "n'a pas été créé")
    assert "au moins 12 caractères" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    screenshot(browser, "05-admin-erreur")

    browser.find_element(By.ID, "password").send_keys("un mot de passe sûr")
    browser.find_element(By.XPATH, "//button[text()='Créer le compte']").click()
    wait_for_text(browser, "Compte créé")
    assert "Compte créé : ines.fontaine@permanence.test" in browser.page_source
    assert "Inès Fontaine" in browser.page_source
    screenshot(browser, "06-admin-cree")
