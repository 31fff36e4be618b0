"""Journeys of issue 21, part 1: the practice's week at a glance, an appointment dragged to a free place and moved back
with the keyboard (each with its read-back), and the day's list printed on A4.

Chromedriver does not turn pointer actions into HTML5 drag events, so the drag is given to the page as the browser
would give it (dragstart on the appointment, dragover and drop on the lane at the height of the new time); what follows
— the page's script, the form it posts, the server's rules and the read-back — is the real one."""
import base64
import datetime
import re

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import DEMO_PRACTICE, api, booking_material, screenshot
from test_console import spoken
from test_sign_in import sign_in, wait_for_text

GRID_START, GRID_END = 7 * 60, 20 * 60


def secretary_token(server):
    return api(server, "POST", "/api/v1/auth/token",
               body={"email": "secretaire@permanence.test", "password": "permanence-demo"})["token"]


def minutes(iso):
    """"2026-12-05T08:50:00+01:00" → 530."""
    hours, mins = iso[11:16].split(":")
    return int(hours) * 60 + int(mins)


def drag(browser, block, lane, at_minutes):
    """Drops `block` on `lane` so that it starts at `at_minutes` (grabbed by its top edge)."""
    browser.execute_script("""
        const [block, lane, fraction] = arguments;
        const area = lane.getBoundingClientRect(), from = block.getBoundingClientRect();
        const data = new DataTransfer();
        const y = area.top + area.height * fraction + 1;
        block.dispatchEvent(new DragEvent('dragstart', {bubbles: true, cancelable: true, dataTransfer: data, clientX: from.left + 4, clientY: from.top}));
        lane.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: data, clientX: area.left + 20, clientY: y}));
        lane.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: data, clientX: area.left + 20, clientY: y}));
    """, block, lane, (at_minutes - GRID_START) / (GRID_END - GRID_START))


def open_practice(browser, server):
    sign_in(browser, server, "secretaire@permanence.test")
    wait_for_text(browser, "Bonjour")
    browser.find_element(By.LINK_TEXT, DEMO_PRACTICE).click()
    wait_for_text(browser, "Accueil à dire")
    return browser.current_url.split("?")[0]


def test_the_practice_week_shows_every_practitioner_side_by_side(server, browser):
    open_practice(browser, server)
    browser.find_element(By.LINK_TEXT, "Semaine du cabinet").click()
    wait_for_text(browser, "Semaine du cabinet")
    lanes = browser.find_elements(By.CSS_SELECTOR, ".week.laned .lane")
    assert len(lanes) == 14, "two practitioners, seven days"
    names = {lane.get_attribute("aria-label").split(",")[0] for lane in lanes}
    assert names == {"Dr Karim Benali", "Dr Claire Martin"}
    block = browser.find_elements(By.CSS_SELECTOR, ".week.laned a.block.appointment")[0]
    assert re.match(r"\d\d:\d\d–\d\d:\d\d · [A-ZÉÈ' -]+ \S", block.get_attribute("title")), "the whole range and full name on hover"
    assert browser.find_elements(By.CSS_SELECTOR, ".legend.motifs .motif-key"), "the motifs' colours explained"
    screenshot(browser, "96-semaine-du-cabinet-1366")
    browser.set_window_size(1920, 1080)
    screenshot(browser, "97-semaine-du-cabinet-1920")


def book(server, token, practice, motif, patient, slot):
    """The appointment booked through the API: its id."""
    return api(server, "POST", f"/api/v1/practices/{practice}/appointments", token, {
        "patientId": patient, "practitionerId": slot["practitionerId"], "motifId": motif, "start": slot["start"], "source": "phone"})["appointment"]["id"]


def on_grid(browser, appointment):
    return browser.find_element(By.CSS_SELECTOR, f'a.block[data-move*="{appointment.upper()}"], a.block[data-move*="{appointment.lower()}"]')


def tomorrow():
    return (datetime.date.today() + datetime.timedelta(days=1)).isoformat()


def lane_of(browser, practitioner):
    return browser.find_element(By.CSS_SELECTOR, f'.day-body[data-practitioner="{practitioner.upper()}"], .day-body[data-practitioner="{practitioner.lower()}"]')


def test_an_appointment_dragged_to_a_free_place_is_moved_then_moved_back_with_the_keyboard(server, browser):
    token = secretary_token(server)
    # From tomorrow on: late in the afternoon, today may have no free place left after the first.
    practice, motif, free, patients = booking_material(server, token, 30, from_day=tomorrow())
    # Two free places of one day, the second clear of the first (the motif's length and its buffer).
    first, second = next((a, b) for i, a in enumerate(free) for b in free[i + 1:]
                         if b["start"][:10] == a["start"][:10] and minutes(b["start"]) >= minutes(a["end"]) + 20)
    appointment = book(server, token, practice, motif, patients[0]["id"], first)

    base = open_practice(browser, server)
    day = first["start"][:10]
    browser.get(f"{base}/agenda/jour?jour={day}")
    wait_for_text(browser, "Imprimer la liste")
    block = on_grid(browser, appointment)
    lane = lane_of(browser, second["practitionerId"])
    drag(browser, block, lane, minutes(second["start"]))
    wait_for_text(browser, "À relire au patient")
    read_back = browser.find_element(By.CSS_SELECTOR, ".readback").text
    assert "déplac" in read_back and spoken(second["start"][11:16]) in read_back, read_back
    screenshot(browser, "98-glisse-deplace")

    # Back to the grid: the keyboard takes it back to where it was (Espace, arrows, Entrée).
    browser.get(f"{base}/agenda/jour?jour={day}")
    wait_for_text(browser, "Imprimer la liste")
    block = on_grid(browser, appointment)
    lanes = [l.get_attribute("data-practitioner").lower() for l in browser.find_elements(By.CSS_SELECTOR, ".day-body[data-practitioner]")]
    sideways = lanes.index(first["practitionerId"].lower()) - lanes.index(second["practitionerId"].lower())
    steps = (minutes(first["start"]) - minutes(second["start"])) // 5
    browser.execute_script("arguments[0].focus()", block)
    keys = ActionChains(browser).send_keys(" ")
    for _ in range(abs(sideways)):
        keys = keys.send_keys(Keys.ARROW_RIGHT if sideways > 0 else Keys.ARROW_LEFT)
    for _ in range(abs(steps)):
        keys = keys.send_keys(Keys.ARROW_DOWN if steps > 0 else Keys.ARROW_UP)
    keys.perform()
    ghost = browser.find_element(By.CSS_SELECTOR, ".block.ghost")
    assert ghost.text.startswith(first["start"][11:16]), ghost.text
    assert first["start"][11:16].replace(":", " h ") in browser.find_element(By.ID, "deplacement-annonce").get_attribute("textContent")
    screenshot(browser, "99-clavier-deplacement")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_for_text(browser, "À relire au patient")
    read_back = browser.find_element(By.CSS_SELECTOR, ".readback").text
    assert spoken(first["start"][11:16]) in read_back, read_back
    moved = api(server, "GET", f"/api/v1/practices/{practice}/appointments/{appointment}", token)["appointment"]
    assert moved["start"] == first["start"] and moved["practitionerId"].lower() == first["practitionerId"].lower()


def test_a_move_dropped_on_closed_time_is_refused_with_the_alternatives(server, browser):
    token = secretary_token(server)
    # A slot from tomorrow on: today's 07:15 may already be past, which is refused for another reason.
    practice, motif, (slot,), patients = booking_material(server, token, 1, from_day=tomorrow())
    appointment = book(server, token, practice, motif, patients[1]["id"], slot)
    base = open_practice(browser, server)
    browser.get(f"{base}/agenda/jour?jour={slot['start'][:10]}")
    wait_for_text(browser, "Imprimer la liste")
    block = on_grid(browser, appointment)
    lane = lane_of(browser, slot["practitionerId"])
    drag(browser, block, lane, 7 * 60 + 15)  # 07:15, before the practice opens
    wait_for_text(browser, "Créneaux proches, les meilleurs d'abord")
    refusal = browser.find_element(By.CSS_SELECTOR, "main").text
    assert "en dehors des horaires" in refusal and "override" not in refusal
    assert browser.find_element(By.CSS_SELECTOR, 'input[name="heure"]').get_attribute("value") == "07:15", "the refused time is kept"
    screenshot(browser, "101-depot-refuse-hors-horaires")
    unchanged = api(server, "GET", f"/api/v1/practices/{practice}/appointments/{appointment}", token)["appointment"]
    assert unchanged["start"] == slot["start"]


def test_the_days_list_prints_on_a4_one_page_per_practitioner(server, browser):
    base = open_practice(browser, server)
    # The next weekday: the demo has appointments every weekday.
    day = datetime.date.today() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    browser.get(f"{base}/agenda/jour?jour={day.isoformat()}")
    browser.find_element(By.LINK_TEXT, "Imprimer la liste").click()
    wait_for_text(browser, "Liste à imprimer")
    sheets = browser.find_elements(By.CSS_SELECTOR, "section.day-list")
    assert len(sheets) == 2
    headers = [th.text for th in sheets[0].find_elements(By.CSS_SELECTOR, "thead th")]
    assert headers == ["Heure", "Patient", "Âge", "Téléphone", "Motif", "Notes"]
    rows = sheets[0].find_elements(By.CSS_SELECTOR, "tbody tr")
    assert rows, "the demo books every weekday"
    cells = [td.text for td in rows[0].find_elements(By.TAG_NAME, "td")]
    assert re.fullmatch(r"\d\d:\d\d–\d\d:\d\d", cells[0]) and re.fullmatch(r"\d+ (ans?|mois)", cells[2]) and cells[3].startswith("0"), cells
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    screenshot(browser, "100-liste-du-jour-impression")
    assert not browser.find_element(By.CSS_SELECTOR, "header.topbar").is_displayed(), "no navigation on paper"
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69})["data"])
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 2, f"one A4 page per practitioner, {pages} printed"
