@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Guessing a password online: every failure counts, even sent at once; an unknown name is answered like a known
/// one; one address trying many names is stopped too; each lock is journaled.
@Suite(.serialized) struct LoginThrottleTests {
    /// `POST /api/v1/auth/token` with these credentials, whatever the answer.
    static func tokenRequest(_ app: Application, email: String, password: String, method: Application.Method = .inMemory) async throws -> TestingHTTPResponse {
        try await app.testing(method: method).sendRequest(.POST, "/api/v1/auth/token", headers: ["Content-Type": "application/json"],
                                                          body: ByteBuffer(string: #"{"email":"\#(email)","password":"\#(password)"}"#))
    }

    @Test func twentyWrongPasswordsSentAtOnceAllCountAndLockTheAccount() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for attempt in 1...20 {
                    group.addTask { try await Self.tokenRequest(app, email: world.secretaryA, password: "essai \(attempt)").status }
                }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            // A guess refused before its password was checked is not counted; every checked guess is.
            let row = try #require(try await LoginThrottleRecord.query(on: app.db).filter(\.$key == "compte:" + world.secretaryA).first())
            #expect(row.failures >= 5 && row.failures <= 20)
            #expect(statuses.filter { $0 == .unauthorized }.count == 4, "only the four failures before the fifth are plain refusals: \(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 16, "\(statuses)")
            #expect(row.lockedUntil != nil)
            let right = try await Self.tokenRequest(app, email: world.secretaryA, password: World.password)
            #expect(right.status == .tooManyRequests, "the right password waits for the end of the lock")
            #expect(right.headers.first(name: .retryAfter).flatMap(Int.init) == 900)
            let lockouts = try await AuditEntryRecord.query(on: app.db).filter(\.$action == AuditAction.lockout.rawValue).all()
            #expect(lockouts.count == 1, "the lock is journaled once")
            #expect(lockouts.first?.entity == "user")
        }
    }

    @Test func anUnknownAccountNameIsAnsweredLikeAKnownOne() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            for (email, label) in [(world.secretaryA, "known"), ("personne@inconnu.test", "unknown")] {
                var statuses: [HTTPResponseStatus] = []
                var problems: [String] = []
                for attempt in 1...6 {
                    let response = try await Self.tokenRequest(app, email: email, password: "essai \(attempt)")
                    statuses.append(response.status)
                    problems.append(response.body.string.replacingOccurrences(of: email, with: "…"))
                }
                #expect(statuses == Array(repeating: .unauthorized, count: 4) + [.tooManyRequests, .tooManyRequests], "\(label): \(statuses)")
                #expect(problems[5].contains("account-locked"), "\(label)")
            }
            let unknownFailures = try await AuditEntryRecord.query(on: app.db).filter(\.$action == AuditAction.loginFailed.rawValue)
                .filter(\.$entity == "login").filter(\.$entityID == "personne@inconnu.test").count()
            #expect(unknownFailures == 5, "each failure against an unknown name is journaled, the sixth was refused unchecked")
        }
    }

    @Test func oneAddressTryingManyNamesIsStoppedOnTheFormAndTheAPI() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let running = Application.Method.running(port: 0)
            let limit = LoginThrottle.address.maximumFailures
            for attempt in 1..<limit {
                let response = try await Self.tokenRequest(app, email: "nom\(attempt)@essai.test", password: "essai", method: running)
                #expect(response.status == .unauthorized, "attempt \(attempt)")
            }
            let last = try await Self.tokenRequest(app, email: "nom\(limit)@essai.test", password: "essai", method: running)
            #expect(last.status == .tooManyRequests)
            #expect(last.body.string.contains("address-locked"))

            let api = try await Self.tokenRequest(app, email: world.secretaryA, password: World.password, method: running)
            #expect(api.status == .tooManyRequests, "a right password from that address waits too")
            #expect(api.headers.first(name: .retryAfter).flatMap(Int.init) == 900)
            #expect(try await ApiTokenRecord.query(on: app.db).count() == 0)

            let tester = try app.testing(method: running)
            let page = try await tester.sendRequest(.GET, "/connexion")
            let csrf = try #require(Browser.csrfToken(in: page.body.string))
            let cookie = try #require(page.headers.setCookie?.all.map { "\($0.key)=\($0.value.string)" }.joined(separator: "; "))
            let form = try await tester.sendRequest(.POST, "/connexion", headers: ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"],
                                                    body: ByteBuffer(string: "csrf=\(csrf)&email=\(world.secretaryA.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&password=\(World.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"))
            #expect(form.status == .tooManyRequests)
            #expect(form.body.string.contains("depuis cette adresse"))
            #expect(form.headers.first(name: .retryAfter) != nil)
            #expect(try await LoginSessionRecord.query(on: app.db).count() == 0)

            let lockout = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == AuditAction.lockout.rawValue).first())
            #expect(lockout.entity == "login_address")
        }
    }
}
