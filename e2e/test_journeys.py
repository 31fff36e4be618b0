"""Issue 21's journeys (b), (c) and (d) on this build's screens, counted (e2e/journeys.py): each is done without
leaving the call for longer than its task, and within the keys and clicks measured when it landed."""
import json

from conftest import SCREENSHOTS
from journeys import booking, move, triage_and_transmission


def record(name, counts):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with open(SCREENSHOTS / "parcours.txt", "a", encoding="utf-8") as out:
        out.write(f"{name} {json.dumps(counts, ensure_ascii=False)}\n")
    print(name, counts)


def test_b_a_caller_found_by_name_is_booked_from_the_cockpit(server, browser):
    counts = booking(server, browser)
    record("(b) rendez-vous", counts)
    # Alt+P, the birth name, ↓ Entrée, Alt+M « cons » Entrée, Alt+1, Entrée; then Alt+C.
    assert counts["clicks"] == 0 and counts["keys"] <= 9 + 20


def test_c_an_appointment_is_moved_from_the_call(server, browser):
    counts = move(server, browser)
    record("(c) déplacement", counts)
    # The next appointment, an alternative, back to the call; the reason ticked by the move; Alt+C.
    assert counts["to_read_back"] == 2 and counts["keys"] + counts["clicks"] <= 4


def test_d_a_triage_and_its_transmission_from_the_call(server, browser):
    counts = triage_and_transmission(server, browser)
    record("(d) triage et transmission", counts)
    assert counts["clicks"] <= 1
