@testable import App
import Crypto
import Domain
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

/// A local HTTP server standing for a practice's software: keeps each delivery, answers `status`.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable { let headers: HTTPHeaders; let body: String }
    let app: Application
    let port: Int
    private let received: NIOLockedValueBox<[Delivery]>
    var deliveries: [Delivery] { received.withLockedValue { $0 } }

    /// Answers `status`, after `delay` (a receiver too slow to answer).
    init(status: HTTPResponseStatus = .noContent, delay: Duration = .zero) async throws {
        app = try await Application.make(.testing)
        let received = NIOLockedValueBox<[Delivery]>([])
        self.received = received
        app.on(.POST, "hook", body: .collect(maxSize: "1mb")) { req async -> Response in
            received.withLockedValue { $0.append(Delivery(headers: req.headers, body: req.body.string ?? "")) }
            if delay > .zero { try? await Task.sleep(for: delay) }
            return Response(status: status)
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        port = app.http.server.shared.localAddress!.port!
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }

    func stop() async {
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }
}

/// Webhooks and calendar feeds (issue 23), on practice A of `AppointmentsAPITests`.
struct ConnectionsTests {
    static func context(_ app: Application) -> WriteContext {
        WriteContext(actor: AuditActor(userID: nil, label: "superviseur@permanence.test"), requestID: nil, writer: app.writer, database: app.db,
                     patientIndex: app.patientIndexCache)
    }

    static func subscribe(_ app: Application, practice: UUID, url: String, events: [WebhookEvent] = [.appointmentBooked]) async throws -> String {
        try await Webhooks.subscribe(.init(url: url, events: events.map(\.rawValue)), practice: .system(practice), serverHosts: ["localhost:8080"],
                                     app: app, context: context(app), now: app.clock.now()).1
    }

    @Test func aBookingReachesTheReceiverSignedWithTheSubscriptionsSecret() async throws {
        let receiver = try await WebhookReceiver()
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let secret = try await Self.subscribe(app, practice: s.world.practiceA, url: receiver.url)
            // Another practice's subscription hears nothing of practice A.
            _ = try await Self.subscribe(app, practice: s.world.practiceB, url: receiver.url)
            let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"))
            #expect(booked.status == .created)
            #expect(try await OutboxMessageRecord.query(on: app.db).filter(\.$channel == "webhook").count() == 1, "queued with the booking")
            #expect(try await Outbox.deliver(app: app, now: app.clock.now()) == 1)
            let delivery = try #require(receiver.deliveries.first)
            let timestamp = try #require(delivery.headers.first(name: "X-Permanence-Timestamp"))
            let expected = "sha256=" + Data(HMAC<SHA256>.authenticationCode(for: Data((timestamp + "." + delivery.body).utf8),
                                                                            using: SymmetricKey(data: Data(secret.utf8)))).map { String(format: "%02x", $0) }.joined()
            #expect(delivery.headers.first(name: "X-Permanence-Signature") == expected)
            #expect(delivery.headers.first(name: "X-Permanence-Event") == "appointment.booked")
            struct Payload: Decodable {
                struct Resource: Decodable { let resourceType: String; let id: String; let status: String }
                let event: String; let practiceId: String; let resourceId: String; let resource: Resource
            }
            let payload = try JSONDecoder().decode(Payload.self, from: Data(delivery.body.utf8))
            #expect(payload.event == "appointment.booked" && payload.practiceId == s.world.practiceA.uuidString)
            #expect(payload.resource.resourceType == "Appointment" && payload.resource.id == payload.resourceId && payload.resource.status == "booked")
            let message = try await OutboxMessageRecord.query(on: app.db).filter(\.$channel == "webhook").first()
            #expect(message?.state == "sent" && message?.responseCode == 204)
        }
        await receiver.stop()
    }

    @Test func aStoppingServerDoesNotWaitForASlowReceiverNorCountsItAFailedTry() async throws {
        // The receiver answers after 20 s: a pass that ends before is one whose delivery was cancelled.
        let receiver = try await WebhookReceiver(delay: .seconds(20))
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            _ = try await Self.subscribe(app, practice: s.world.practiceA, url: receiver.url)
            #expect(try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00")).status == .created)
            let worker = BackgroundWorker(interval: 1)
            worker.start(app)
            for _ in 0..<200 where receiver.deliveries.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            #expect(receiver.deliveries.count == 1, "the pass is under way: the receiver holds the delivery")
            // 15 s leaves a loaded test machine its time, and is still short of the receiver's 20 s.
            #expect(await worker.stop(app, within: .seconds(15)), "the delivery is cancelled, not waited for")
            let message = try #require(try await OutboxMessageRecord.query(on: app.db).filter(\.$channel == "webhook").first())
            #expect(message.state == "pending" && message.attempts == 0 && message.lastError == nil, "still queued, for the next instance")
            #expect(message.nextAttemptAt <= app.clock.now(), "given back due, not held by the stopped instance")
        }
        await receiver.stop()
    }

    @Test func aFailingReceiverIsTriedAgainAfter1_5_15And60MinutesThenGivenUp() async throws {
        let receiver = try await WebhookReceiver(status: .serviceUnavailable)
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let s = try await AppointmentsAPITests.setUp(app)
            _ = try await Self.subscribe(app, practice: s.world.practiceA, url: receiver.url)
            #expect(try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00")).status == .created)
            var waits: [TimeInterval] = []
            for _ in 1...5 {
                let before = clock.now
                #expect(try await Outbox.deliver(app: app, now: clock.now) == 0)
                let message = try #require(try await OutboxMessageRecord.query(on: app.db).filter(\.$channel == "webhook").first())
                #expect(message.responseCode == 503)
                if message.state == "pending" { waits.append(message.nextAttemptAt.timeIntervalSince(before)) }
                clock.advance(by: message.nextAttemptAt.timeIntervalSince(clock.now) + 1)
            }
            #expect(waits == [60, 300, 900, 3600])
            let message = try await OutboxMessageRecord.query(on: app.db).filter(\.$channel == "webhook").first()
            #expect(message?.state == "failed" && message?.attempts == 5 && receiver.deliveries.count == 5)
        }
        await receiver.stop()
    }

    @Test func aWebhookAddressThatIsNotHttpOrIsPermanenceItselfIsRefusedAndNothingSaved() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.supervisor)
            let page = try await browser.get("/cabinets/\(world.practiceA)/connexions")
            #expect(page.status == .ok)
            let csrf = try #require(Browser.csrfToken(in: page.body.string))
            let port = app.http.server.configuration.port
            for url in ["ftp://logiciel.example/hook", "javascript:alert(1)", "http://localhost:\(port)/api/v1/x", "pas une adresse"] {
                let refused = try await browser.post("/cabinets/\(world.practiceA)/connexions/webhooks",
                                                     form: [("csrf", csrf), ("url", url), ("events[]", "appointment.booked")])
                #expect(refused.status == .unprocessableEntity, "\(url)")
                #expect(refused.body.string.contains("Aucun abonnement n&#39;a été créé"))
            }
            let noEvent = try await browser.post("/cabinets/\(world.practiceA)/connexions/webhooks", form: [("csrf", csrf), ("url", "https://logiciel.example/hook")])
            #expect(noEvent.status == .unprocessableEntity)
            #expect(try await WebhookSubscriptionRecord.query(on: app.db).count() == 0)
            let accepted = try await browser.post("/cabinets/\(world.practiceA)/connexions/webhooks",
                                                  form: [("csrf", csrf), ("url", "https://logiciel.example/hook"), ("events[]", "appointment.booked")])
            #expect(accepted.status == .created)
            #expect(accepted.body.string.contains("whsec_"))
            // A secretary does not reach the page.
            try await world.addUser("secretaire.b@permanence.test", role: .secretary, practices: [world.practiceA], on: app)
            var secretary = Browser(app)
            try await secretary.signIn("secretaire.b@permanence.test")
            #expect(try await secretary.get("/cabinets/\(world.practiceA)/connexions").status == .forbidden)
        }
    }

    @Test func theCentersSubscriptionHearsEveryPracticeAndOnlyAdministratorsMakeIt() async throws {
        let receiver = try await WebhookReceiver()
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            var admin = Browser(app)
            try await admin.signIn(s.world.admin)
            let page = try await admin.get("/admin/centre/webhooks")
            #expect(page.status == .ok)
            let made = try await admin.post("/admin/centre/webhooks", form: [("csrf", try #require(Browser.csrfToken(in: page.body.string))), ("url", receiver.url),
                                                                             ("events[]", "appointment.booked")])
            #expect(made.status == .created && made.body.string.contains("whsec_"))
            let subscription = try #require(try await WebhookSubscriptionRecord.query(on: app.db).first())
            #expect(subscription.$practice.id == nil)
            // A booking in practice A is told; the test button reaches the receiver at once.
            #expect(try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00")).status == .created)
            #expect(try await Outbox.deliver(app: app, now: app.clock.now()) == 1)
            let tested = try await admin.post("/admin/centre/webhooks/\(subscription.id!)/essai", form: [("csrf", try #require(Browser.csrfToken(in: page.body.string)))])
            #expect(tested.status == .seeOther || tested.status == .found)
            #expect(receiver.deliveries.map { $0.headers.first(name: "X-Permanence-Event") } == ["appointment.booked", "test"])
            let log = try await admin.get("/admin/centre/webhooks/\(subscription.id!)")
            #expect(log.body.string.contains("Essai · réponse 204 · reçu") && log.body.string.contains("Rendez-vous pris · réponse 204 · reçu"))
            // A supervisor does not make the center's subscriptions.
            var supervisor = Browser(app)
            try await supervisor.signIn(s.world.supervisor)
            #expect(try await supervisor.get("/admin/centre/webhooks").status == .forbidden)
        }
        await receiver.stop()
    }

    @Test func theJournalsEntriesSayWhichEventsHappened() {
        let practice = UUID()
        func entry(_ entity: String, _ action: String, before: String?, after: String?) -> AuditEntryRecord {
            let entry = AuditEntryRecord()
            entry.occurredAt = Date()
            entry.action = action
            entry.entity = entity
            entry.entityID = UUID().uuidString
            entry.practiceID = practice
            entry.before = before
            entry.after = after
            return entry
        }
        let facts = Webhooks.facts([
            entry("call", "update", before: #"{"state":"open"}"#, after: #"{"state":"closed"}"#),
            entry("call", "update", before: #"{"state":"closed"}"#, after: #"{"state":"closed"}"#),
            entry("transmission", "create", before: nil, after: #"{"state":"new"}"#),
            entry("transmission", "update", before: #"{"state":"new"}"#, after: #"{"state":"read"}"#),
            entry("transmission", "update", before: #"{"state":"read"}"#, after: #"{"state":"acknowledged"}"#),
            entry("patient", "update", before: "{}", after: "{}"),
        ])
        #expect(facts.map(\.event) == [.callClosed, .transmissionSent, .transmissionAcknowledged])
        #expect(facts.allSatisfy { $0.practiceID == practice })
    }

    @Test func anArrivalIsAStatusChangeAndANoteIsNoEvent() async throws {
        let receiver = try await WebhookReceiver()
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            _ = try await Self.subscribe(app, practice: s.world.practiceA, url: receiver.url, events: [.appointmentStatusChanged, .appointmentBooked])
            let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-24T10:00:00+01:00"))
            let id = try booked.content.decode(AppointmentsAPITests.Result.self).appointment.id
            #expect(try await app.api(.POST, "\(s.base)/appointments/\(id)/status", token: s.token, json: #"{"status":"arrived"}"#).status == .ok)
            // The clock stands still: both are queued at the same instant, so they are compared without their order.
            let events = try await OutboxMessageRecord.query(on: app.db).filter(\.$channel == "webhook").all().compactMap(\.event)
            #expect(events.sorted() == ["appointment.booked", "appointment.status-changed"])
        }
        await receiver.stop()
    }

    @Test func aTransmissionsPayloadCarriesItsTextOnlyForASubscriptionAllowedIt() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            _ = try await Webhooks.subscribe(.init(url: "https://sans-texte.example/hook", events: ["transmission.sent"], readsMessages: false),
                                             practice: .system(s.world.practiceA), serverHosts: [], app: app, context: Self.context(app), now: app.clock.now())
            _ = try await Webhooks.subscribe(.init(url: "https://avec-texte.example/hook", events: ["transmission.sent"], readsMessages: true),
                                             practice: .system(s.world.practiceA), serverHosts: [], app: app, context: Self.context(app), now: app.clock.now())
            let sent = try await app.api(.POST, "\(s.base)/transmissions", token: s.token, json: """
                {"practitionerId":"\(s.world.practitionerA)","patientId":"\(s.patient)","priority":"normal","subject":"Ordonnance","message":"Texte confidentiel","callbackNumber":"0612345678"}
                """)
            #expect(sent.status == .created)
            let messages = try await OutboxMessageRecord.query(on: app.db).filter(\.$channel == "webhook").all()
            #expect(messages.count == 2)
            for message in messages {
                #expect(message.body.contains("Texte confidentiel") == message.recipient.contains("avec-texte"), "\(message.recipient)")
                #expect(message.body.contains("\"resourceType\":\"Communication\""))
            }
        }
    }

    // MARK: Calendar feeds

    static func feed(_ app: Application, practitioner: UUID, showsPatientName: Bool = true) async throws -> String {
        let record = try #require(try await PractitionerRecord.find(practitioner, on: app.db))
        let feed = try await ConnectionStore.setFeed(of: record, renew: true, showsPatientName: showsPatientName, showsMotif: true, app: app,
                                                     context: context(app), now: app.clock.now())
        return "/ical/" + ConnectionStore.secret(of: feed, app: app)! + ".ics"
    }

    @Test func theFeedShowsTheAppointmentsWithTheirRevisionsAndCancellations() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let s = try await AppointmentsAPITests.setUp(app)
            var ids: [String] = []
            for start in ["2026-11-26T10:00:00+01:00", "2026-11-27T10:00:00+01:00", "2026-11-30T10:00:00+01:00"] {
                let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking(start))
                ids.append(try booked.content.decode(AppointmentsAPITests.Result.self).appointment.id.uuidString.lowercased())
            }
            #expect(try await app.api(.POST, "\(s.base)/appointments/\(ids[0])/move", token: s.token, json: #"{"start":"2026-11-26T11:00:00+01:00"}"#).status == .ok)
            #expect(try await app.api(.POST, "\(s.base)/appointments/\(ids[1])/cancel", token: s.token, json: #"{"party":"patient","reason":"malade"}"#).status == .ok)
            let path = try await Self.feed(app, practitioner: s.world.practitionerA)
            let response = try await app.testing().sendRequest(.GET, path)
            #expect(response.status == .ok && response.headers.first(name: .contentType)?.hasPrefix("text/calendar") == true)
            let text = response.body.string
            #expect(text.hasPrefix("BEGIN:VCALENDAR\r\n") && text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"))
            func event(_ id: String) -> String? {
                text.components(separatedBy: "BEGIN:VEVENT").first { $0.contains("UID:\(id)@permanence") }
            }
            #expect(event(ids[0])?.contains("SEQUENCE:1\r\nDTSTART;TZID=Europe/Paris:20261126T110000") == true)
            #expect(event(ids[1])?.contains("STATUS:CANCELLED") == true && event(ids[1])?.contains("SEQUENCE:1") == true)
            #expect(event(ids[2])?.contains("SEQUENCE:0") == true && event(ids[2])?.contains("SUMMARY:DURAND Marie — Consultation") == true)
            // Thirty-one days after the cancellation, the cancelled one is no longer in the feed.
            clock.advance(by: 31 * 86_400)
            let later = try await app.testing().sendRequest(.GET, path).body.string
            #expect(!later.contains(ids[1]) && later.contains(ids[2]))
        }
    }

    @Test func aRenewedAddressReplacesTheOldOneAndThePatientsNameIsTheirChoice() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            #expect(try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00")).status == .created)
            let first = try await Self.feed(app, practitioner: s.world.practitionerA, showsPatientName: false)
            let anonymous = try await app.testing().sendRequest(.GET, first).body.string
            #expect(anonymous.contains("SUMMARY:Consultation") && !anonymous.contains("DURAND"))
            let second = try await Self.feed(app, practitioner: s.world.practitionerA)
            #expect(try await app.testing().sendRequest(.GET, first).status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, second).body.string.contains("DURAND Marie"))
            try await ConnectionStore.revokeFeed(of: s.world.practitionerA, context: Self.context(app), now: app.clock.now())
            #expect(try await app.testing().sendRequest(.GET, second).status == .notFound)
            #expect(try await app.testing().sendRequest(.GET, "/ical/cal_inconnu.ics").status == .notFound)
        }
    }
}
