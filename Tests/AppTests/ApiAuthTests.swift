@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

struct ApiAuthTests {
    @Test func aTokenOpensTheAPIUntilRevoked() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let token = try await app.apiToken(world.secretaryA)
            let stored = try await ApiTokenRecord.query(on: app.db).first()
            #expect(stored?.tokenHash == SecretToken.hash(token))
            let me = try await app.api(.GET, "/api/v1/me", token: token)
            #expect(me.status == .ok)
            #expect(me.body.string.contains(world.secretaryA))
            #expect(try await app.api(.DELETE, "/api/v1/auth/token", token: token).status == .noContent)
            let after = try await app.api(.GET, "/api/v1/me", token: token)
            #expect(after.status == .unauthorized)
            #expect(after.headers.contentType?.description.hasPrefix("application/problem+json") == true)
        }
    }

    @Test func aTokenLastsTwelveHoursUnlessTheCenterSaysOtherwise() async throws {
        for (environment, hours) in [([:], 12.0), (["PERMANENCE_TOKEN_HOURS": "72"], 72.0)] {
            let clock = TestClock()
            try await withTestApp(clock: clock, environment: environment) { app in
                let world = try await World.build(on: app)
                let token = try await app.apiToken(world.secretaryA)
                let stored = try #require(try await ApiTokenRecord.query(on: app.db).first())
                #expect(stored.expiresAt.timeIntervalSince(stored.createdAt) == hours * 3600)
                clock.advance(by: hours * 3600 - 60)
                #expect(try await app.api(.GET, "/api/v1/me", token: token).status == .ok)
                clock.advance(by: 60)
                #expect(try await app.api(.GET, "/api/v1/me", token: token).status == .unauthorized)
            }
        }
    }

    @Test func withoutATokenTheAPIAnswers401AsAProblem() async throws {
        try await withTestApp { app in
            let response = try await app.api(.GET, "/api/v1/practices", token: nil)
            #expect(response.status == .unauthorized)
            #expect(response.headers.first(name: .wwwAuthenticate) == "Bearer")
            struct P: Decodable { let type: String; let status: Int; let title: String }
            let problem = try JSONDecoder().decode(P.self, from: Data(response.body.string.utf8))
            #expect(problem.status == 401)
            #expect(problem.type == "urn:permanence:problem:unauthenticated")
        }
    }

    @Test func aSessionCookieDoesNotOpenTheAPI() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            #expect(try await browser.get("/api/v1/me").status == .unauthorized)
        }
    }

    @Test func wrongCredentialsAnswer401AndMissingFieldsNameTheField() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let wrong = try await app.api(.POST, "/api/v1/auth/token", token: nil, json: #"{"email":"\#(world.secretaryA)","password":"pas le bon mot"}"#)
            #expect(wrong.status == .unauthorized)
            let missing = try await app.api(.POST, "/api/v1/auth/token", token: nil, json: #"{"email":"\#(world.secretaryA)"}"#)
            #expect(missing.status == .unprocessableEntity)
            struct P: Decodable { struct F: Decodable { let field: String; let reason: String }; let errors: [F] }
            let problem = try JSONDecoder().decode(P.self, from: Data(missing.body.string.utf8))
            #expect(problem.errors.first?.field == "password")
            #expect(try await ApiTokenRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func theAPISharesTheLockoutAndSaysWhenToRetry() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            for _ in 1...5 {
                _ = try await app.api(.POST, "/api/v1/auth/token", token: nil, json: #"{"email":"\#(world.secretaryA)","password":"mauvais mot de passe"}"#)
            }
            let locked = try await app.api(.POST, "/api/v1/auth/token", token: nil, json: #"{"email":"\#(world.secretaryA)","password":"\#(World.password)"}"#)
            #expect(locked.status == .tooManyRequests)
            #expect(locked.headers.first(name: .retryAfter) == "900")
        }
    }

    @Test func secretTokensCarryTheirBytesURLSafeAndNeverRepeat() throws {
        for count in [1, 7, 8, 16, 32] {
            let token = SecretToken.generate(prefix: "p_", bytes: count)
            #expect(token.hasPrefix("p_"))
            let encoded = String(token.dropFirst(2))
            #expect(encoded.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "URL-safe: \(encoded)")
            var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            #expect(Data(base64Encoded: base64)?.count == count)
        }
        let many = (0..<1_000).map { _ in SecretToken.generate(bytes: 16) }
        #expect(Set(many).count == many.count)
    }
}
