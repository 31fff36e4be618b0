@testable import App
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

/// An `Idempotency-Key` answer commits with the writes it guards, or nothing does: a retry after a failure (or a
/// crash) runs anew, a retry after a commit replays, and the same key sent at once books once.
@Suite struct IdempotencyTests {
    /// A route of the test's own: journals one write, then fails the first `failures` times with `error`.
    private static func addFlakyRoute(_ app: Application, failures: Int, error: any Error & Sendable) -> NIOLockedValueBox<Int> {
        let calls = NIOLockedValueBox(0)
        app.grouped("api", "v1").grouped(BearerAuthenticator()).grouped(RequireSignIn())
            .post("essai-panne", use: Idempotency.handler { req in
                let call = calls.withLockedValue { $0 += 1; return $0 }
                let principal = try req.requirePrincipal()
                try await req.writer.transaction(on: req.application.db, actor: AuditActor(userID: principal.userID, label: "essai")) { _, journal in
                    try await journal.record(.update, entity: "essai", entityID: "appel \(call)", practiceID: nil)
                }
                if call <= failures { throw error }
                return Response(status: .created, body: .init(string: #"{"appel":\#(call)}"#))
            })
        return calls
    }

    private static func traces(_ app: Application) async throws -> [String] {
        try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "essai").sort(\.$occurredAt).all().map(\.entityID)
    }

    @Test func aFailureAfterTheWriteUndoesItAndTheRetryRunsAnew() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let calls = Self.addFlakyRoute(app, failures: 1, error: Abort(.internalServerError, reason: "panne simulée"))
            let token = try await app.apiToken(world.secretaryA)
            let headers: HTTPHeaders = ["Idempotency-Key": "essai-1"]
            let failed = try await app.api(.POST, "/api/v1/essai-panne", token: token, json: "{}", headers: headers)
            #expect(failed.status == .internalServerError)
            #expect(try await Self.traces(app).isEmpty, "the write of the failed request is undone")
            #expect(try await IdempotencyKeyRecord.query(on: app.db).count() == 0, "nothing holds the key")

            let retried = try await app.api(.POST, "/api/v1/essai-panne", token: token, json: "{}", headers: headers)
            #expect(retried.status == .created)
            #expect(retried.headers.first(name: "Idempotent-Replayed") == nil, "the retry ran anew")
            let replayed = try await app.api(.POST, "/api/v1/essai-panne", token: token, json: "{}", headers: headers)
            #expect(replayed.status == .created)
            #expect(replayed.body.string == retried.body.string)
            #expect(replayed.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try await Self.traces(app) == ["appel 2"], "one write, from the run that succeeded")
            #expect(calls.withLockedValue { $0 } == 2)
        }
    }

    @Test func aRefusalUndoesItsWritesAndIsReplayed() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let calls = Self.addFlakyRoute(app, failures: 1, error: AppError.conflict("Créneau déjà pris."))
            let token = try await app.apiToken(world.secretaryA)
            let headers: HTTPHeaders = ["Idempotency-Key": "essai-2"]
            let refused = try await app.api(.POST, "/api/v1/essai-panne", token: token, json: "{}", headers: headers)
            #expect(refused.status == .conflict)
            #expect(try await Self.traces(app).isEmpty, "a refused request leaves no half-done write")
            let again = try await app.api(.POST, "/api/v1/essai-panne", token: token, json: "{}", headers: headers)
            #expect(again.status == .conflict)
            #expect(again.body.string == refused.body.string)
            #expect(again.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(calls.withLockedValue { $0 } == 1)
        }
    }

    @Test func theSameKeySentTenTimesAtOnceBooksOnceAndEveryoneGetsItsAnswer() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let body = s.booking("2026-11-26T10:00:00+01:00")
            let answers = try await withThrowingTaskGroup(of: (HTTPResponseStatus, String).self) { group in
                for _ in 1...10 {
                    group.addTask {
                        let response = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: body, headers: ["Idempotency-Key": "appel-7"])
                        return (response.status, response.body.string)
                    }
                }
                return try await group.reduce(into: [(HTTPResponseStatus, String)]()) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.0 == .created }, "no retry is told to come back later: \(answers.map(\.0))")
            #expect(Set(answers.map(\.1)).count == 1, "every answer is the first one, byte for byte: \(Set(answers.map(\.1)))")
            #expect(try await AppointmentsAPITests.liveAppointments(app) == 1)
        }
    }

    @Test func keysAreForgottenAfterADay() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let s = try await AppointmentsAPITests.setUp(app)
            let first = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking("2026-11-26T10:00:00+01:00"),
                                          headers: ["Idempotency-Key": "appel-8"])
            #expect(first.status == .created)
            clock.advance(by: 23 * 3600)
            try await Retention.sweep(app: app, now: clock.now)
            #expect(try await IdempotencyKeyRecord.query(on: app.db).count() == 1)
            clock.advance(by: 3600)
            try await Retention.sweep(app: app, now: clock.now)
            #expect(try await IdempotencyKeyRecord.query(on: app.db).count() == 0)
        }
    }
}
