"""Issue 18, parts 1 and 2: a new administrator enrols her second factor (TOTP) at her first sign-in, then resets a
secretary's password and disables her account; the secretary's open console loses its session at once, each time.
The codes come from pyotp, an implementation independent of the server's."""
import json
import tempfile
import urllib.error

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import api, api_token, screenshot, totp_code
from test_sign_in import sign_in, wait_for_text

EMAIL = "secretaire.remplacante@permanence.test"
FIRST_PASSWORD = "les volets bleus du port"
ADMIN_EMAIL = "nadia.perrin@permanence.test"
ADMIN_PASSWORD = "le phare veille sur la baie"


def second_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768", "--lang=fr-FR",
                     "--user-data-dir=" + tempfile.mkdtemp(prefix="permanence-console-")):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def test_an_administrator_resets_and_disables_a_secretary_whose_console_loses_its_session_at_once(server, browser):
    admin = api_token(server, "admin@permanence.test")
    practices = api(server, "GET", "/api/v1/practices", admin)["practices"]
    user = api(server, "POST", "/api/v1/users", admin, {"email": EMAIL, "displayName": "Léa Remplaçante", "role": "secretary",
                                                       "password": FIRST_PASSWORD, "practices": [practices[0]["id"]]})
    api(server, "POST", "/api/v1/users", admin, {"email": ADMIN_EMAIL, "displayName": "Nadia Perrin", "role": "admin",
                                                "password": ADMIN_PASSWORD, "practices": []})
    console = second_browser()
    try:
        # The new administrator's first sign-in opens only the enrolment of her second factor.
        sign_in(browser, server, ADMIN_EMAIL, ADMIN_PASSWORD)
        wait_for_text(browser, "activez-la pour continuer")
        browser.get(server + "/admin/utilisateurs")
        assert browser.current_url.endswith("/mon-compte/double-authentification")
        assert browser.find_elements(By.CSS_SELECTOR, "svg.qr title"), "the QR code drawn by the server"
        key = browser.find_element(By.ID, "cle-secrete").text.replace(" ", "")
        assert len(key) == 32
        screenshot(browser, "115-admin-activation-double-authentification")
        browser.find_element(By.ID, "code").send_keys(totp_code(ADMIN_EMAIL, key))
        browser.find_element(By.XPATH, "//button[text()='Activer la double authentification']").click()
        wait_for_text(browser, "Vos dix codes de secours")
        codes = [element.text for element in browser.find_elements(By.CSS_SELECTOR, "#codes-de-secours code")]
        assert len(set(codes)) == 10
        screenshot(browser, "116-admin-codes-de-secours")

        # No token without the code; then signing in again asks it after the password.
        try:
            api(server, "POST", "/api/v1/auth/token", body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            raise AssertionError("a token without the second factor")
        except urllib.error.HTTPError as refused:
            assert refused.code == 401 and json.load(refused)["type"].endswith("second-factor-required")
        browser.find_element(By.XPATH, "//button[contains(., 'Se déconnecter')]").click()
        wait_for_text(browser, "Mot de passe")
        browser.find_element(By.ID, "email").send_keys(ADMIN_EMAIL)
        browser.find_element(By.ID, "password").send_keys(ADMIN_PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait_for_text(browser, "Double authentification")
        assert browser.current_url.endswith("/connexion/code")
        browser.find_element(By.ID, "code").send_keys("000000")
        browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait_for_text(browser, "Code incorrect")
        screenshot(browser, "117-connexion-code-incorrect")
        browser.find_element(By.ID, "code").send_keys(totp_code(ADMIN_EMAIL, key))
        browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait_for_text(browser, "Bonjour Nadia Perrin")

        sign_in(console, server, EMAIL, FIRST_PASSWORD)
        wait_for_text(console, "Léa Remplaçante")
        WebDriverWait(console, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live") == "connected")

        # The administrator resets her password: the temporary one is shown once, her console goes to the sign-in page.
        browser.get(f"{server}/admin/utilisateurs/{user['id']}")
        wait_for_text(browser, "Léa Remplaçante")
        browser.find_element(By.XPATH, "//button[text()='Réinitialiser le mot de passe']").click()
        temporary = browser.find_element(By.ID, "mot-de-passe-temporaire").text
        assert len(temporary) == 19
        screenshot(browser, "110-admin-mot-de-passe-temporaire")
        WebDriverWait(console, 10).until(lambda d: "/connexion" in d.current_url)
        screenshot(console, "111-console-session-terminee")

        # The temporary password opens only « Mon compte », where she chooses her own.
        sign_in(console, server, EMAIL, temporary)
        wait_for_text(console, "réinitialisé par un administrateur")
        console.get(server + "/")
        assert console.current_url.endswith("/mon-compte")
        console.find_element(By.ID, "actuel").send_keys(temporary)
        for field in ("nouveau", "confirmation"):
            console.find_element(By.ID, field).send_keys("azertyuiop123")
        console.find_element(By.XPATH, "//button[text()='Changer le mot de passe']").click()
        wait_for_text(console, "plus répandus")
        screenshot(console, "112-mot-de-passe-trop-courant")
        console.find_element(By.ID, "actuel").send_keys(temporary)
        for field in ("nouveau", "confirmation"):
            console.find_element(By.ID, field).send_keys("la mouette rit sous la pluie")
        console.find_element(By.XPATH, "//button[text()='Changer le mot de passe']").click()
        wait_for_text(console, "Mot de passe changé")
        console.get(server + "/")
        wait_for_text(console, "Bonjour")
        WebDriverWait(console, 10).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-live") == "connected")

        # Disabled: her console is sent away at once, and she cannot sign in again.
        browser.get(f"{server}/admin/utilisateurs/{user['id']}")
        browser.find_element(By.XPATH, "//button[text()='Désactiver le compte']").click()
        wait_for_text(browser, "Compte désactivé")
        screenshot(browser, "113-admin-compte-desactive")
        WebDriverWait(console, 10).until(lambda d: "/connexion" in d.current_url)
        sign_in(console, server, EMAIL, "la mouette rit sous la pluie")
        wait_for_text(console, "incorrect")
        screenshot(console, "114-compte-desactive-connexion-refusee")
    finally:
        console.quit()
