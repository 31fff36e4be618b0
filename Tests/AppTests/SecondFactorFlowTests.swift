@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The second factor as people meet it: an account whose role asks one enrols before anything else, then signs in
/// with a code that opens once; the API issues a token only after it; recovery codes open once each; an administrator
/// removes a lost one and decides for the secretaries. The codes here come from the secret the enrolment page shows
/// (the browser journey checks the same against an independent implementation, Python's pyotp).
struct SecondFactorFlowTests {
    struct Problem: Decodable { let type: String; let status: Int }

    private static func tokenRequest(_ app: Application, _ email: String, code: String?) async throws -> TestingHTTPResponse {
        let codePart = code.map { #","code":"\#($0)""# } ?? ""
        return try await app.testing().sendRequest(.POST, "/api/v1/auth/token", headers: ["Content-Type": "application/json"],
                                                   body: ByteBuffer(string: #"{"email":"\#(email)","password":"\#(World.password)"\#(codePart)}"#))
    }

    private static func problemType(_ response: TestingHTTPResponse) throws -> String {
        try JSONDecoder().decode(Problem.self, from: Data(response.body.readableBytesView)).type
    }

    /// A new administrator, not enrolled: what the command line creates.
    private static func newAdmin(_ app: Application, _ email: String = "nouvelle.admin@permanence.test") async throws -> UserRecord {
        let valid = ValidatedUser(email: email, displayName: "Nouvelle Admin", role: .admin, practiceIDs: [], practitionerID: nil)
        return try await UserStore.insert(valid, passwordHash: World.passwordHash, actor: .system("test"), requestID: nil, writer: app.writer, on: app.db)
    }

    @Test func anAccountWhoseRoleAsksItEnrolsFirstThenSignsInWithACodeThatOpensOnce() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            _ = try await World.build(on: app)
            let admin = try await Self.newAdmin(app)
            #expect(try await Self.tokenRequest(app, admin.email, code: nil).status == .forbidden, "no token before the enrolment")

            var browser = Browser(app)
            #expect(try await browser.signIn(admin.email).headers.first(name: .location) == "/")
            let elsewhere = try await browser.get("/admin/utilisateurs")
            #expect(elsewhere.status == .seeOther && elsewhere.headers.first(name: .location) == SecondFactorController.page, "only the enrolment is open")
            let page = try await browser.get(SecondFactorController.page)
            #expect(page.status == .ok)
            let html = page.body.string
            let key = try #require(html.firstMatch(of: /id="cle-secrete">([A-Z2-7 ]+)</).map { String($0.1) })
            let secret = try #require(Base32.decode(key))
            #expect(secret.count == 20)
            if QRCode.isAvailable { #expect(html.contains("<svg") && html.contains("otpauth") == false, "a QR code, its address not printed") }
            #expect(try await browser.get(SecondFactorController.page).body.string.contains(key), "a reload shows the same key")
            let stored = try #require(try await UserRecord.find(admin.id, on: app.db)?.totpPendingSecret)
            #expect(!stored.contains(key.replacingOccurrences(of: " ", with: "")) && Data(base64Encoded: stored) != secret, "sealed at rest")

            // A wrong code enrols nothing.
            let csrf = try #require(Browser.csrfToken(in: html))
            let step = TOTP.step(at: clock.now)
            let wrong = try await browser.post(SecondFactorController.page, form: [("csrf", csrf), ("code", TOTP.code(secret: secret, step: step + 5))])
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("ne correspond pas"))
            #expect(try await UserRecord.find(admin.id, on: app.db)?.totpSecret == nil)

            let enrolled = try await browser.post(SecondFactorController.page, form: [("csrf", csrf), ("code", TOTP.code(secret: secret, step: step))])
            #expect(enrolled.status == .ok)
            let codes = enrolled.body.string.matches(of: /<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})<\/code><\/li>/).map { String($0.1) }
            #expect(codes.count == 10 && Set(codes).count == 10)
            let hashes = try await RecoveryCodeRecord.query(on: app.db).filter(\.$user.$id == admin.id!).all().map(\.codeHash)
            #expect(hashes.count == 10 && codes.allSatisfy { code in !hashes.contains(code) && hashes.contains(SecondFactorStore.recoveryHash(code)!) },
                    "kept hashed")
            #expect(try await browser.get("/admin/utilisateurs").status == .ok, "the rest opens once enrolled")

            // Signing in again: the password, then the code; the code that enrolled does not open twice.
            var again = Browser(app)
            let first = try await again.post("/connexion", form: [("csrf", try #require(Browser.csrfToken(in: try await again.get("/connexion").body.string))),
                                                                   ("email", admin.email), ("password", World.password), ("suite", "/agenda")])
            #expect(first.headers.first(name: .location) == "/connexion/code")
            #expect(again.cookies[SessionAuthenticator.cookieName] == nil, "no session before the code")
            let codeCSRF = try #require(Browser.csrfToken(in: try await again.get("/connexion/code").body.string))
            let replay = try await again.post("/connexion/code", form: [("csrf", codeCSRF), ("code", TOTP.code(secret: secret, step: step))])
            #expect(replay.status == .unauthorized && replay.body.string.contains("déjà utilisé"))
            let signedIn = try await again.post("/connexion/code", form: [("csrf", codeCSRF), ("code", TOTP.code(secret: secret, step: step + 1))])
            #expect(signedIn.status == .seeOther && signedIn.headers.first(name: .location) == "/agenda")
            #expect(again.cookies[SessionAuthenticator.cookieName] != nil)
            let login = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "login").filter(\.$entityID == admin.id!.uuidString).all()
            #expect(login.contains { $0.after?.contains(#""secondFactor":"totp""#) == true })

            // A recovery code opens once, through the API too.
            clock.advance(by: 30)
            #expect(try await Self.tokenRequest(app, admin.email, code: codes[3].uppercased()).status == .created)
            let reused = try await Self.tokenRequest(app, admin.email, code: codes[3])
            let reusedType = try Self.problemType(reused)
            #expect(reused.status == .unauthorized && reusedType.hasSuffix("invalid-second-factor"))
            #expect(try await SecondFactorStore.unusedRecoveryCodes(of: try #require(try await UserRecord.find(admin.id, on: app.db)), on: app.db) == 9)
        }
    }

    @Test func theTokenRouteAsksTheCodeCountsWrongOnesAndLocks() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await World.build(on: app)
            let missing = try await Self.tokenRequest(app, world.supervisor, code: nil)
            let missingType = try Self.problemType(missing)
            #expect(missing.status == .unauthorized && missingType.hasSuffix("second-factor-required"))
            let step = TOTP.step(at: clock.now)
            for attempt in 1...5 {
                let wrong = try await Self.tokenRequest(app, world.supervisor, code: TOTP.code(secret: World.secondFactorSecret, step: step + 3))
                #expect(wrong.status == (attempt < 5 ? .unauthorized : .tooManyRequests), "attempt \(attempt)")
            }
            let right = try await Self.tokenRequest(app, world.supervisor, code: TOTP.code(secret: World.secondFactorSecret, step: step))
            #expect(right.status == .tooManyRequests && right.headers.first(name: .retryAfter) != nil, "locked: even the right code waits")
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "lockout").count() == 1)
            clock.advance(by: 16 * 60)
            let step2 = TOTP.step(at: clock.now)
            #expect(try await Self.tokenRequest(app, world.supervisor, code: TOTP.code(secret: World.secondFactorSecret, step: step2)).status == .created)
            #expect(try await Self.tokenRequest(app, world.supervisor, code: TOTP.code(secret: World.secondFactorSecret, step: step2)).status == .unauthorized,
                    "the same code does not open twice")
        }
    }

    @Test func concurrentUsesOfOneCodeOpenOnce() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await World.build(on: app)
            let code = TOTP.code(secret: World.secondFactorSecret, step: TOTP.step(at: clock.now))
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<6 { group.addTask { try await Self.tokenRequest(app, world.admin, code: code).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1, "\(statuses)")
        }
    }

    @Test func theCenterDecidesForSecretariesAndAnAdministratorRemovesALostSecondFactor() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let admin = try await app.apiToken(world.admin)
            var secretary = Browser(app)
            try await secretary.signIn(world.secretaryA)
            #expect(try await secretary.get("/").status == .ok, "optional for secretaries by default")
            let secretaryToken = try await app.apiToken(world.secretaryA)
            let refused = try await app.api(.PUT, "/api/v1/center/security", token: secretaryToken, json: #"{"secondFactorForSecretaries":true}"#)
            #expect(refused.status == .forbidden)
            let set = try await app.api(.PUT, "/api/v1/center/security", token: admin, json: #"{"secondFactorForSecretaries":true}"#)
            #expect(set.status == .ok && set.body.string.contains("true"))
            #expect(try await app.api(.GET, "/api/v1/center/security", token: admin).body.string.contains("true"))
            #expect(try await secretary.get("/").headers.first(name: .location) == SecondFactorController.page, "her next page is the enrolment")
            #expect(try await app.api(.GET, "/api/v1/me/sessions", token: secretaryToken).status == .forbidden)
            #expect(try await Self.tokenRequest(app, world.secretaryA, code: nil).status == .forbidden)
            let bad = try await app.api(.PUT, "/api/v1/center/security", token: admin, json: #"{"secondFactorForSecretaries":"oui"}"#)
            #expect(bad.status == .unprocessableEntity || bad.status == .badRequest)
            #expect(try await app.api(.GET, "/api/v1/center/security", token: admin).body.string.contains("true"), "a bad body changes nothing")

            // Lost phone: the administrator removes the supervisor's second factor; she enrols again at her next sign-in.
            let supervisor = try #require(try await UserRecord.query(on: app.db).filter(\.$email == world.supervisor).first())
            let removed = try await app.api(.POST, "/api/v1/users/\(supervisor.id!)/reset-second-factor", token: admin)
            #expect(removed.status == .ok && removed.body.string.contains(#""secondFactor":false"#))
            #expect(try await Self.tokenRequest(app, world.supervisor, code: nil).status == .forbidden)
            var browser = Browser(app)
            #expect(try await browser.signIn(world.supervisor).headers.first(name: .location) == "/")
            #expect(try await browser.get("/journal-audit").headers.first(name: .location) == SecondFactorController.page)
            #expect(try await app.api(.POST, "/api/v1/users/\(supervisor.id!)/reset-second-factor", token: secretaryToken).status == .forbidden)
        }
    }

    @Test func aChallengeExpiresAndADisabledAccountCannotFinishIt() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            let page = try await browser.get("/connexion")
            _ = try await browser.post("/connexion", form: [("csrf", try #require(Browser.csrfToken(in: page.body.string))), ("email", world.admin),
                                                           ("password", World.password), ("suite", "/")])
            let csrf = try #require(Browser.csrfToken(in: try await browser.get("/connexion/code").body.string))
            clock.advance(by: LoginChallengeRecord.lifetime + 1)
            let late = try await browser.post("/connexion/code", form: [("csrf", csrf), ("code", TOTP.code(secret: World.secondFactorSecret, step: TOTP.step(at: clock.now)))])
            #expect(late.headers.first(name: .location) == "/connexion?motif=expired")
            #expect(browser.cookies[SessionAuthenticator.cookieName] == nil)
            #expect(try await browser.get("/connexion?motif=expired").body.string.contains("La connexion a expiré"))
        }
    }
}
