@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

struct CallJournalAPITests {
    struct Call: Decodable {
        struct Correction: Decodable { let kind: String; let text: String; let author: String }
        struct Link: Decodable { let kind: String; let id: UUID }
        let id: UUID
        let callerNumber: String
        let patientId: UUID?
        let reasons: [String]
        let notes: String
        let outcome: String?
        let playbookVersion: Int?
        let checklist: [String]
        let state: String
        let durationSeconds: Int?
        let corrections: [Correction]?
        let links: [Link]?
    }

    @Test func aCallIsOpenedWrittenAndClosedWithItsMeasuredDuration() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            let opened = try await app.api(.POST, "\(w.base)/calls", token: w.secretary, json: #"{"callerNumber":"06 12 34 56 78"}"#)
            #expect(opened.status == .created)
            let call = try APIJSON.decode(Call.self, opened)
            #expect(call.callerNumber == "+33612345678")
            #expect(call.patientId == nil, "not identified yet")
            #expect(call.state == "open")

            clock.advance(by: 185)
            let written = try await app.api(.PATCH, "\(w.base)/calls/\(call.id)", token: w.secretary,
                                            json: #"{"patientId":"\#(w.patient)","reasons":["prescriptionRenewal","appointment"],"notes":"Souhaite un renouvellement."}"#)
            #expect(written.status == .ok)
            #expect(try APIJSON.decode(Call.self, written).reasons == ["appointment", "prescriptionRenewal"], "kept in the order of the list")
            let closed = try await app.api(.POST, "\(w.base)/calls/\(call.id)/close", token: w.secretary, json: #"{"outcome":"transmitted"}"#)
            #expect(closed.status == .ok)
            let after = try APIJSON.decode(Call.self, closed)
            #expect(after.state == "closed")
            #expect(after.durationSeconds == 185)
            #expect(after.patientId == w.patient)

            let list = try await app.api(.GET, "\(w.base)/calls?patientId=\(w.patient)", token: w.secretary)
            #expect(list.body.string.contains(call.id.uuidString))
        }
    }

    /// Issue 21: a booking made in a call ticks « Prise de rendez-vous » (before, the first « Clôturer » was refused for
    /// want of a reason); a move, a cancellation, a triage and an urgent transmission tick theirs; a routine message does
    /// not say why the caller rang and ticks nothing; a closed call keeps what was said. Each tick is a journaled change.
    @Test func whatIsDoneDuringACallTicksTheReasonItTells() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let (_, motif) = try await AgendaAPITests.setUp(app, w.world)
            let call = try APIJSON.decode(Call.self, try await app.api(.POST, "\(w.base)/calls", token: w.secretary,
                                                                       json: #"{"patientId":"\#(w.patient)","reasons":["results"]}"#))
            func reasons() async throws -> [String] {
                try APIJSON.decode(Call.self, try await app.api(.GET, "\(w.base)/calls/\(call.id)", token: w.secretary)).reasons
            }
            func transmit(_ priority: String) async throws {
                let sent = try await app.api(.POST, "\(w.base)/transmissions", token: w.secretary, json: """
                    {"practitionerId":"\(w.world.practitionerA)","patientId":"\(w.patient)","callId":"\(call.id)","priority":"\(priority)","subject":"Résultats","callbackNumber":"06 12 34 56 78"}
                    """)
                #expect(sent.status == .created, "\(sent.body.string)")
            }
            try await transmit("normal")
            #expect(try await reasons() == ["results"], "a routine message ticks nothing")

            let booked = try await app.api(.POST, "\(w.base)/appointments", token: w.secretary, json: """
                {"patientId":"\(w.patient)","practitionerId":"\(w.world.practitionerA)","motifId":"\(motif)","start":"2026-11-26T10:00:00+01:00","callId":"\(call.id)"}
                """)
            #expect(booked.status == .created, "\(booked.body.string)")
            struct Booked: Decodable { struct A: Decodable { let id: UUID }; let appointment: A }
            let appointment = try booked.content.decode(Booked.self).appointment.id
            #expect(try await reasons() == ["appointment", "results"])
            let moved = try await app.api(.POST, "\(w.base)/appointments/\(appointment)/move", token: w.secretary,
                                          json: #"{"start":"2026-11-26T11:00:00+01:00","callId":"\#(call.id)"}"#)
            #expect(moved.status == .ok, "\(moved.body.string)")
            #expect(try await reasons() == ["appointment", "move", "results"])
            let cancelled = try await app.api(.POST, "\(w.base)/appointments/\(appointment)/cancel", token: w.secretary,
                                              json: #"{"party":"patient","reason":"Empêchement","callId":"\#(call.id)"}"#)
            #expect(cancelled.status == .ok, "\(cancelled.body.string)")
            #expect(try await reasons() == ["appointment", "move", "cancellation", "results"])
            try await transmit("urgent")
            #expect(try await reasons() == ["appointment", "move", "cancellation", "results", "urgent"])

            // Each tick is a change of the call in the journal, with the reasons before and after.
            let changes = try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "call").filter(\.$entityID == call.id.uuidString)
                .filter(\.$action == "update").count()
            #expect(changes == 4)

            // Closed, the call keeps what was said: a message sent afterwards links to it without ticking anything.
            #expect(try await app.api(.POST, "\(w.base)/calls/\(call.id)/close", token: w.secretary, json: #"{"outcome":"handled"}"#).status == .ok)
            let sealed = try await reasons()
            let rebooked = try await app.api(.POST, "\(w.base)/appointments", token: w.secretary, json: """
                {"patientId":"\(w.patient)","practitionerId":"\(w.world.practitionerA)","motifId":"\(motif)","start":"2026-11-27T10:00:00+01:00","callId":"\(call.id)"}
                """)
            #expect(rebooked.status == .created)
            #expect(try await reasons() == sealed)
            let links = try APIJSON.decode(Call.self, try await app.api(.GET, "\(w.base)/calls/\(call.id)", token: w.secretary)).links ?? []
            #expect(links.filter { $0.kind == "appointment" }.count == 2, "the late booking still belongs to the call")
        }
    }

    @Test func aClosedCallIsNeverEditedAndCorrectionsAreAppendedAsSuch() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let call = try APIJSON.decode(Call.self, try await app.api(.POST, "\(w.base)/calls", token: w.secretary,
                                                                       json: #"{"reasons":["information"],"notes":"Horaires demandés","outcome":"handled"}"#))
            #expect(try await app.api(.POST, "\(w.base)/calls/\(call.id)/close", token: w.secretary).status == .ok)

            for body in [#"{"notes":"réécrit"}"#, #"{"patientId":"\#(w.patient)"}"#, #"{"outcome":"interrupted"}"#] {
                let refused = try await app.api(.PATCH, "\(w.base)/calls/\(call.id)", token: w.secretary, json: body)
                #expect(refused.status == .conflict)
                #expect(try APIJSON.decode(APIJSON.Problem.self, refused).detail?.contains("correction") == true)
            }
            #expect(try await app.api(.POST, "\(w.base)/calls/\(call.id)/close", token: w.secretary).status == .conflict)
            let empty = try await app.api(.POST, "\(w.base)/calls/\(call.id)/corrections", token: w.secretary, json: #"{"text":"  "}"#)
            #expect(empty.status == .unprocessableEntity)

            let corrected = try await app.api(.POST, "\(w.base)/calls/\(call.id)/corrections", token: w.secretary,
                                              json: #"{"text":"Il s'agissait des horaires du samedi."}"#)
            #expect(corrected.status == .created)
            let shown = try APIJSON.decode(Call.self, try await app.api(.GET, "\(w.base)/calls/\(call.id)", token: w.secretary))
            #expect(shown.notes == "Horaires demandés", "what was said stays as it was")
            #expect(shown.outcome == "handled")
            #expect(shown.corrections?.map(\.text) == ["Il s'agissait des horaires du samedi."])
            #expect(shown.corrections?.first?.author == w.world.secretaryA + " (Télésecrétaire)")
            let stored = try #require(try await CallRecord.find(call.id, on: app.db))
            #expect(stored.notes == "Horaires demandés")
        }
    }

    @Test func badInputNamesTheFieldAndChangesNothing() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let other = UUID()
            for (body, field) in [(#"{"callerNumber":"12"}"#, "callerNumber"), (#"{"patientId":"\#(other)"}"#, "patientId")] {
                let refused = try await app.api(.POST, "\(w.base)/calls", token: w.secretary, json: body)
                #expect(refused.status == .unprocessableEntity)
                #expect(try APIJSON.decode(APIJSON.Problem.self, refused).errors?.map(\.field) == [field])
            }
            #expect(try await CallRecord.query(on: app.db).count() == 0)

            let call = try APIJSON.decode(Call.self, try await app.api(.POST, "\(w.base)/calls", token: w.secretary, json: "{}"))
            let unclosable = try await app.api(.POST, "\(w.base)/calls/\(call.id)/close", token: w.secretary, json: "{}")
            #expect(unclosable.status == .unprocessableEntity)
            #expect(Set(try APIJSON.decode(APIJSON.Problem.self, unclosable).errors?.map(\.field) ?? []) == ["reasons", "outcome"])
            #expect(try await CallRecord.find(call.id, on: app.db)?.state == "open")
            let notClosed = try await app.api(.POST, "\(w.base)/calls/\(call.id)/corrections", token: w.secretary, json: #"{"text":"x"}"#)
            #expect(notClosed.status == .conflict)
        }
    }

    /// The stores say what they wrote to the consoles of the practice, whoever called them (API or screen); a refused
    /// write says nothing.
    @Test func theStoresTellTheConsolesWhatTheyWroteAndNothingWhenRefused() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let (_, events) = await app.liveHub.subscribe(practices: [w.world.practiceA])
            #expect(try await app.api(.POST, "\(w.base)/tasks", token: w.secretary, json: #"{"title":""}"#).status == .unprocessableEntity)
            #expect(try await app.api(.POST, "\(w.base)/tasks", token: w.secretary,
                                      json: #"{"patientId":"\#(w.patient)","title":"Rappeler Mme Durand"}"#).status == .created)
            #expect(try await app.api(.POST, "\(w.base)/transmissions", token: w.secretary, json: """
                {"practitionerId":"\(w.world.practitionerA)","patientId":"\(w.patient)","priority":"normal","subject":"Résultats"}
                """).status == .created)
            let supervisor = try await app.apiToken(w.world.supervisor)
            #expect(try await app.api(.POST, "/api/v1/handover-notes", token: supervisor,
                                      json: #"{"practiceId":"\#(w.world.practiceA)","text":"Travaux devant le cabinet"}"#).status == .created)
            // A marker after the writes: what came before it is what they published.
            await app.liveHub.publish(LiveEvent(kind: .agenda, practiceID: w.world.practiceA))
            var seen: [LiveEvent.Kind] = []
            for await event in events {
                if event.kind == .agenda { break }
                seen.append(event.kind)
            }
            #expect(seen == [.queue, .transmission, .queue, .handover])
        }
    }

    @Test func theTimelineShowsCallsTransmissionsAndTasksNewestFirst() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            let call = try APIJSON.decode(Call.self, try await app.api(.POST, "\(w.base)/calls", token: w.secretary,
                                                                       json: #"{"patientId":"\#(w.patient)","reasons":["results"]}"#))
            clock.advance(by: 60)
            let sent = try await app.api(.POST, "\(w.base)/transmissions", token: w.secretary, json: """
                {"practitionerId":"\(w.world.practitionerA)","patientId":"\(w.patient)","callId":"\(call.id)","priority":"normal","subject":"Résultats de prise de sang"}
                """)
            #expect(sent.status == .created)
            clock.advance(by: 60)
            #expect(try await app.api(.POST, "\(w.base)/tasks", token: w.secretary,
                                      json: #"{"patientId":"\#(w.patient)","title":"Rappeler Mme Durand quand le docteur a répondu"}"#).status == .created)
            let timeline = try await app.api(.GET, "\(w.base)/patients/\(w.patient)/timeline", token: w.secretary)
            #expect(timeline.status == .ok)
            struct T: Decodable { struct E: Decodable { let kind: String; let title: String }; let entries: [E] }
            let kinds = try APIJSON.decode(T.self, timeline).entries.map(\.kind)
            #expect(Array(kinds.prefix(3)) == ["task", "transmission", "call"])
            let linked = try APIJSON.decode(Call.self, try await app.api(.GET, "\(w.base)/calls/\(call.id)", token: w.secretary))
            #expect(linked.links?.map(\.kind) == ["transmission"])
        }
    }

    /// Saves a playbook with a prescription procedure for practice A; returns its version.
    static func savePlaybook(_ app: Application, _ w: JournalWorld, collect: [String]) async throws -> Int {
        let token = try await app.apiToken(w.world.supervisor)
        let base = "/api/v1/practices/\(w.world.practiceA)/playbook"
        struct Answer: Decodable { let version: Int; let document: Playbook }
        var playbook = try await app.api(.GET, base, token: token).content.decode(Answer.self).document
        playbook.sheet.coverage = "Du lundi au vendredi, de 8 h à 19 h."
        playbook.procedures = [Procedure(requestType: .prescriptionRenewal, collect: collect, say: "Je transmets au médecin.", outcome: .transmit)]
        let saved = try await app.api(.PUT, base, token: token, json: String(decoding: try JSONEncoder().encode(["playbook": playbook]), as: UTF8.self))
        #expect(saved.status == .ok)
        return try saved.content.decode(Answer.self).version
    }

    @Test func theChecklistIsRecordedWithThePlaybookVersionTheCallFollowed() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let first = try await Self.savePlaybook(app, w, collect: ["Nom du médicament", "Pharmacie habituelle"])
            let call = try APIJSON.decode(Call.self, try await app.api(.POST, "\(w.base)/calls", token: w.secretary, json: "{}"))
            #expect(call.playbookVersion == first)
            // The practice changes its procedure during the call: the call keeps the one it started with.
            _ = try await Self.savePlaybook(app, w, collect: ["Nom du médicament", "Date de la dernière ordonnance"])
            let unknown = try await app.api(.PATCH, "\(w.base)/calls/\(call.id)", token: w.secretary,
                                            json: #"{"checklist":["Renouvellement d'ordonnance : Date de la dernière ordonnance"]}"#)
            #expect(unknown.status == .unprocessableEntity)
            #expect(try APIJSON.decode(APIJSON.Problem.self, unknown).errors?.map(\.field) == ["checklist"])
            let ticked = try await app.api(.PATCH, "\(w.base)/calls/\(call.id)", token: w.secretary, json: """
                {"checklist":["Renouvellement d'ordonnance : Pharmacie habituelle","Renouvellement d'ordonnance : Nom du médicament"],"reasons":["prescriptionRenewal"]}
                """)
            #expect(ticked.status == .ok)
            let saved = try APIJSON.decode(Call.self, ticked)
            #expect(saved.checklist == ["Renouvellement d'ordonnance : Nom du médicament", "Renouvellement d'ordonnance : Pharmacie habituelle"], "in the procedure's order")
            #expect(saved.playbookVersion == first)
        }
    }

    @Test func aDifficultCallerIsNotedAndASupervisorIsAskedThroughTheQueue() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let call = try APIJSON.decode(Call.self, try await app.api(.POST, "\(w.base)/calls", token: w.secretary,
                                                                       json: #"{"callerNumber":"0612345678","patientId":"\#(w.patient)"}"#))
            let asked = try await app.api(.POST, "\(w.base)/calls/\(call.id)/incidents", token: w.secretary, json: #"{"text":"Appelant très agressif, menace."}"#)
            #expect(asked.status == .created)
            let shown = try APIJSON.decode(Call.self, try await app.api(.GET, "\(w.base)/calls/\(call.id)", token: w.secretary))
            #expect(shown.corrections?.map(\.kind) == ["incident"])
            #expect(shown.links?.map(\.kind) == ["task"])
            #expect(shown.state == "open", "the call goes on")
            struct Queue: Decodable { struct Item: Decodable { let kind: String; let priority: Int; let details: String }; let items: [Item] }
            let supervisor = try await app.apiToken(w.world.supervisor)
            let queue = try APIJSON.decode(Queue.self, try await app.api(.GET, "/api/v1/queue", token: supervisor))
            #expect(queue.items.first?.kind == TaskKind.supervisorTakeover.label)
            #expect(queue.items.first?.priority == QueuePriority.urgent.rawValue)
            #expect(queue.items.first?.details == "Appelant très agressif, menace.")
            let byHand = try await app.api(.POST, "\(w.base)/tasks", token: w.secretary, json: #"{"kind":"supervisorTakeover","title":"x","patientId":"\#(w.patient)"}"#)
            #expect(byHand.status == .unprocessableEntity)
        }
    }

    @Test func anAppointmentBookedDuringTheCallIsLinkedFromIt() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let (_, motif) = try await AgendaAPITests.setUp(app, w.world)
            let call = try APIJSON.decode(Call.self, try await app.api(.POST, "\(w.base)/calls", token: w.secretary, json: #"{"patientId":"\#(w.patient)"}"#))
            let booking = """
                {"patientId":"\(w.patient)","practitionerId":"\(w.world.practitionerA)","motifId":"\(motif)","start":"2026-11-25T10:00:00+01:00",
                 "callId":"%@"}
                """
            let stranger = try await app.api(.POST, "\(w.base)/appointments", token: w.secretary, json: booking.replacingOccurrences(of: "%@", with: UUID().uuidString))
            #expect(stranger.status == .unprocessableEntity)
            #expect(try APIJSON.decode(APIJSON.Problem.self, stranger).errors?.map(\.field) == ["callId"])
            #expect(try await AppointmentRecord.query(on: app.db).count() == 0, "nothing booked")
            let booked = try await app.api(.POST, "\(w.base)/appointments", token: w.secretary, json: booking.replacingOccurrences(of: "%@", with: call.id.uuidString))
            #expect(booked.status == .created)
            let appointment = try #require(try await AppointmentRecord.query(on: app.db).first())
            let links = try APIJSON.decode(Call.self, try await app.api(.GET, "\(w.base)/calls/\(call.id)", token: w.secretary)).links ?? []
            #expect(links.map(\.kind) == ["appointment"])
            #expect(links.first?.id == appointment.id)
        }
    }
}
