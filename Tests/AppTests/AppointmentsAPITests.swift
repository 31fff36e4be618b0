@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Practice A: a 20-minute motif, weekday mornings 09:00–12:00; the clock stands on Tuesday 24 November 2026, 09:30 Paris.
struct AppointmentsAPITests {
    struct Result: Decodable {
        struct Appointment: Decodable {
            let id: UUID; let start: String; let end: String; let status: String; let practitionerId: UUID
            let overrideReason: String?; let seriesId: UUID?
        }
        let appointment: Appointment
        let alsoChanged: [Appointment]
        let readBack: String
    }

    struct Problem: Decodable {
        struct Field: Decodable { let field: String; let reason: String }
        struct Conflict: Decodable { let kind: String; let id: UUID }
        let status: Int
        let errors: [Field]?
        let conflict: Conflict?
        let detail: String?
    }

    static func problem(_ response: TestingHTTPResponse) throws -> Problem {
        try JSONDecoder().decode(Problem.self, from: Data(response.body.readableBytesView))
    }

    struct Setup {
        let world: World
        let token: String
        let motif: UUID
        let patient: UUID
        var base: String { "/api/v1/practices/\(world.practiceA)" }

        func booking(_ start: String, patient: UUID? = nil, extra: String = "") -> String {
            #"{"patientId":"\#(patient ?? self.patient)","practitionerId":"\#(world.practitionerA)","motifId":"\#(motif)","start":"\#(start)"\#(extra)}"#
        }
    }

    static func patient(in practice: UUID, name: String, on app: Application) async throws -> UUID {
        let patient = PatientRecord(id: UUID(), practice: practice, birthName: name, firstNames: "Marie", usedName: nil, birthDate: "1957-12-03", sex: "F")
        try await patient.create(on: app.db)
        app.patientIndexCache.changed(practice, patients: [patient.id!])
        return patient.id!
    }

    static func setUp(_ app: Application, world existing: World? = nil) async throws -> Setup {
        let world = if let existing { existing } else { try await World.build(on: app) }
        let (_, motif) = try await AgendaAPITests.setUp(app, world)
        let token = try await app.apiToken(world.secretaryA)
        return Setup(world: world, token: token, motif: motif, patient: try await patient(in: world.practiceA, name: "Durand", on: app))
    }

    static func liveAppointments(_ app: Application) async throws -> Int {
        try await AppointmentRecord.query(on: app.db).filter(\.$status == "booked").count()
    }

    @Test func aBookingIsReadBackAndKeepsItsHistory() async throws {
        try await withTestApp { app in
            let s = try await Self.setUp(app)
            let response = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"))
            #expect(response.status == .created, "\(response.body.string)")
            let result = try response.content.decode(Result.self)
            #expect(result.appointment.end == "2026-11-26T10:20:00+01:00")
            #expect(result.readBack == "Je récapitule : rendez-vous le jeudi 26 novembre à 10 h avec le Dr Aubert, pour « Consultation », au 1 rue de la Paix, 75002 Paris. Apporter la carte Vitale.")
            let detail = try await app.api(.GET, "\(s.base)/appointments/\(result.appointment.id)", token: s.token)
            struct Detail: Decodable { struct Change: Decodable { let by: String; let action: String }; let history: [Change] }
            #expect(try detail.content.decode(Detail.self).history.map(\.action) == ["create"])
            #expect(try detail.content.decode(Detail.self).history.first?.by == s.world.secretaryA + " (Télésecrétaire)", "the account's name and role")
        }
    }

    @Test func anOverlapIsRefusedWithTheAppointmentInTheWayEvenWithAnOverride() async throws {
        try await withTestApp { app in
            let s = try await Self.setUp(app)
            let first = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"))
            let firstID = try first.content.decode(Result.self).appointment.id
            let other = try await Self.patient(in: s.world.practiceA, name: "Martin", on: app)
            for start in ["2026-11-26T10:00:00+01:00", "2026-11-26T10:10:00+01:00", "2026-11-26T09:50:00+01:00"] {
                let clash = try await app.api(.POST, "\(s.base)/appointments", token: s.token,
                                              json: s.booking(start, patient: other, extra: #","override":{"reason":"demande du médecin"}"#))
                #expect(clash.status == .conflict)
                let problem = try Self.problem(clash)
                #expect(problem.conflict?.kind == "appointment")
                #expect(problem.conflict?.id == firstID)
            }
            // Touching is not overlapping.
            let after = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:20:00+01:00", patient: other))
            #expect(after.status == .created)
            #expect(try await Self.liveAppointments(app) == 2)
        }
    }

    /// The overlap checks read only the rows starting in the day before (migration 0009): the database refuses any
    /// occupied time longer than that, or ending before it starts, so that bound can never hide an overlap.
    @Test func theDatabaseRefusesOccupiedTimeLongerThanADay() async throws {
        try await withTestApp { app in
            let s = try await Self.setUp(app)
            let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"))
            let id = try booked.content.decode(Result.self).appointment.id
            let row = try #require(try await SlotOccupancyRecord.query(on: app.db).filter(\.$appointmentID == id).first())
            let start = row.startsAt
            for end in [start.addingTimeInterval(SlotOccupancy.longest + 60), start.addingTimeInterval(-60)] {
                row.endsAt = end
                await #expect(throws: (any Error).self) { try await row.update(on: app.db) }
            }
            let stored = try #require(try await SlotOccupancyRecord.find(row.id, on: app.db))
            #expect(stored.endsAt == start.addingTimeInterval(20 * 60))
            // Exactly a day is allowed, and an appointment starting just under a day after that row's start still meets it.
            stored.endsAt = start.addingTimeInterval(SlotOccupancy.longest)
            try await stored.update(on: app.db)
            let other = try await Self.patient(in: s.world.practiceA, name: "Martin", on: app)
            let clash = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-27T09:40:00+01:00", patient: other))
            #expect(clash.status == .conflict)
            #expect(try Self.problem(clash).conflict?.id == id)
        }
    }

    @Test func outsideTheHoursNeedsAnOverrideWithAReasonWhichIsRecorded() async throws {
        try await withTestApp { app in
            let s = try await Self.setUp(app)
            let refused = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T14:00:00+01:00"))
            #expect(refused.status == .unprocessableEntity)
            #expect(try Self.problem(refused).errors?.first?.field == "start")
            let empty = try await app.api(.POST, "\(s.base)/appointments", token: s.token,
                                          json: s.booking("2026-11-26T14:00:00+01:00", extra: #","override":{"reason":" "}"#))
            #expect(try Self.problem(empty).errors?.map(\.field) == ["override.reason"])
            #expect(try await Self.liveAppointments(app) == 0)
            let forced = try await app.api(.POST, "\(s.base)/appointments", token: s.token,
                                           json: s.booking("2026-11-26T14:00:00+01:00", extra: #","override":{"reason":"Le Dr Aubert reste l'après-midi"}"#))
            #expect(forced.status == .created)
            let id = try forced.content.decode(Result.self).appointment.id
            #expect(try forced.content.decode(Result.self).appointment.overrideReason == "Le Dr Aubert reste l'après-midi")
            let entry = try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "appointment").filter(\.$entityID == id.uuidString).first()
            #expect(entry?.after?.contains("outside-opening-hours") == true)
            #expect(entry?.after?.contains("Le Dr Aubert reste l'après-midi") == true)
        }
    }

    @Test func badInputNamesTheFieldAndChangesNothing() async throws {
        try await withTestApp { app in
            let s = try await Self.setUp(app)
            let foreign = try await Self.patient(in: s.world.practiceB, name: "Ailleurs", on: app)
            let cases: [(String, String)] = [
                (#"{"patientId":"\#(UUID())","practitionerId":"\#(s.world.practitionerA)","motifId":"\#(s.motif)","start":"2026-11-26T10:00:00+01:00"}"#, "patientId"),
                (s.booking("2026-11-26T10:00:00+01:00", patient: foreign), "patientId"),
                (#"{"patientId":"\#(s.patient)","practitionerId":"\#(s.world.practitionerA)","motifId":"\#(UUID())","start":"2026-11-26T10:00:00+01:00"}"#, "motifId"),
                (s.booking("2026-11-24T09:00:00+01:00"), "start"),
                (s.booking("26/11/2026 10:00"), "start"),
                (s.booking("2026-11-26T10:00:00+01:00", extra: #","urgencyLevel":7"#), "urgencyLevel"),
                (s.booking("2026-11-26T10:00:00+01:00", extra: #","source":"fax"}"#).replacingOccurrences(of: "}}", with: "}"), "source"),
                (#"{"patientId":"\#(s.patient)","practitionerId":"\#(s.world.practitionerB)","motifId":"\#(s.motif)","start":"2026-11-26T10:00:00+01:00"}"#, "practitionerId"),
            ]
            for (body, field) in cases {
                let response = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: body)
                #expect(response.status == .unprocessableEntity, "\(body)")
                #expect(try Self.problem(response).errors?.first?.field == field, "\(body): \(response.body.string)")
            }
            #expect(try await AppointmentRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func aHoldKeepsTheSlotFromOthersUntilConfirmedOrExpired() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let s = try await Self.setUp(app)
            let hold = try await app.api(.POST, "\(s.base)/holds", token: s.token, json: """
                {"practitionerId":"\(s.world.practitionerA)","motifId":"\(s.motif)","start":"2026-11-26T10:00:00+01:00","patientId":"\(s.patient)"}
                """)
            #expect(hold.status == .created, "\(hold.body.string)")
            struct Hold: Decodable { let id: UUID; let expiresAt: String }
            let held = try hold.content.decode(Hold.self)
            #expect(held.expiresAt == "2026-11-24T09:35:00+01:00")
            // The search no longer offers it, and a colleague cannot take it.
            let slots = try await AgendaAPITests.slots(app, "\(s.base)/availability?motif=\(s.motif)&from=2026-11-26T10:00:00%2B01:00&limit=1", token: s.token)
            #expect(slots.map(\.start) == ["2026-11-26T10:20:00+01:00"])
            let supervisor = try await app.apiToken(s.world.supervisor)
            let other = try await Self.patient(in: s.world.practiceA, name: "Martin", on: app)
            let clash = try await app.api(.POST, "\(s.base)/appointments", token: supervisor, json: s.booking("2026-11-26T10:00:00+01:00", patient: other))
            #expect(clash.status == .conflict)
            #expect(try Self.problem(clash).conflict?.kind == "hold")
            #expect(try Self.problem(clash).conflict?.id == held.id)
            // Confirmed into an appointment by the secretary who holds it.
            let confirmed = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00", extra: #","holdId":"\#(held.id)""#))
            #expect(confirmed.status == .created, "\(confirmed.body.string)")
            #expect(try await HoldRecord.find(held.id, on: app.db)?.state == "confirmed")

            // Another hold expires after five minutes; then the time is free again.
            let second = try await app.api(.POST, "\(s.base)/holds", token: s.token, json: """
                {"practitionerId":"\(s.world.practitionerA)","motifId":"\(s.motif)","start":"2026-11-26T11:00:00+01:00"}
                """)
            let secondID = try second.content.decode(Hold.self).id
            clock.advance(by: 5 * 60)
            let slotsAfter = try await AgendaAPITests.slots(app, "\(s.base)/availability?motif=\(s.motif)&from=2026-11-26T11:00:00%2B01:00&limit=1", token: s.token)
            #expect(slotsAfter.map(\.start) == ["2026-11-26T11:00:00+01:00"])
            let taken = try await app.api(.POST, "\(s.base)/appointments", token: supervisor, json: s.booking("2026-11-26T11:00:00+01:00", patient: other))
            #expect(taken.status == .created, "\(taken.body.string)")
            #expect(try await HoldRecord.find(secondID, on: app.db)?.state == "expired")
        }
    }

    @Test func aMoveOffersAlternativesAndKeepsTheAppointmentsIdentity() async throws {
        try await withTestApp { app in
            let s = try await Self.setUp(app)
            let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"))
            let id = try booked.content.decode(Result.self).appointment.id
            let alternatives = try await AgendaAPITests.slots(app, "\(s.base)/appointments/\(id)/alternatives", token: s.token)
            #expect(alternatives.count == 5)
            // Closest first: Thursday 09:40 and 10:20 (20 minutes away), then Wednesday and Friday at 10:00.
            #expect(alternatives.prefix(2).map(\.start) == ["2026-11-26T09:40:00+01:00", "2026-11-26T10:20:00+01:00"])
            let moved = try await app.api(.POST, "\(s.base)/appointments/\(id)/move", token: s.token, json: #"{"start":"\#(alternatives[0].start)"}"#)
            #expect(moved.status == .ok, "\(moved.body.string)")
            let result = try moved.content.decode(Result.self)
            #expect(result.appointment.id == id)
            #expect(result.appointment.start == "2026-11-26T09:40:00+01:00")
            #expect(result.readBack.hasPrefix("Je récapitule : votre rendez-vous du jeudi 26 novembre à 10 h est déplacé au jeudi 26 novembre à 9 h 40 avec le Dr Aubert"))
            let history = try await AuditEntryRecord.query(on: app.db).filter(\.$entityID == id.uuidString).sort(\.$id).all()
            #expect(history.map(\.action) == ["create", "update"])
            // The old time is free again.
            let free = try await AgendaAPITests.slots(app, "\(s.base)/availability?motif=\(s.motif)&from=2026-11-26T10:00:00%2B01:00&limit=1", token: s.token)
            #expect(free.map(\.start) == ["2026-11-26T10:00:00+01:00"])
        }
    }

    @Test func thePatientsHistoryTellsEachChangeOfAnAppointmentAsItWasThenAndWhoMadeIt() async throws {
        try await withTestApp { app in
            let s = try await Self.setUp(app)
            let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"))
            let id = try booked.content.decode(Result.self).appointment.id
            #expect(try await app.api(.POST, "\(s.base)/appointments/\(id)/move", token: s.token, json: #"{"start":"2026-11-26T09:40:00+01:00"}"#).status == .ok)
            #expect(try await app.api(.POST, "\(s.base)/appointments/\(id)/cancel", token: s.token,
                                      json: #"{"party":"patient","reason":"Empêchement"}"#).status == .ok)
            // A call of the patient, closed then corrected: both in the history.
            let call = try await app.api(.POST, "\(s.base)/calls", token: s.token, json: #"{"patientId":"\#(s.patient)","reasons":["appointment"],"outcome":"handled"}"#)
            struct Call: Decodable { let id: UUID }
            let callID = try call.content.decode(Call.self).id
            #expect(try await app.api(.POST, "\(s.base)/calls/\(callID)/close", token: s.token).status == .ok)
            #expect(try await app.api(.POST, "\(s.base)/calls/\(callID)/corrections", token: s.token, json: #"{"text":"Rappel demandé"}"#).status == .created)

            struct T: Decodable { struct E: Decodable { let kind: String; let title: String; let detail: String; let by: String; let link: String? }; let entries: [E] }
            let timeline = try await app.api(.GET, "\(s.base)/patients/\(s.patient)/timeline", token: s.token)
            #expect(timeline.status == .ok, "\(timeline.body.string)")
            let entries = try timeline.content.decode(T.self).entries
            let changes = entries.filter { $0.kind == "appointment" }
            // Newest first, each with the slot and status of its own time.
            #expect(changes.map(\.title) == ["Rendez-vous : annulé", "Rendez-vous déplacé (il était le jeu. 26/11 à 10:00)", "Rendez-vous pris"])
            #expect(changes.map(\.detail) == ["RDV du jeu. 26/11 à 09:40 — Consultation — annulé", "RDV du jeu. 26/11 à 09:40 — Consultation — réservé",
                                               "RDV du jeu. 26/11 à 10:00 — Consultation — réservé"])
            #expect(changes.allSatisfy { $0.by == s.world.secretaryA + " (Télésecrétaire)" && $0.link == "/cabinets/\(s.world.practiceA)/rendez-vous/\(id)" })
            #expect(entries.filter { $0.kind == "correction" }.map(\.detail) == ["Rappel demandé"])
            #expect(entries.filter { $0.kind == "call" }.count == 1)
            // Another patient's history holds none of it.
            let other = try await Self.patient(in: s.world.practiceA, name: "Martin", on: app)
            let theirs = try await app.api(.GET, "\(s.base)/patients/\(other)/timeline", token: s.token).content.decode(T.self)
            #expect(theirs.entries.isEmpty)
        }
    }

    @Test func aCancellationFreesTheTimeAndCallsTheWaitingList() async throws {
        try await withTestApp { app in
            let s = try await Self.setUp(app)
            let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"))
            let id = try booked.content.decode(Result.self).appointment.id
            let waiting = try await Self.patient(in: s.world.practiceA, name: "Pressé", on: app)
            let low = try await Self.patient(in: s.world.practiceA, name: "Patient", on: app)
            for (patient, priority) in [(low, "low"), (waiting, "high")] {
                let entry = try await app.api(.POST, "\(s.base)/waiting-list", token: s.token, json: """
                    {"patientId":"\(patient)","motifId":"\(s.motif)","from":"2026-11-25T00:00:00+01:00","until":"2026-11-28T00:00:00+01:00","priority":"\(priority)"}
                    """)
                #expect(entry.status == .created, "\(entry.body.string)")
            }
            let refused = try await app.api(.POST, "\(s.base)/appointments/\(id)/cancel", token: s.token, json: #"{"party":"voisin","reason":""}"#)
            #expect(try Self.problem(refused).errors?.map(\.field) == ["party", "reason"])
            let cancelled = try await app.api(.POST, "\(s.base)/appointments/\(id)/cancel", token: s.token, json: #"{"party":"patient","reason":"Empêchement professionnel"}"#)
            #expect(cancelled.status == .ok, "\(cancelled.body.string)")
            let result = try cancelled.content.decode(Result.self)
            #expect(result.appointment.status == "cancelled")
            #expect(result.readBack == "Je récapitule : votre rendez-vous du jeudi 26 novembre à 10 h avec le Dr Aubert, pour « Consultation », est annulé.")
            struct List: Decodable { struct Entry: Decodable { let patientId: UUID; let state: String; let matchedStart: String? }; let entries: [Entry] }
            let list = try await app.api(.GET, "\(s.base)/waiting-list?state=to-call", token: s.token).content.decode(List.self)
            #expect(list.entries.map(\.patientId) == [waiting, low])
            #expect(list.entries.allSatisfy { $0.matchedStart == "2026-11-26T10:00:00+01:00" })
            let again = try await app.api(.POST, "\(s.base)/appointments/\(id)/cancel", token: s.token, json: #"{"party":"patient","reason":"deux fois"}"#)
            #expect(again.status == .conflict)
        }
    }

    @Test func noShowsAreCountedOnThePatientOnceTheTimeHasCome() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let s = try await Self.setUp(app)
            let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-24T10:00:00+01:00"))
            let id = try booked.content.decode(Result.self).appointment.id
            let early = try await app.api(.POST, "\(s.base)/appointments/\(id)/status", token: s.token, json: #"{"status":"noshow"}"#)
            #expect(early.status == .conflict)
            clock.advance(by: 45 * 60)
            let late = try await app.api(.POST, "\(s.base)/appointments/\(id)/status", token: s.token, json: #"{"status":"noshow"}"#)
            #expect(late.status == .ok, "\(late.body.string)")
            struct Patient: Decodable { let recentNoShows: Int; let appointments: [Result.Appointment] }
            let patient = try await app.api(.GET, "\(s.base)/appointments?patient=\(s.patient)", token: s.token).content.decode(Patient.self)
            #expect(patient.recentNoShows == 1)
            #expect(patient.appointments.map(\.status) == ["noshow"])
            let unknown = try await app.api(.POST, "\(s.base)/appointments/\(id)/status", token: s.token, json: #"{"status":"perdu"}"#)
            #expect(try Self.problem(unknown).errors?.first?.field == "status")
        }
    }

    @Test func aSeriesReportsWhatItCouldNotBookAndCancelsFromOneOccurrenceOn() async throws {
        try await withTestApp { app in
            let s = try await Self.setUp(app)
            // Someone already has Thursday 3 December at 10:00.
            let other = try await Self.patient(in: s.world.practiceA, name: "Martin", on: app)
            _ = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-12-03T10:00:00+01:00", patient: other))
            let response = try await app.api(.POST, "\(s.base)/series", token: s.token, json: """
                {"patientId":"\(s.patient)","practitionerId":"\(s.world.practitionerA)","motifId":"\(s.motif)","firstStart":"2026-11-26T10:00:00+01:00","count":4}
                """)
            #expect(response.status == .created, "\(response.body.string)")
            struct Series: Decodable {
                struct Failure: Decodable { let start: String; let reasons: [String]; let alternatives: [String] }
                let seriesId: UUID; let booked: [Result.Appointment]; let failed: [Failure]; let readBack: String
            }
            let series = try response.content.decode(Series.self)
            #expect(series.booked.map(\.start) == ["2026-11-26T10:00:00+01:00", "2026-12-10T10:00:00+01:00", "2026-12-17T10:00:00+01:00"])
            #expect(series.failed.map(\.start) == ["2026-12-03T10:00:00+01:00"])
            #expect(series.failed.first?.reasons == ["le créneau est déjà pris"])
            #expect(series.failed.first?.alternatives.first == "2026-12-03T09:40:00+01:00")
            #expect(series.readBack.hasPrefix("Je récapitule : 3 rendez-vous avec le Dr Aubert"))
            let bad = try await app.api(.POST, "\(s.base)/series", token: s.token, json: """
                {"patientId":"\(s.patient)","practitionerId":"\(s.world.practitionerA)","motifId":"\(s.motif)","firstStart":"2026-11-26T10:00:00+01:00","count":60}
                """)
            #expect(try Self.problem(bad).errors?.map(\.field) == ["count"])

            let cancel = try await app.api(.POST, "\(s.base)/appointments/\(series.booked[1].id)/cancel", token: s.token,
                                           json: #"{"party":"patient","reason":"Fin de la rééducation","scope":"following"}"#)
            let result = try cancel.content.decode(Result.self)
            #expect(result.alsoChanged.map(\.id) == [series.booked[2].id])
            #expect(try await AppointmentRecord.find(series.booked[0].id, on: app.db)?.status == "booked")
            #expect(try await AppointmentRecord.find(series.booked[2].id, on: app.db)?.status == "cancelled")
        }
    }

    @Test func aRetriedPostWithTheSameIdempotencyKeyGetsTheFirstAnswer() async throws {
        try await withTestApp { app in
            let s = try await Self.setUp(app)
            let headers: HTTPHeaders = ["Idempotency-Key": "appel-42-reservation"]
            let body = s.booking("2026-11-26T10:00:00+01:00")
            let first = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: body, headers: headers)
            let second = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: body, headers: headers)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.body.string == first.body.string)
            #expect(second.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try await Self.liveAppointments(app) == 1)
            let reused = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T11:00:00+01:00"), headers: headers)
            #expect(reused.status == .unprocessableEntity)
            #expect(try Self.problem(reused).errors?.first?.field == "Idempotency-Key")
            #expect(try await Self.liveAppointments(app) == 1)
        }
    }

    @Test func anotherPracticesAppointmentsAreNotFound() async throws {
        try await withTestApp { app in
            let s = try await Self.setUp(app)
            let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"))
            let id = try booked.content.decode(Result.self).appointment.id
            let outsider = try await app.apiToken(s.world.practitionerUserB)
            #expect(try await app.api(.GET, "\(s.base)/appointments/\(id)", token: outsider).status == .notFound)
            #expect(try await app.api(.POST, "\(s.base)/appointments/\(id)/cancel", token: outsider, json: #"{"party":"patient","reason":"x"}"#).status == .notFound)
            let viaB = "/api/v1/practices/\(s.world.practiceB)/appointments/\(id)"
            #expect(try await app.api(.GET, viaB, token: outsider).status == .notFound)
        }
    }

    /// The guarantee does not rest on the application's check: the database itself refuses an overlapping row.
    @Test func theDatabaseRefusesAnOverlapWrittenBehindTheApplicationsBack() async throws {
        try await withTestApp { app in
            let s = try await Self.setUp(app)
            let start = ISOTimestamp.parse("2026-11-26T10:00:00+01:00")!
            try await SlotOccupancyRecord(practice: s.world.practiceA, practitioner: s.world.practitionerA, start: start,
                                          end: start.addingTimeInterval(1200)).create(on: app.db)
            await #expect {
                try await SlotOccupancyRecord(practice: s.world.practiceA, practitioner: s.world.practitionerA, start: start.addingTimeInterval(600),
                                              end: start.addingTimeInterval(1800)).create(on: app.db)
            } throws: { SlotOccupancy.isOverlapRefusal($0) }
            // Another practitioner at the same time is fine, and so is the next slot.
            try await SlotOccupancyRecord(practice: s.world.practiceB, practitioner: s.world.practitionerB, start: start,
                                          end: start.addingTimeInterval(1200)).create(on: app.db)
            try await SlotOccupancyRecord(practice: s.world.practiceA, practitioner: s.world.practitionerA, start: start.addingTimeInterval(1200),
                                          end: start.addingTimeInterval(2400)).create(on: app.db)
            #expect(try await SlotOccupancyRecord.query(on: app.db).count() == 3)
        }
    }
}
