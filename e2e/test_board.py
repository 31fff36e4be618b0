"""Issue 22's journey: the supervisor watches a ringing call on the live board turn amber past 3 rings and red past 4,
then, the caller having hung up, finds it counted as lost in the day's statistics."""
import datetime
import subprocess
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import BINARY, ROOT, SERVER_ENV, screenshot
from test_console import wait_live
from test_sign_in import sign_in, wait_for_text


def call_event(server, kind, call_id, caller="06 52 41 30 29"):
    sent = subprocess.run([BINARY, "simulate-call", "--from", caller, "--to", "cabinet-des-tilleuls", "--url", server, "--event", kind,
                           "--call-id", call_id], cwd=ROOT, env=SERVER_ENV, capture_output=True, text=True, timeout=60)
    assert sent.returncode == 0, sent.stdout + sent.stderr


def lost_today(browser, server):
    """The day's lost calls of the demo practice, as the statistics page counts them."""
    today = datetime.date.today().isoformat()
    browser.get(server + "/statistiques")
    practice = next(o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "select[name=cabinet] option")
                    if o.text == "Cabinet médical des Tilleuls")
    browser.get(server + f"/statistiques?cabinet={practice}&du={today}&au={today}&par=heure")
    row = browser.find_element(By.XPATH, "//tr[th[normalize-space()='Appels perdus (plus de 5 s)']]/td")
    return int(row.text)


def test_a_ringing_call_turns_amber_then_red_on_the_board_and_is_counted_lost(server, browser):
    browser.get(server + "/")
    sign_in(browser, server, "superviseur@permanence.test")
    wait_for_text(browser, "Bonjour")
    before = lost_today(browser, server)

    browser.find_element(By.LINK_TEXT, "Plateau").click()
    wait_for_text(browser, "Appels qui sonnent")
    wait_live(browser)
    call_id = "plateau-%d" % time.time()
    call_event(server, "ringing", call_id)
    try:
        # The list is redrawn at each ring: an item read while it is replaced is read again.
        wait = lambda seconds: WebDriverWait(browser, seconds, ignored_exceptions=(StaleElementReferenceException,))
        ringing = lambda d: d.find_element(By.CSS_SELECTOR, ".ringing-list li.ringing")
        item = wait(10).until(ringing)
        assert "Cabinet médical des Tilleuls" in item.text and "06 52 41 30 29" in item.text
        wait(25).until(lambda d: "amber" in ringing(d).get_attribute("class") and "sonneries" in ringing(d).text)
        screenshot(browser, "120-plateau-orange")
        wait(10).until(lambda d: "red" in ringing(d).get_attribute("class") and "à prendre" in ringing(d).text)
        screenshot(browser, "121-plateau-rouge")
    finally:
        # The caller hangs up (and a failure above leaves no call ringing for the journeys that follow).
        call_event(server, "ended", call_id)

    # The call leaves the board without a reload, and the day counts one more lost call.
    WebDriverWait(browser, 20).until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".ringing-list li.ringing"))
    assert lost_today(browser, server) == before + 1
    screenshot(browser, "122-statistiques-du-jour")
