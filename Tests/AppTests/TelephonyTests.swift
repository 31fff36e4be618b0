@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Signed call events from the phone system, and the screen pop they make on the secretaries' consoles.
struct TelephonyTests {
    static func send(_ app: Application, event: String = "ringing", callId: String = "c-1", from: String = "06 12 34 56 78",
                     to: String = "+33199002001", extension phoneExtension: String? = nil, clock: TestClock,
                     sign: Bool = true, skew: TimeInterval = 0, secret override: String? = nil) async throws -> TestingHTTPResponse {
        let ext = phoneExtension.map { #","extension":"\#($0)""# } ?? ""
        let body = #"{"event":"\#(event)","callId":"\#(callId)","from":"\#(from)","to":"\#(to)"\#(ext)}"#
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if sign {
            var secret = try await TelephonyStore.secret(app: app).secret
            if let override { secret = override }
            let timestamp = Int(clock.now.timeIntervalSince1970 + skew)
            headers.add(name: TelephonyStore.timestampHeader, value: String(timestamp))
            headers.add(name: TelephonyStore.signatureHeader, value: TelephonyStore.signature(secret: secret, timestamp: timestamp, body: Array(body.utf8)))
        }
        return try await app.testing().sendRequest(.POST, "/api/v1/telephony/events", headers: headers, body: ByteBuffer(string: body))
    }

    @Test func aSignedRingingEventIsKeptWithTheCallersPatients() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            _ = try await JournalWorld.build(on: app)
            let answer = try await Self.send(app, clock: clock)
            #expect(answer.status == .created)
            struct Event: Decodable { let event: String; let from: String; let matches: Int }
            let event = try APIJSON.decode(Event.self, answer)
            #expect(event.from == "+33612345678")
            #expect(event.matches == 1)
            #expect(try await TelephonyEventRecord.query(on: app.db).count() == 1)
        }
    }

    @Test func unsignedForgedStaleReplayedOrUnknownEventsAreRefusedAndChangeNothing() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            _ = try await JournalWorld.build(on: app)
            for (response, status, words) in [
                (try await Self.send(app, clock: clock, sign: false), HTTPStatus.unauthorized, "non signé"),
                (try await Self.send(app, clock: clock, secret: "tel_not-the-secret"), .unauthorized, "Signature invalide"),
                (try await Self.send(app, clock: clock, skew: -301), .unauthorized, "plus de 5 minutes"),
                (try await Self.send(app, clock: clock, skew: 301), .unauthorized, "plus de 5 minutes"),
                (try await Self.send(app, to: "+33199009999", clock: clock), .notFound, "Numéro appelé"),
                (try await Self.send(app, event: "decroche", from: "12", clock: clock), .unprocessableEntity, "event"),
            ] {
                #expect(response.status == status, "\(words)")
                #expect(response.body.string.contains(words), "\(words): \(response.body.string)")
            }
            #expect(try await TelephonyEventRecord.query(on: app.db).count() == 0)
            #expect(try await Self.send(app, clock: clock, skew: -299).status == .created, "within the window")
            let replay = try await Self.send(app, clock: clock, skew: -299)
            #expect(replay.status == .conflict)
            #expect(replay.body.string.contains("déjà reçu"))
            #expect(try await TelephonyEventRecord.query(on: app.db).count() == 1)
        }
    }

    @Test func theCallPopsForThePracticesSecretariesAndTheFirstToTakeItOpensTheJournal() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            var first = Browser(app), second = Browser(app), outsider = Browser(app)
            try await first.signIn(w.world.secretaryA)
            try await second.signIn(JournalWorld.secondSecretary)
            try await outsider.signIn(w.world.practitionerUserB)
            #expect(try await Self.send(app, clock: clock).status == .created)
            let pop = try await first.get("/appels/entrants")
            #expect(pop.body.string.contains("Appel entrant"))
            #expect(pop.body.string.contains("DURAND Léa"))
            #expect(pop.body.string.contains("Cabinet A, bonjour."))
            #expect(!(try await outsider.get("/appels/entrants").body.string.contains("Appel entrant")), "another practice's call")
            let eventID = try #require(try await TelephonyEventRecord.query(on: app.db).first()?.id)
            let csrf = try #require(Browser.csrfToken(in: pop.body.string))
            let taken = try await first.post("/appels/entrants/\(eventID)/prendre", form: [("csrf", csrf)])
            #expect(taken.status == .seeOther)
            let call = try #require(try await CallRecord.query(on: app.db).first())
            #expect(call.source == "telephony")
            #expect(call.patientID == w.patient, "one patient carries the number: identified")
            #expect(call.callerNumber == "+33612345678")
            #expect(taken.headers.first(name: .location) == "/cabinets/\(w.world.practiceA)/appels/\(call.id!)")
            let secondCSRF = try #require(Browser.csrfToken(in: try await second.get("/").body.string))
            #expect(try await second.post("/appels/entrants/\(eventID)/prendre", form: [("csrf", secondCSRF)]).status == .conflict)
            #expect(try await CallRecord.query(on: app.db).count() == 1)
            #expect(!(try await second.get("/appels/entrants").body.string.contains("Appel entrant")), "taken: the pop closes")
        }
    }

    @Test func aCallForAnExtensionPopsOnlyThereAndAnEndedCallNoLonger() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let w = try await JournalWorld.build(on: app)
            let user = try #require(try await UserRecord.query(on: app.db).filter(\.$email == w.world.secretaryA).first())
            user.telephonyExtension = "12"
            try await user.update(on: app.db)
            var mine = Browser(app), other = Browser(app)
            try await mine.signIn(w.world.secretaryA)
            try await other.signIn(JournalWorld.secondSecretary)
            #expect(try await Self.send(app, callId: "c-7", extension: "12", clock: clock).status == .created)
            #expect(try await mine.get("/appels/entrants").body.string.contains("Appel entrant"))
            #expect(!(try await other.get("/appels/entrants").body.string.contains("Appel entrant")))
            #expect(try await Self.send(app, event: "ended", callId: "c-7", extension: "12", clock: clock).status == .created)
            #expect(!(try await mine.get("/appels/entrants").body.string.contains("Appel entrant")), "the caller hung up")
        }
    }

    @Test func liveEventsForSomeUsersReachOnlyThem() async throws {
        let hub = LiveHub()
        let practice = UUID(), me = UUID(), colleague = UUID()
        let (_, mine) = await hub.subscribe(practices: [practice], user: me)
        let (_, theirs) = await hub.subscribe(practices: [practice], user: colleague)
        await hub.publish(LiveEvent(kind: .ringing, practiceID: practice, users: [me]))
        await hub.publish(LiveEvent(kind: .queue, practiceID: practice))
        var seenByMe: [LiveEvent.Kind] = [], seenByColleague: [LiveEvent.Kind] = []
        for await event in mine { seenByMe.append(event.kind); if seenByMe.count == 2 { break } }
        for await event in theirs { seenByColleague.append(event.kind); if seenByColleague.count == 1 { break } }
        #expect(seenByMe == [.ringing, .queue])
        #expect(seenByColleague == [.queue])
    }
}
