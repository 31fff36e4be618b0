"""The secretary's journeys (b) booking for a caller found by name, (c) moving an appointment from a call and (d) a
triage then a transmission from a call, each counted from the answered call (F2, not counted) to the closed call:
every key (a shortcut such as Alt+M counts once, a typed word one per letter) and every click.

Each journey walks the shortest way its screens offer. `ui` names the screens: "after" is this build's; "before" is
the cockpit of 8743f72, before issue 21, where the search results were reached with the mouse, the patient's next
appointments were plain text, the held slot was confirmed on a page of its own, and a booking or move made in the
call did not tick the call's reason (so the first Alt+C was refused). The e2e tests run "after";
Benchmarks/ui/journeys.py runs either against the binary it is given."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import api, api_token, booking_material, screenshot
from test_console import Work, console, ring, spoken, wait_live
from test_sign_in import wait_for_text

# A number no record of the demo carries: the caller rings from work.
UNKNOWN_NUMBER = "01 44 55 66 77"


def an_adult_with_a_phone(server, token):
    """A patient of the demo practice, 18 to 80 years old, with a phone and a birth name no one else has."""
    practice, motif, free, _ = booking_material(server, token, 1)
    patients = api(server, "GET", f"/api/v1/practices/{practice}/patients?q=a", token)["patients"]
    names = [p["birthName"] for p in patients]
    for patient in patients:
        year = int(patient["birthDate"][:4])
        if patient["phones"] and names.count(patient["birthName"]) == 1 and 1946 <= year <= 2006:
            return practice, motif, free[0], patient
    raise AssertionError("no adult of the demo has a phone and a birth name of their own")


def take_the_call(browser, server, number):
    console(browser, server)
    browser.find_element(By.LINK_TEXT, "Cabinets").click()
    wait_live(browser)
    ring(server, number)
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#appels-entrants .pop"))
    browser.switch_to.active_element.send_keys(Keys.F2)
    wait_for_text(browser, "Appel en cours")
    return browser.current_url.split("?")[0]


def close_the_call(browser, work, call_url, reason):
    """Back on the call if the last page left it, the call's reason and outcome ticked if they are not, then Alt+C."""
    if browser.current_url.split("?")[0] != call_url:
        back = browser.find_elements(By.LINK_TEXT, "Revenir à l'appel")
        if back:
            work.click(back[0])
        else:
            # No way back from the page: the practice (its link in the crumbs), its call journal, then the call.
            journal = browser.find_elements(By.CSS_SELECTOR, "a[href$='/appels']")
            if not journal:
                work.click(browser.find_elements(By.CSS_SELECTOR, ".crumbs a")[1])
                journal = browser.find_elements(By.CSS_SELECTOR, "a[href$='/appels']")
            work.click(journal[0])
            wait_for_text(browser, "Journal des appels")
            work.click(browser.find_element(By.CSS_SELECTOR, f"a[href$='{call_url.split('/')[-1]}']"))
        wait_for_text(browser, "Appel en cours")
    box = browser.find_element(By.CSS_SELECTOR, f"input[name='motifs[]'][value={reason}]")
    if not box.is_selected():
        work.click(box)
    if not [o for o in browser.find_elements(By.CSS_SELECTOR, "input[name=issue]") if o.is_selected()]:
        work.click(browser.find_element(By.CSS_SELECTOR, "input[name=issue][value=handled]"))
    work.shortcut("c")
    wait_for_text(browser, "Ajouter une correction")


def read_back_then_close(browser, work, call_url, time, reason, shot, ui):
    """The read-back says the new time; then the call is closed. Returns the counts, and those to the read-back."""
    wait_for_text(browser, "À relire au patient")
    assert spoken(time) in browser.find_element(By.CSS_SELECTOR, ".readback").text
    if ui == "after":
        screenshot(browser, shot)
    to_read_back = work.keys + work.clicks
    close_the_call(browser, work, call_url, reason)
    return {"keys": work.keys, "clicks": work.clicks, "to_read_back": to_read_back}


def booking(server, browser, ui="after"):
    """(b) A patient rings from a number her record does not carry: found by her birth name, booked on the first free
    consultation, the read-back, the call closed."""
    token = api_token(server, "secretaire@permanence.test")
    _, _, _, patient = an_adult_with_a_phone(server, token)
    call_url = take_the_call(browser, server, UNKNOWN_NUMBER)
    work = Work(browser)
    work.shortcut("p")
    work.type(patient["birthName"])
    first = WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-results] button[name=patient]"))[0]
    assert patient["birthName"].upper() in first.text.upper()
    if ui == "after":
        work.press(Keys.DOWN)
        work.press(Keys.ENTER)
    else:
        work.click(first)
    wait_for_text(browser, "Ce n'est pas ce patient")
    work.shortcut("m")
    work.type("cons")
    work.press(Keys.ENTER)
    slot = WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".finder-slots button.slot"))[0]
    when = slot.get_attribute("title")
    work.shortcut("1")
    wait_for_text(browser, "Confirmer le rendez-vous")
    work.press(Keys.ENTER)  # the confirmation has the focus
    return read_back_then_close(browser, work, call_url, when.split(" à ")[1], "appointment", "110-parcours-b-relecture", ui)


def move(server, browser, ui="after"):
    """(c) A patient rings to move her next appointment: from the call to the appointment, moved to the closest free
    time, the read-back, the call closed."""
    token = api_token(server, "secretaire@permanence.test")
    practice, motif, slot, patient = an_adult_with_a_phone(server, token)
    booked = api(server, "POST", f"/api/v1/practices/{practice}/appointments", token,
                 {"patientId": patient["id"], "practitionerId": slot["practitionerId"], "motifId": motif, "start": slot["start"]})
    call_url = take_the_call(browser, server, patient["phones"][0]["display"])
    work = Work(browser)
    if ui == "after":
        work.click(browser.find_element(By.CSS_SELECTOR, "ul.upcoming a"))
    else:
        work.click(browser.find_element(By.LINK_TEXT, "Ouvrir le dossier complet"))
        wait_for_text(browser, "Historique des échanges")
        work.click(browser.find_element(By.CSS_SELECTOR, f"a[href$='/rendez-vous/{booked['appointment']['id']}']"))
    wait_for_text(browser, "Créneaux proches, les meilleurs d'abord")
    alternative = browser.find_elements(By.CSS_SELECTOR, "ol.slots button.slot")[0]
    target = alternative.text.replace("Déplacer au ", "")
    work.click(alternative)
    return read_back_then_close(browser, work, call_url, target.split(" à ")[-1], "move", "111-parcours-c-deplace", ui)


def triage_and_transmission(server, browser, ui="after"):
    """(d) A patient rings with a new problem: the urgency assessed with the practice's protocol (no red flag, nothing
    of the practice's criteria: level 4), recorded and transmitted to the practitioner (by the recording itself when
    the level's orientation says so, else with T and Entrée), the call closed."""
    token = api_token(server, "secretaire@permanence.test")
    _, _, _, patient = an_adult_with_a_phone(server, token)
    call_url = take_the_call(browser, server, patient["phones"][0]["display"])
    work = Work(browser)
    work.shortcut("u")
    wait_for_text(browser, "Question 1 ")
    while browser.find_elements(By.CSS_SELECTOR, "p.question"):
        before = browser.find_element(By.CSS_SELECTOR, "p.muted").text
        # « Oui » to the first question (a new health problem), « Non » to every other.
        work.press("o" if before.startswith("Question 1 ") else "n")
        WebDriverWait(browser, 10).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "p.question")
                                         or d.find_element(By.CSS_SELECTOR, "p.muted").text != before)
    assert "Niveau 4" in browser.find_element(By.CSS_SELECTOR, ".triage-main .level-badge").text
    work.shortcut("e")
    wait_for_text(browser, "Questions posées")
    if browser.find_elements(By.CSS_SELECTOR, "[data-key=t]"):
        # Not yet transmitted by the recording: T opens the transmission filled in, Entrée sends it.
        work.press("t")
        wait_for_text(browser, "Envoyer la transmission")
        work.press(Keys.ENTER)
        wait_for_text(browser, "À lire à l'appelant")
    else:
        assert "Transmise" in browser.page_source, "the level's orientation transmits with the recording"
    if ui == "after":
        screenshot(browser, "112-parcours-d-transmise")
    to_sent = work.keys + work.clicks
    close_the_call(browser, work, call_url, "urgent")
    return {"keys": work.keys, "clicks": work.clicks, "to_transmission": to_sent}
