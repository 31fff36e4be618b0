@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Issue 24's delivery: an SMTP server asking for a login, an HTTP SMS gateway answering well or badly, its signed
/// receipts and STOP answers. Practice A of `AppointmentsAPITests`, messages on, one consenting patient booked.
struct PatientMessageDeliveryTests {
    static let secret = String(repeating: "s", count: 40)

    /// Messages on (the given channels), a consenting patient booked on Thursday 26 November at 10:00: its
    /// confirmations queued. Returns the setup and the patient.
    static func booked(_ app: Application, sms: Bool, email: Bool) async throws -> (AppointmentsAPITests.Setup, UUID) {
        let s = try await AppointmentsAPITests.setUp(app)
        try await PatientMessagingTests.turnOn(app, practice: s.world.practiceA, sms: sms, email: email)
        let patient = try await PatientMessagingTests.consenting(app, practice: s.world.practiceA)
        _ = try await PatientMessagingTests.book(app, s, patient: patient, at: "2026-11-26T10:00:00+01:00")
        return (s, patient)
    }

    static func openTasks(_ app: Application) async throws -> [TaskRecord] {
        try await TaskRecord.query(on: app.db).filter(\.$state == "open").all()
    }

    @Test func anEmailLeavesThroughAnSMTPServerThatAsksForALogin() async throws {
        let server = try await SMTPTestServer(login: ("permanence", "mot de passe"))
        let clock = TestClock()
        try await withTestApp(clock: clock, environment: ["SMTP_URL": "smtp://permanence:mot%20de%20passe@127.0.0.1:\(server.port)"]) { app in
            _ = try await Self.booked(app, sms: false, email: true)
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 1)
            let message = try #require(server.messages.first)
            #expect(message.to == "<\(PatientMessagingTests.email)>")
            #expect(message.data.contains("jeudi 26 novembre à 10 h") && !message.data.contains("Consultation"))
            #expect(try await PatientMessagingTests.messages(app).first?.state == "sent")
        }
        await server.stop()
    }

    @Test func aLoginRefusedFailsThePatientsMessageAtOnceAndASecretaryIsAskedToCall() async throws {
        let server = try await SMTPTestServer(login: ("permanence", "le bon"))
        let clock = TestClock()
        try await withTestApp(clock: clock, environment: ["SMTP_URL": "smtp://permanence:le%20mauvais@127.0.0.1:\(server.port)"]) { app in
            let (_, patient) = try await Self.booked(app, sms: false, email: true)
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 0)
            let message = try #require(try await PatientMessagingTests.messages(app).first)
            #expect(message.state == "failed" && message.attempts == 1)
            #expect(message.lastError?.contains("535") == true)
            #expect(server.messages.isEmpty)
            let task = try #require(try await Self.openTasks(app).first)
            #expect(task.patientID == patient && task.title.hasPrefix("Confirmation non remis(e) par e-mail"))
        }
        await server.stop()
    }

    @Test func aRecipientRefusedByTheServerFailsAtOnceToo() async throws {
        let server = try await SMTPTestServer(refuseRecipients: true)
        let clock = TestClock()
        try await withTestApp(clock: clock, environment: ["SMTP_URL": "smtp://127.0.0.1:\(server.port)"]) { app in
            _ = try await Self.booked(app, sms: false, email: true)
            _ = try await Outbox.deliver(app: app, now: clock.now)
            let message = try #require(try await PatientMessagingTests.messages(app).first)
            #expect(message.state == "failed" && message.lastError?.contains("550") == true)
            #expect(try await Self.openTasks(app).count == 1)
        }
        await server.stop()
    }

    @Test func anSMSIsPostedToTheGatewayWithItsBodyTemplateAndCredentials() async throws {
        let gateway = try await WebhookReceiver(status: .ok)
        let clock = TestClock()
        let body = #"{"recipient": {to}, "message": {text}, "sender": "CABINET", "id": {reference}}"#
        try await withTestApp(clock: clock, environment: ["SMS_GATEWAY_URL": "http://api:cle%20secrete@127.0.0.1:\(gateway.port)/hook",
                                                          "SMS_GATEWAY_BODY": body]) { app in
            _ = try await Self.booked(app, sms: true, email: false)
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 1)
            let delivery = try #require(gateway.deliveries.first)
            #expect(delivery.headers.first(name: .authorization) == "Basic " + Data("api:cle secrete".utf8).base64EncodedString())
            struct Posted: Decodable { let recipient: String; let message: String; let sender: String; let id: String }
            let posted = try JSONDecoder().decode(Posted.self, from: Data(delivery.body.utf8))
            let stored = try #require(try await PatientMessagingTests.messages(app).first)
            #expect(posted.recipient == PatientMessagingTests.mobile && posted.sender == "CABINET")
            #expect(posted.id == stored.id!.uuidString && stored.providerReference == posted.id)
            #expect(posted.message == stored.body && posted.message.contains("jeudi 26 novembre à 10 h"))
            #expect(stored.state == "sent" && stored.provider == "sms-gateway")
        }
        await gateway.stop()
    }

    @Test func aGatewayAnswering5xxOrTooLateIsTriedAgainAndA4xxFailsAtOnce() async throws {
        for (status, delay, retried) in [(HTTPResponseStatus.serviceUnavailable, Duration.zero, true), (.ok, .seconds(12), true), (.unauthorized, .zero, false)] {
            let gateway = try await WebhookReceiver(status: status, delay: delay)
            let clock = TestClock()
            try await withTestApp(clock: clock, environment: ["SMS_GATEWAY_URL": "http://127.0.0.1:\(gateway.port)/hook"]) { app in
                _ = try await Self.booked(app, sms: true, email: false)
                #expect(try await Outbox.deliver(app: app, now: clock.now) == 0)
                let message = try #require(try await PatientMessagingTests.messages(app).first)
                #expect(message.attempts == 1)
                if retried {
                    #expect(message.state == "pending", "\(status) after \(delay): kept")
                    #expect(message.nextAttemptAt == clock.now.addingTimeInterval(60))
                    #expect(try await Self.openTasks(app).isEmpty)
                } else {
                    #expect(message.state == "failed" && message.lastError?.contains("401") == true)
                    #expect(try await Self.openTasks(app).count == 1)
                }
            }
            await gateway.stop()
        }
    }

    @Test func aRetryFallingInTheQuietHoursWaitsForTheMorning() async throws {
        let gateway = try await WebhookReceiver(status: .badGateway)
        // Tuesday 24 November, 19:59.
        let clock = TestClock(TestClock.defaultStart.addingTimeInterval(10.5 * 3_600 - 60))
        try await withTestApp(clock: clock, environment: ["SMS_GATEWAY_URL": "http://127.0.0.1:\(gateway.port)/hook"]) { app in
            _ = try await Self.booked(app, sms: true, email: false)
            _ = try await Outbox.deliver(app: app, now: clock.now)
            let message = try #require(try await PatientMessagingTests.messages(app).first)
            #expect(message.state == "pending")
            #expect(message.nextAttemptAt == ISOTimestamp.parse("2026-11-25T08:00:00+01:00"), "not at 20:00")
        }
        await gateway.stop()
    }

    static func signed(_ app: Application, _ json: String, secret: String = secret, at now: Date) async throws -> TestingHTTPResponse {
        let timestamp = Int(now.timeIntervalSince1970)
        let signature = TelephonyStore.signature(secret: secret, timestamp: timestamp, body: Array(json.utf8))
        return try await app.api(.POST, "/api/v1/messages/receipts", token: nil, json: json,
                                 headers: [TelephonyStore.timestampHeader: String(timestamp), TelephonyStore.signatureHeader: signature])
    }

    @Test func signedReceiptsMarkAnSMSDeliveredOrFailedAndAStopWithdrawsTheConsent() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, environment: ["SMS_INBOUND_SECRET": Self.secret]) { app in
            let (s, patient) = try await Self.booked(app, sms: true, email: false)
            _ = try await Outbox.deliver(app: app, now: clock.now)
            let message = try #require(try await PatientMessagingTests.messages(app).first)
            let receipt = #"{"type":"delivered","reference":"\#(message.id!.uuidString)"}"#
            // Unsigned, badly signed: refused, nothing changes.
            #expect(try await app.api(.POST, "/api/v1/messages/receipts", token: nil, json: receipt).status == .unauthorized)
            #expect(try await Self.signed(app, receipt, secret: String(repeating: "x", count: 40), at: clock.now).status == .unauthorized)
            #expect(try await PatientMessagingTests.messages(app).first?.state == "sent")
            let delivered = try await Self.signed(app, receipt, at: clock.now)
            #expect(delivered.status == .ok, "\(delivered.body.string)")
            let stored = try #require(try await PatientMessagingTests.messages(app).first)
            #expect(stored.state == "delivered" && stored.deliveredAt == clock.now)
            #expect(Outbox.stateLabel(stored).hasPrefix("remis au destinataire"))
            // An unknown reference, a bad type: clear refusals.
            #expect(try await Self.signed(app, #"{"type":"delivered","reference":"\#(UUID().uuidString)"}"#, at: clock.now).status == .notFound)
            #expect(try await Self.signed(app, #"{"type":"lu","reference":"\#(message.id!.uuidString)"}"#, at: clock.now).status == .unprocessableEntity)

            let stop = try await Self.signed(app, #"{"type":"stop","from":"+33 6 12 34 56 78"}"#, at: clock.now)
            #expect(stop.status == .ok, "\(stop.body.string)")
            #expect(stop.body.string.contains(#""recordsStopped":1"#))
            #expect(try await PatientRecord.find(patient, on: app.db)?.smsConsent == false)
            let journal = try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "patient").filter(\.$entityID == patient.uuidString).all()
            #expect(journal.contains { $0.actorLabel == MessageReceiptsAPI.stopActorLabel })
            // The next booking sends no SMS.
            _ = try await PatientMessagingTests.book(app, s, patient: patient, at: "2026-11-26T11:00:00+01:00")
            #expect(try await PatientMessagingTests.messages(app).count == 1)
        }
    }

    @Test func withoutItsSecretTheReceiptsRouteDoesNotExist() async throws {
        try await withTestApp { app in
            let response = try await app.api(.POST, "/api/v1/messages/receipts", token: nil, json: #"{"type":"stop","from":"+33612345678"}"#)
            #expect(response.status == .notFound)
        }
    }
}
