@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

struct TransmissionEscalationTests {
    struct Transmission: Decodable {
        let id: UUID
        let state: String
        let escalationStep: Int
        let callbackNumber: String
        let readBack: String?
        let answer: String?
        let relayTaskId: UUID?
        let backupPractitionerId: UUID?
    }

    static func sendUrgent(_ app: Application, _ w: JournalWorld, subject: String = "Douleur thoracique depuis ce matin") async throws -> Transmission {
        let sent = try await app.api(.POST, "\(w.base)/transmissions", token: w.secretary, json: """
            {"practitionerId":"\(w.world.practitionerA)","patientId":"\(w.patient)","priority":"urgent","subject":"\(subject)","message":"Mme Durand, fièvre et douleur."}
            """)
        #expect(sent.status == .created)
        return try APIJSON.decode(Transmission.self, sent)
    }

    @Test func aTransmissionIsSentWithItsReadBackAndThePatientsNumber() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let sent = try await app.api(.POST, "\(w.base)/transmissions", token: w.secretary, json: """
                {"practitionerId":"\(w.world.practitionerA)","patientId":"\(w.patient)","priority":"normal","subject":"renouvellement d'ordonnance"}
                """)
            #expect(sent.status == .created)
            let t = try APIJSON.decode(Transmission.self, sent)
            #expect(t.state == "new")
            #expect(t.callbackNumber == "+33612345678", "the patient's first number when none is given")
            #expect(t.readBack == "Je transmets au Dr Aubert votre demande : renouvellement d'ordonnance. Nous vous rappellerons au 06 12 34 56 78 dès que possible.")
        }
    }

    @Test func badTransmissionsNameTheirFieldsAndAreNotSaved() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let cases: [(String, Set<String>)] = [
                ("{}", ["practitionerId", "priority", "subject"]),
                (#"{"practitionerId":"\#(w.world.practitionerA)","priority":"urgent","subject":"Rappel"}"#, ["callbackNumber"]),
                (#"{"practitionerId":"\#(w.world.practitionerA)","priority":"normal","subject":"x","callbackNumber":"99"}"#, ["callbackNumber"]),
                (#"{"practitionerId":"\#(w.world.practitionerB)","priority":"normal","subject":"x"}"#, ["practitionerId"]),
            ]
            for (body, fields) in cases {
                let refused = try await app.api(.POST, "\(w.base)/transmissions", token: w.secretary, json: body)
                #expect(refused.status == .unprocessableEntity, "\(body)")
                #expect(Set(try APIJSON.decode(APIJSON.Problem.self, refused).errors?.map(\.field) ?? []) == fields, "\(body)")
            }
            let unknown = try await app.api(.POST, "\(w.base)/transmissions", token: w.secretary, json: #"{"priority":"bientôt"}"#)
            #expect(unknown.status == .unprocessableEntity)
            #expect(try APIJSON.decode(APIJSON.Problem.self, unknown).errors?.map(\.field) == ["priority"])
            #expect(try await TransmissionRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func onlyTheAddressedPractitionerAcknowledges() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let t = try await Self.sendUrgent(app, w)
            for token in [w.colleague, w.secretary, try await app.apiToken(w.world.supervisor)] {
                let refused = try await app.api(.POST, "\(w.base)/transmissions/\(t.id)/acknowledge", token: token)
                #expect(refused.status == .forbidden)
                #expect(try APIJSON.decode(APIJSON.Problem.self, refused).detail?.contains("autre praticien") == true)
                #expect(try await app.api(.POST, "\(w.base)/transmissions/\(t.id)/answer", token: token, json: #"{"answer":"ok"}"#).status == .forbidden)
            }
            #expect(try await TransmissionRecord.find(t.id, on: app.db)?.stateText == "new", "nothing changed")
            // The practitioner of another practice does not even find it.
            let outsider = try await app.apiToken(w.world.practitionerUserB)
            #expect(try await app.api(.POST, "\(w.base)/transmissions/\(t.id)/acknowledge", token: outsider).status == .notFound)

            let acknowledged = try await app.api(.POST, "\(w.base)/transmissions/\(t.id)/acknowledge", token: w.doctor)
            #expect(acknowledged.status == .ok)
            #expect(try APIJSON.decode(Transmission.self, acknowledged).state == "acknowledged")
            #expect(try await app.api(.POST, "\(w.base)/transmissions/\(t.id)/acknowledge", token: w.doctor).status == .conflict)
        }
    }

    @Test func theAnswerEndsTheTransmissionAndQueuesATaskToRelayIt() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let t = try await Self.sendUrgent(app, w)
            #expect(try await app.api(.POST, "\(w.base)/transmissions/\(t.id)/answer", token: w.doctor, json: #"{"answer":" "}"#).status == .unprocessableEntity)
            let answered = try await app.api(.POST, "\(w.base)/transmissions/\(t.id)/answer", token: w.doctor,
                                             json: #"{"answer":"Rappeler la patiente pour lui dire de venir à 11 h."}"#)
            #expect(answered.status == .ok)
            let after = try APIJSON.decode(Transmission.self, answered)
            #expect(after.state == "done")
            let relay = try #require(after.relayTaskId)
            struct Queue: Decodable { struct Item: Decodable { let key: String; let kind: String; let details: String; let patientName: String? }; let items: [Item] }
            let queue = try APIJSON.decode(Queue.self, try await app.api(.GET, "/api/v1/queue", token: w.secretary))
            let item = try #require(queue.items.first { $0.key == "task:\(relay.uuidString.lowercased())" })
            #expect(item.kind == TaskKind.relayAnswer.label)
            #expect(item.details == "Rappeler la patiente pour lui dire de venir à 11 h.")
            #expect(item.patientName?.contains("DURAND") == true)
            #expect(!queue.items.contains { $0.key.hasPrefix("transmission:") }, "answered: no longer waiting for the practitioner")
        }
    }

    /// A practitioner with neither notice e-mail nor account: nothing claims a notice was sent; at the notice's time a
    /// secretary is asked to phone him, with his number on the task, and the queue shows the matter once.
    @Test func aPractitionerNobodyCanNotifyIsPhonedAtOnceWithHisNumber() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            try await app.writer.transaction(on: app.db, actor: .system("test")) { tx, _ in
                let colleague = try #require(try await PractitionerRecord.find(w.colleagueID, on: tx))
                colleague.mobilePhone = "+33611223344"
                colleague.directPhone = "+33145000002"
                try await colleague.update(on: tx)
                try await UserRecord.query(on: tx).filter(\.$practitionerID == w.colleagueID).set(\.$disabled, to: true).update()
            }
            let sent = try await app.api(.POST, "\(w.base)/transmissions", token: w.secretary, json: """
                {"practitionerId":"\(w.colleagueID)","patientId":"\(w.patient)","priority":"urgent","subject":"Fièvre chez un nourrisson"}
                """)
            let t = try APIJSON.decode(Transmission.self, sent)
            clock.advance(by: 4 * 60 + 59)
            #expect(try await Escalation.tick(app: app, now: clock.now) == 0)
            clock.advance(by: 1)
            #expect(try await Escalation.tick(app: app, now: clock.now) == 1)
            #expect(try await OutboxMessageRecord.query(on: app.db).count() == 0)
            let task = try #require(try await TaskRecord.query(on: app.db).filter(\.$kindText == "callPractitioner").first())
            #expect(task.phone == "+33611223344")
            #expect(task.details.contains("06 11 22 33 44 (portable) · 01 45 00 00 02 (ligne directe)"))
            let record = try #require(try await TransmissionRecord.find(t.id, on: app.db))
            let trace = try await TransmissionStore.trace(of: record, on: app.db)
            #expect(trace.contains { $0.contains("aucun avis possible") })
            #expect(!trace.contains { $0.contains("avis par e-mail") })
            #expect(trace.contains { $0.contains("06 11 22 33 44") && $0.contains("à faire") })
            // One line in the queue for the transmission and its phone task, with the practitioner's number to dial.
            let secretary = try #require(try await UserRecord.query(on: app.db).filter(\.$email == w.world.secretaryA).first())
            let principal = try #require(try await Principal.load(userID: secretary.id!, credential: .apiToken(id: UUID()), on: app.db))
            let entries = try await QueueStore.entries(for: principal, on: app.db, now: clock.now).filter { $0.title.contains("Fièvre chez un nourrisson") }
            #expect(entries.count == 1)
            #expect(entries.first?.phone == "06 11 22 33 44")
            #expect(try await TaskRecord.query(on: app.db).filter(\.$kindText == "callPractitioner").count() == 1)
        }
    }

    /// A notice is "sent" only once the provider accepted it: queued, then sent, shown with its address.
    @Test func aNoticeIsShownQueuedThenSentWithItsAddress() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            let t = try await Self.sendUrgent(app, w)
            clock.advance(by: 5 * 60)
            #expect(try await Escalation.tick(app: app, now: clock.now) == 1)
            func trace() async throws -> [String] {
                try await TransmissionStore.trace(of: try #require(try await TransmissionRecord.find(t.id, on: app.db)), on: app.db)
            }
            #expect(try await trace().contains { $0.contains("avis par e-mail à \(JournalWorld.doctorEmail)") && $0.contains("en file d'attente, pas encore envoyé") })
            #expect(try await !trace().contains { $0.contains("envoyé à") })
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 1)
            #expect(try await trace().contains { $0.contains("avis par e-mail à \(JournalWorld.doctorEmail)") && $0.contains("envoyé à") })
        }
    }

    /// The ladder with a clock moved by hand: each rung at its delay, and nothing more once acknowledged.
    @Test func theLadderClimbsAtEachDelayAndStopsAtAcknowledgement() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            let supervisor = try await app.apiToken(w.world.supervisor)
            let policy = #"{"noticeAfterMinutes":5,"callAfterMinutes":15,"backupAfterMinutes":30,"backupPractitionerId":"\#(w.colleagueID)"}"#
            #expect(try await app.api(.PUT, "\(w.base)/escalation-policy", token: w.secretary, json: policy).status == .forbidden)
            #expect(try await app.api(.PUT, "\(w.base)/escalation-policy", token: supervisor, json: policy).status == .ok)
            let t = try await Self.sendUrgent(app, w)

            func step() async throws -> Int { try #require(try await TransmissionRecord.find(t.id, on: app.db)).escalationStepValue }
            func outbox() async throws -> [OutboxMessageRecord] { try await OutboxMessageRecord.query(on: app.db).sort(\.$createdAt).all() }
            func callTasks() async throws -> [TaskRecord] { try await TaskRecord.query(on: app.db).filter(\.$kindText == "callPractitioner").all() }

            clock.advance(by: 4 * 60 + 59)
            #expect(try await Escalation.tick(app: app, now: clock.now) == 0)
            #expect(try await outbox().isEmpty)

            clock.advance(by: 1)
            #expect(try await Escalation.tick(app: app, now: clock.now) == 1)
            #expect(try await step() == EscalationStep.notice.rawValue)
            let notices = try await outbox()
            #expect(notices.map(\.recipient) == [JournalWorld.doctorEmail])
            for text in [notices[0].subject, notices[0].body] {
                for term in ["Durand", "Léa", "Douleur", "thoracique", "fièvre", "06 12", "+336"] { #expect(!text.contains(term), "\(term) in a notice") }
            }
            #expect(try await Escalation.tick(app: app, now: clock.now) == 0, "a rung is climbed once")

            clock.advance(by: 10 * 60)
            #expect(try await Escalation.tick(app: app, now: clock.now) == 1)
            #expect(try await callTasks().map(\.state) == ["open"])
            #expect(!(try await callTasks()[0].title.contains("Durand")))

            clock.advance(by: 15 * 60)
            #expect(try await Escalation.tick(app: app, now: clock.now) == 1)
            #expect(try await TransmissionRecord.find(t.id, on: app.db)?.backupPractitionerID == w.colleagueID)
            #expect(try await outbox().map(\.recipient) == [JournalWorld.doctorEmail, JournalWorld.colleagueEmail])
            #expect(try await callTasks().map(\.state) == ["open", "open"], "the backup is phoned too")

            // The backup may now acknowledge: the ladder stops and the phone task closes.
            let acknowledged = try await app.api(.POST, "\(w.base)/transmissions/\(t.id)/acknowledge", token: w.colleague)
            #expect(acknowledged.status == .ok)
            #expect(try await callTasks().map(\.state) == ["cancelled", "cancelled"])
            clock.advance(by: 3600)
            #expect(try await Escalation.tick(app: app, now: clock.now) == 0)
            #expect(try await outbox().count == 2)
        }
    }

    @Test func aTransmissionAcknowledgedBeforeTheFirstDelayNeverLeavesTheApplication() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            let t = try await Self.sendUrgent(app, w)
            clock.advance(by: 60)
            #expect(try await app.api(.POST, "\(w.base)/transmissions/\(t.id)/read", token: w.doctor).status == .ok)
            #expect(try await TransmissionRecord.find(t.id, on: app.db)?.stateText == "read")
            #expect(try await app.api(.POST, "\(w.base)/transmissions/\(t.id)/acknowledge", token: w.doctor).status == .ok)
            clock.advance(by: 24 * 3600)
            #expect(try await Escalation.tick(app: app, now: clock.now) == 0)
            #expect(try await OutboxMessageRecord.query(on: app.db).count() == 0)
            #expect(try await TaskRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func badPoliciesAreRefusedNamingTheField() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let supervisor = try await app.apiToken(w.world.supervisor)
            let refused = try await app.api(.PUT, "\(w.base)/escalation-policy", token: supervisor,
                                            json: #"{"noticeAfterMinutes":20,"callAfterMinutes":10,"backupAfterMinutes":30}"#)
            #expect(refused.status == .unprocessableEntity)
            #expect(try APIJSON.decode(APIJSON.Problem.self, refused).errors?.map(\.field) == ["callAfterMinutes"])
            let stranger = try await app.api(.PUT, "\(w.base)/escalation-policy", token: supervisor,
                                             json: #"{"noticeAfterMinutes":5,"callAfterMinutes":10,"backupAfterMinutes":30,"backupPractitionerId":"\#(w.world.practitionerB)"}"#)
            #expect(try APIJSON.decode(APIJSON.Problem.self, stranger).errors?.map(\.field) == ["backupPractitionerId"])
            #expect(try await EscalationPolicyRecord.query(on: app.db).count() == 0)
        }
    }
}
