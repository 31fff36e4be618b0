@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

struct OutboxDeliveryTests {
    static func escalateOnce(_ app: Application, _ clock: TestClock) async throws -> JournalWorld {
        let w = try await JournalWorld.build(on: app)
        _ = try await TransmissionEscalationTests.sendUrgent(app, w)
        clock.advance(by: 5 * 60)
        #expect(try await Escalation.tick(app: app, now: clock.now) == 1)
        return w
    }

    @Test func aNoticeIsDeliveredOverSMTPWithoutHealthData() async throws {
        let server = try await SMTPTestServer()
        let clock = TestClock()
        try await withTestApp(clock: clock, environment: ["SMTP_URL": "smtp://127.0.0.1:\(server.port)", "SMTP_FROM": "plateau@permanence.test"]) { app in
            _ = try await Self.escalateOnce(app, clock)
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 1)
            let message = try #require(server.messages.first)
            #expect(message.from == "<plateau@permanence.test>")
            #expect(message.to == "<\(JournalWorld.doctorEmail)>")
            #expect(message.data.contains("Subject: =?UTF-8?B?"))
            #expect(message.data.contains("Une transmission urgente du télésecrétariat vous attend pour le cabinet Cabinet A"))
            for term in ["Durand", "Léa", "Douleur", "thoracique", "fièvre", "06 12", "+336"] { #expect(!message.data.contains(term)) }
            let stored = try #require(try await OutboxMessageRecord.query(on: app.db).first())
            #expect(stored.state == "sent")
            #expect(stored.provider == "smtp")
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 0, "sent once")
        }
        await server.stop()
    }

    @Test func aRefusedDeliveryIsRetriedLaterThenGivenUp() async throws {
        let server = try await SMTPTestServer(refuseRecipients: true)
        let clock = TestClock()
        try await withTestApp(clock: clock, environment: ["SMTP_URL": "smtp://127.0.0.1:\(server.port)"]) { app in
            _ = try await Self.escalateOnce(app, clock)
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 0)
            var stored = try #require(try await OutboxMessageRecord.query(on: app.db).first())
            #expect(stored.state == "pending")
            #expect(stored.attempts == 1)
            #expect(stored.lastError?.contains("550") == true)
            #expect(stored.nextAttemptAt == clock.now.addingTimeInterval(60))
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 0)
            #expect(try await OutboxMessageRecord.query(on: app.db).first()?.attempts == 1, "not before its retry time")
            for delay in Outbox.retryDelays {
                clock.advance(by: delay)
                _ = try await Outbox.deliver(app: app, now: clock.now)
            }
            stored = try #require(try await OutboxMessageRecord.query(on: app.db).first())
            #expect(stored.state == "failed")
            #expect(stored.attempts == Outbox.retryDelays.count + 1)
        }
        await server.stop()
    }

    @Test func withoutARelayNoticesGoToTheLog() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            _ = try await Self.escalateOnce(app, clock)
            #expect(app.deliveryProvider.name == "log")
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 1)
            #expect(try await OutboxMessageRecord.query(on: app.db).first()?.provider == "log")
        }
    }

    /// Several instances on one database pass over the same due notices at once: each notice leaves once.
    @Test func twoPassesAtOnceSendEachNoticeOnce() async throws {
        let server = try await SMTPTestServer()
        let clock = TestClock()
        try await withTestApp(clock: clock, environment: ["SMTP_URL": "smtp://127.0.0.1:\(server.port)"]) { app in
            let w = try await JournalWorld.build(on: app)
            for n in 0..<12 {
                let message = OutboxMessageRecord()
                message.id = UUID()
                message.$practice.id = w.world.practiceA
                message.practitionerID = w.world.practitionerA
                message.channel = "email"
                message.recipient = "medecin\(n)@example.fr"
                message.subject = "Avis \(n)"
                message.body = "Une transmission urgente vous attend."
                message.state = "pending"
                message.attempts = 0
                message.nextAttemptAt = clock.now
                message.createdAt = clock.now
                try await message.create(on: app.db)
            }
            async let first = Outbox.deliver(app: app, now: clock.now)
            async let second = Outbox.deliver(app: app, now: clock.now)
            let handed = try await first + second
            #expect(handed == 12, "each notice handed over by one pass only")
            #expect(server.messages.count == 12)
            #expect(Set(server.messages.map(\.to)).count == 12)
            let stored = try await OutboxMessageRecord.query(on: app.db).all()
            #expect(stored.allSatisfy { $0.state == "sent" && $0.attempts == 1 && $0.nextAttemptAt == clock.now }, "sent, due when it was due")
        }
        await server.stop()
    }

    /// A notice taken by an instance that then died is sent by another once its hold has passed, not before.
    @Test func aNoticeTakenByAnotherInstanceWaitsForItsHoldToPass() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            _ = try await Self.escalateOnce(app, clock)
            let message = try #require(try await OutboxMessageRecord.query(on: app.db).first())
            #expect(try await Outbox.take(message, app: app, now: clock.now), "the first instance takes it")
            #expect(try await !Outbox.take(message, app: app, now: clock.now), "a second cannot")
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 0, "held by the first instance")
            clock.advance(by: Outbox.takenFor)
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 1, "due again once the hold passed")
            #expect(try await OutboxMessageRecord.query(on: app.db).first()?.state == "sent")
        }
    }
}
