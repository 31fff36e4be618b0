"""Issue 18, part 5: a server killed while bookings are on their way loses none and doubles none; every retry under
its Idempotency-Key gets the committed answer or runs anew, never « en cours » for ever."""
import concurrent.futures
import json
import signal
import tempfile
import urllib.error
import urllib.request

from conftest import api, start_server

PRACTICE = "Cabinet médical des Tilleuls"


def post(base, path, token, body, key):
    request = urllib.request.Request(base + path, method="POST", data=json.dumps(body).encode(), headers={
        "Content-Type": "application/json", "Authorization": "Bearer " + token, "Idempotency-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read(), answer.headers.get("Idempotent-Replayed")
    except urllib.error.HTTPError as refusal:
        return refusal.code, refusal.read(), refusal.headers.get("Idempotent-Replayed")
    except OSError:
        return None, None, None  # the server died under this request


def test_bookings_in_flight_when_the_server_is_killed_are_neither_lost_nor_doubled():
    folder = tempfile.mkdtemp(prefix="permanence-crash-")
    process, base, _ = start_server(folder)
    try:
        token = api(base, "POST", "/api/v1/auth/token", body={"email": "secretaire@permanence.test", "password": "permanence-demo"})["token"]
        practice = next(p for p in api(base, "GET", "/api/v1/practices", token)["practices"] if p["name"] == PRACTICE)["id"]
        motif = api(base, "GET", f"/api/v1/practices/{practice}/motifs", token)["motifs"][0]["id"]
        slots = api(base, "GET", f"/api/v1/practices/{practice}/availability?motif={motif}&limit=24", token)["slots"]
        patients = api(base, "GET", f"/api/v1/practices/{practice}/patients?q=a", token)["patients"]
        assert len(slots) == 24 and len(patients) >= 4
        bookings = {f"crash-{n}": {"patientId": patients[n % len(patients)]["id"], "practitionerId": slot["practitionerId"],
                                   "motifId": motif, "start": slot["start"], "source": "phone"}
                    for n, slot in enumerate(slots)}
        path = f"/api/v1/practices/{practice}/appointments"

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            first = {key: pool.submit(post, base, path, token, body, key) for key, body in bookings.items()}
            # Killed as soon as one booking is answered, while the others are on their way.
            pending = set(first.values())
            while pending and not any(f.done() and f.result()[0] == 201 for f in first.values()):
                _, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            process.send_signal(signal.SIGKILL)
            process.wait()
            first = {key: future.result() for key, future in first.items()}
        answered = {key for key, (status, _, _) in first.items() if status == 201}
        assert 0 < len(answered) < len(bookings), f"the kill should fall among the bookings: {len(answered)} answered"

        process, base, _ = start_server(folder)
        token = api(base, "POST", "/api/v1/auth/token", body={"email": "secretaire@permanence.test", "password": "permanence-demo"})["token"]
        retried = {key: post(base, path, token, body, key) for key, body in bookings.items()}
        assert {status for status, _, _ in retried.values()} == {201}, {key: (s, b[:120]) for key, (s, b, _) in retried.items() if s != 201}
        for key in answered:
            assert retried[key][0] == 201 and retried[key][1] == first[key][1], f"{key}: the retry replays the committed answer"
            assert retried[key][2] == "true"
        ids = {json.loads(body)["appointment"]["id"] for _, body, _ in retried.values()}
        assert len(ids) == len(bookings), "one appointment per key, none doubled"
        for key, body in bookings.items():
            day = body["start"][:10]
            listed = api(base, "GET", f"/api/v1/practices/{practice}/appointments?practitioner={body['practitionerId']}"
                         f"&from={day}T00:00:00%2B01:00&to={day}T23:59:00%2B01:00", token)["appointments"]
            at_start = [a for a in listed if a["start"] == body["start"] and a["status"] == "booked"]
            assert len(at_start) == 1, f"{key}: exactly one booking at {body['start']}"
    finally:
        process.kill()
