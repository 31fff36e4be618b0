@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

struct QueueClaimTests {
    struct Task: Decodable { let id: UUID }
    struct Claim: Decodable { let item: String; let claimedBy: String }
    struct Queue: Decodable {
        struct Item: Decodable { let key: String; let claimedBy: String?; let claimedByMe: Bool; let priority: Int; let overdue: Bool }
        let items: [Item]
    }

    static func task(_ app: Application, _ w: JournalWorld, body: String? = nil) async throws -> UUID {
        let created = try await app.api(.POST, "\(w.base)/tasks", token: w.secretary,
                                        json: body ?? #"{"patientId":"\#(w.patient)","title":"Rappeler Mme Durand","priority":1}"#)
        #expect(created.status == .created)
        return try APIJSON.decode(Task.self, created).id
    }

    /// Two secretaries claim the same item at the same moment, many times over: exactly one wins each time.
    @Test func twoSecretariesClaimingOneItemExactlyOneWins() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let other = try await app.apiToken(JournalWorld.secondSecretary)
            for _ in 0..<20 {
                let id = try await Self.task(app, w)
                let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                    for token in [w.secretary, other] {
                        group.addTask { try await app.api(.POST, "\(w.base)/tasks/\(id)/claim", token: token).status }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.sorted { $0.code < $1.code } == [.ok, .conflict])
                #expect(try await QueueClaimRecord.query(on: app.db).filter(\.$itemKey == "task:\(id.uuidString.lowercased())").count() == 1)
            }
        }
    }

    @Test func aClaimNamesItsHolderAndExpires() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            let other = try await app.apiToken(JournalWorld.secondSecretary)
            let id = try await Self.task(app, w)
            #expect(try await app.api(.POST, "\(w.base)/tasks/\(id)/claim", token: w.secretary).status == .ok)
            let refused = try await app.api(.POST, "\(w.base)/tasks/\(id)/claim", token: other)
            #expect(refused.status == .conflict)
            #expect(try APIJSON.decode(APIJSON.Problem.self, refused).detail?.contains(w.world.secretaryA) == true)
            #expect(try await app.api(.POST, "\(w.base)/tasks/\(id)/release", token: other).status == .forbidden)
            #expect(try await app.api(.POST, "\(w.base)/tasks/\(id)/done", token: other, json: #"{"outcome":"Patiente prévenue"}"#).status == .conflict)

            let mine = try APIJSON.decode(Queue.self, try await app.api(.GET, "/api/v1/queue", token: w.secretary)).items[0]
            #expect(mine.claimedByMe)
            let theirs = try APIJSON.decode(Queue.self, try await app.api(.GET, "/api/v1/queue", token: other)).items[0]
            #expect(!theirs.claimedByMe)
            #expect(theirs.claimedBy == w.world.secretaryA)

            clock.advance(by: WorkQueue.claimDuration)
            let taken = try await app.api(.POST, "\(w.base)/tasks/\(id)/claim", token: other)
            #expect(taken.status == .ok, "the first claim expired")
            #expect(try APIJSON.decode(Claim.self, taken).claimedBy == JournalWorld.secondSecretary)
            #expect(try await app.api(.POST, "\(w.base)/tasks/\(id)/done", token: other, json: #"{"outcome":"Patiente prévenue"}"#).status == .ok)
            #expect(try await QueueClaimRecord.query(on: app.db).count() == 0, "closing releases")
            #expect(try APIJSON.decode(Queue.self, try await app.api(.GET, "/api/v1/queue", token: w.secretary)).items.isEmpty)
        }
    }

    @Test func theQueueIsOrderedByPriorityThenDeadlineAndRaisesOverdueItems() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            let soon = ISOTimestamp.string(clock.now.addingTimeInterval(600), in: FrenchFormat.parisTimeZone)
            let later = ISOTimestamp.string(clock.now.addingTimeInterval(7200), in: FrenchFormat.parisTimeZone)
            let low = try await Self.task(app, w, body: #"{"phone":"0611223344","title":"Confirmer l'adresse","priority":3}"#)
            let normalLater = try await Self.task(app, w, body: #"{"phone":"0611223344","title":"B","priority":2,"dueAt":"\#(later)"}"#)
            let normalSoon = try await Self.task(app, w, body: #"{"phone":"0611223344","title":"A","priority":2,"dueAt":"\#(soon)"}"#)
            let t = try await TransmissionEscalationTests.sendUrgent(app, w)
            func keys() async throws -> [String] { try APIJSON.decode(Queue.self, try await app.api(.GET, "/api/v1/queue", token: w.secretary)).items.map(\.key) }
            let k = { (id: UUID, source: String) in "\(source):\(id.uuidString.lowercased())" }
            #expect(try await keys() == [k(t.id, "transmission"), k(normalSoon, "task"), k(normalLater, "task"), k(low, "task")])
            clock.advance(by: 2 * 3600 + 60)
            let items = try APIJSON.decode(Queue.self, try await app.api(.GET, "/api/v1/queue", token: w.secretary)).items
            #expect(items.first { $0.key == k(normalLater, "task") }?.overdue == true)
            #expect(items.first { $0.key == k(normalLater, "task") }?.priority == QueuePriority.high.rawValue)
            // A secretary of practice B sees none of it.
            let outsider = try await app.apiToken(w.world.practitionerUserB)
            #expect(try APIJSON.decode(Queue.self, try await app.api(.GET, "/api/v1/queue", token: outsider)).items.isEmpty)
        }
    }

    @Test func badTasksNameTheirFields() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            for (body, fields) in [("{}", Set(["title", "patientId"])), (#"{"title":"x","phone":"12"}"#, ["phone", "patientId"]),
                                   (#"{"title":"x","patientId":"\#(w.patient)","dueAt":"demain"}"#, ["dueAt"]),
                                   (#"{"title":"x","patientId":"\#(w.patient)","kind":"relayAnswer"}"#, ["kind"])] {
                let refused = try await app.api(.POST, "\(w.base)/tasks", token: w.secretary, json: body)
                #expect(refused.status == .unprocessableEntity, "\(body)")
                #expect(Set(try APIJSON.decode(APIJSON.Problem.self, refused).errors?.map(\.field) ?? []) == fields, "\(body)")
            }
            #expect(try await TaskRecord.query(on: app.db).count() == 0)
            #expect(try await app.api(.POST, "\(w.base)/queue/nimportequoi/claim", token: w.secretary).status == .unprocessableEntity)
            #expect(try await app.api(.POST, "\(w.base)/queue/task:\(UUID())/claim", token: w.secretary).status == .notFound)
        }
    }

    @Test func aCallbackPlannedFromACallIsListedByTheCallInTheSameWriteOrNotAtAll() async throws {
        try await withTestApp { app in
            let w = try await JournalWorld.build(on: app)
            let opened = try await app.api(.POST, "\(w.base)/calls", token: w.secretary, json: #"{"callerNumber":"06 12 34 56 78"}"#)
            let call = try APIJSON.decode(Task.self, opened).id
            var browser = Browser(app)
            try await browser.signIn(w.world.secretaryA)
            let page = "/cabinets/\(w.world.practiceA)/taches"
            let csrf = try #require(Browser.csrfToken(in: try await browser.get("\(page)/nouvelle?patient=\(w.patient)&appel=\(call)").body.string))
            func plan(from call: UUID) async throws -> TestingHTTPResponse {
                try await browser.post(page, form: [("csrf", csrf), ("patient", w.patient.uuidString), ("appel", call.uuidString),
                                                    ("intitule", "Rappeler pour le résultat"), ("priorite", "2")])
            }

            // A call of no one's: refused before anything is written, the task included.
            let refused = try await plan(from: UUID())
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("ppel inconnu dans ce cabinet"))
            #expect(try await TaskRecord.query(on: app.db).count() == 0, "no task without the call that lists it")

            let planned = try await plan(from: call)
            #expect(planned.status == .seeOther && planned.headers.first(name: .location) == "/cabinets/\(w.world.practiceA)/appels/\(call)")
            let task = try #require(try await TaskRecord.query(on: app.db).first())
            let link = try #require(try await CallLinkRecord.query(on: app.db).filter(\.$call.$id == call).first())
            #expect(link.kind == CallLinkKind.task.rawValue && link.targetID == task.id)
        }
    }

    @Test func handoverNotesShowUntilRead() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            let supervisor = try await app.apiToken(w.world.supervisor)
            #expect(try await app.api(.POST, "/api/v1/handover-notes", token: w.secretary, json: #"{"text":"Pour tout le centre"}"#).status == .unprocessableEntity)
            #expect(try await app.api(.POST, "/api/v1/handover-notes", token: w.secretary,
                                      json: #"{"practiceId":"\#(w.world.practiceB)","text":"Cabinet B"}"#).status == .notFound)
            #expect(try await app.api(.POST, "/api/v1/handover-notes", token: supervisor, json: #"{"text":"Réunion d'équipe à 14 h"}"#).status == .created)
            clock.advance(by: 60)
            let practiceNote = try await app.api(.POST, "/api/v1/handover-notes", token: w.secretary,
                                                 json: #"{"practiceId":"\#(w.world.practiceA)","text":"Le Dr Aubert est absent cet après-midi."}"#)
            #expect(practiceNote.status == .created)
            #expect(try await app.api(.POST, "/api/v1/handover-notes", token: supervisor,
                                      json: #"{"practiceId":"\#(w.world.practiceB)","text":"Cabinet B seulement"}"#).status == .created)
            struct Notes: Decodable { struct Note: Decodable { let id: UUID; let text: String; let read: Bool }; let notes: [Note] }
            let other = try await app.apiToken(JournalWorld.secondSecretary)
            let unread = try APIJSON.decode(Notes.self, try await app.api(.GET, "/api/v1/handover-notes?unread=true", token: other)).notes
            #expect(unread.map(\.text) == ["Le Dr Aubert est absent cet après-midi.", "Réunion d'équipe à 14 h"])
            #expect(try await app.api(.POST, "/api/v1/handover-notes/\(unread[0].id)/read", token: other).status == .noContent)
            #expect(try APIJSON.decode(Notes.self, try await app.api(.GET, "/api/v1/handover-notes?unread=true", token: other)).notes.map(\.text) == ["Réunion d'équipe à 14 h"])
            #expect(try APIJSON.decode(Notes.self, try await app.api(.GET, "/api/v1/handover-notes?unread=true", token: w.secretary)).notes.count == 2, "read by each one")
        }
    }
}
