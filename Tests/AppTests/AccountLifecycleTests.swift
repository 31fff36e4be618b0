@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// An account after its creation: changed, disabled (its sessions, tokens and open consoles end at once), unlocked,
/// reset by an administrator (a temporary password that opens only its own change), its password changed by its
/// holder, its sessions and tokens listed and revoked; common passwords refused.
struct AccountLifecycleTests {
    struct Access: Decodable { struct S: Decodable { let id: UUID; let kind: String; let current: Bool }; let sessions: [S] }
    struct Reset: Decodable { let temporaryPassword: String; let mustChangePassword: Bool }
    struct User: Decodable { let id: UUID; let role: String; let practiceIds: [UUID]; let disabled: Bool }

    private static func userID(_ app: Application, _ email: String) async throws -> UUID {
        try #require(try await UserRecord.query(on: app.db).filter(\.$email == email).first()?.id)
    }

    @Test func disablingEndsSessionsTokensAndOpenConsolesAtOnce() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let admin = try await app.apiToken(world.admin)
            let token = try await app.apiToken(world.secretaryA)
            var console = Browser(app)
            try await console.signIn(world.secretaryA)
            #expect(try await console.get("/").status == .ok)
            let id = try await Self.userID(app, world.secretaryA)
            let (_, events) = await app.liveHub.subscribe(practices: nil, user: id)

            let disabled = try await app.api(.POST, "/api/v1/users/\(id)/disable", token: admin)
            #expect(disabled.status == .ok)
            #expect(try APIJSON.decode(User.self, disabled).disabled)
            #expect(try await app.api(.GET, "/api/v1/me", token: token).status == .unauthorized, "her token died at once")
            #expect(try await console.get("/").status == .seeOther, "her console is sent to the sign-in page")
            var told: LiveEvent.Kind?
            for await event in events { told = event.kind; break }
            #expect(told == .signedOut, "her open console is told")
            #expect(try await console.signIn(world.secretaryA).status == .unauthorized, "a disabled account cannot sign in")
            #expect(try await LoginSessionRecord.query(on: app.db).filter(\.$user.$id == id).count() == 0)

            #expect(try await app.api(.POST, "/api/v1/users/\(id)/enable", token: admin).status == .ok)
            #expect(try await console.signIn(world.secretaryA).status == .seeOther)
            let mine = try await app.api(.POST, "/api/v1/users/\(try await Self.userID(app, world.admin))/disable", token: admin)
            #expect(mine.status == .conflict, "an administrator does not disable herself")
            #expect(try await app.api(.POST, "/api/v1/users/\(id)/disable", token: token).status == .unauthorized)
            let journal = try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "user").filter(\.$entityID == id.uuidString)
                .filter(\.$action == "update").all()
            #expect(journal.count == 2 && journal.first?.after?.contains(#""disabled":true"#) == true)
        }
    }

    @Test func aResetGivesATemporaryPasswordThatOpensOnlyItsOwnChange() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let admin = try await app.apiToken(world.admin)
            let secretary = try await app.apiToken(world.secretaryA)
            let id = try await Self.userID(app, world.secretaryA)
            let reset = try APIJSON.decode(Reset.self, try await app.api(.POST, "/api/v1/users/\(id)/reset-password", token: admin))
            #expect(reset.mustChangePassword && reset.temporaryPassword.count == 19)
            #expect(try await app.api(.GET, "/api/v1/me", token: secretary).status == .unauthorized, "her tokens ended")
            let journal = try await AuditEntryRecord.query(on: app.db).filter(\.$entityID == id.uuidString).all()
            #expect(!journal.contains { ($0.after ?? "").contains(reset.temporaryPassword) }, "never journaled in clear")

            // The old password no longer opens; the temporary one opens only « Mon compte ».
            #expect(try await LoginThrottleTests.tokenRequest(app, email: world.secretaryA, password: reset.temporaryPassword).status == .forbidden)
            var browser = Browser(app)
            #expect(try await browser.signIn(world.secretaryA).status == .unauthorized)
            #expect(try await browser.signIn(world.secretaryA, password: reset.temporaryPassword).status == .seeOther)
            let elsewhere = try await browser.get("/cabinets/\(world.practiceA)")
            #expect(elsewhere.status == .seeOther && elsewhere.headers.first(name: .location) == "/mon-compte")
            let page = try await browser.get("/mon-compte")
            #expect(page.body.string.contains("réinitialisé par un administrateur"))
            let csrf = try #require(Browser.csrfToken(in: page.body.string))
            let weak = try await browser.post("/mon-compte/mot-de-passe", form: [("csrf", csrf), ("actuel", reset.temporaryPassword),
                                                                                ("nouveau", "azertyuiop123"), ("confirmation", "azertyuiop123")])
            #expect(weak.status == .unprocessableEntity)
            #expect(weak.body.string.contains("plus répandus"))
            let chosen = "le tilleul fleurit en juin"
            let changed = try await browser.post("/mon-compte/mot-de-passe", form: [("csrf", csrf), ("actuel", reset.temporaryPassword),
                                                                                   ("nouveau", chosen), ("confirmation", chosen)])
            #expect(changed.status == .seeOther)
            #expect(try await browser.get("/cabinets/\(world.practiceA)").status == .ok, "the console opens again")
            #expect(try await app.apiToken(world.secretaryA, password: chosen).isEmpty == false)
        }
    }

    @Test func theHolderChangesTheirPasswordAndListsAndRevokesTheirSessions() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let first = try await app.apiToken(world.secretaryA)
            let second = try await app.apiToken(world.secretaryA)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            let mine = try APIJSON.decode(Access.self, try await app.api(.GET, "/api/v1/me/sessions", token: first))
            #expect(mine.sessions.count == 3 && mine.sessions.filter(\.current).count == 1)
            let other = try #require(mine.sessions.first { $0.kind == "token" && !$0.current })
            #expect(try await app.api(.DELETE, "/api/v1/me/sessions/\(other.id)", token: first).status == .noContent)
            #expect(try await app.api(.GET, "/api/v1/me", token: second).status == .unauthorized)
            let outsider = try await app.apiToken(world.practitionerUserB)
            let session = try #require(mine.sessions.first { $0.kind == "session" })
            #expect(try await app.api(.DELETE, "/api/v1/me/sessions/\(session.id)", token: outsider).status == .notFound, "not hers")

            let wrong = try await app.api(.POST, "/api/v1/me/password", token: first, json: #"{"currentPassword":"devine","newPassword":"password"}"#)
            #expect(wrong.status == .unprocessableEntity)
            #expect(Set(try APIJSON.decode(APIJSON.Problem.self, wrong).errors?.map(\.field) ?? []) == ["currentPassword", "newPassword"])
            let done = try await app.api(.POST, "/api/v1/me/password", token: first,
                                         json: #"{"currentPassword":"\#(World.password)","newPassword":"une autre phrase de passe"}"#)
            #expect(done.status == .noContent)
            #expect(try await app.api(.GET, "/api/v1/me", token: first).status == .ok, "the request's own token stays")
            #expect(try await browser.get("/").status == .seeOther, "her other sessions ended")
        }
    }

    @Test func anAdministratorChangesRolesUnlocksAndSeesSessions() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            let admin = try await app.apiToken(world.admin)
            let id = try await Self.userID(app, world.secretaryA)
            let bad = try await app.api(.PUT, "/api/v1/users/\(id)", token: admin, json: #"{"displayName":"","role":"chef","practices":[]}"#)
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(try APIJSON.decode(APIJSON.Problem.self, bad).errors?.map(\.field) ?? []) == ["displayName", "role"])
            let changed = try await app.api(.PUT, "/api/v1/users/\(id)", token: admin,
                                            json: #"{"displayName":"Camille Dubois","role":"secretary","practices":["\#(world.practiceA)","\#(world.practiceB)"]}"#)
            #expect(changed.status == .ok)
            #expect(Set(try APIJSON.decode(User.self, changed).practiceIds) == [world.practiceA, world.practiceB])
            let token = try await app.apiToken(world.secretaryA)
            #expect(try await app.api(.GET, "/api/v1/practices/\(world.practiceB)/patients?q=durand", token: token).status == .ok)

            for attempt in 1...5 {
                _ = try await LoginThrottleTests.tokenRequest(app, email: world.secretaryA, password: "essai \(attempt)")
            }
            var browser = Browser(app)
            try await browser.signIn(world.admin)
            let page = try await browser.get("/admin/utilisateurs/\(id)")
            #expect(page.body.string.contains("Verrouillé") && page.body.string.contains("Déverrouiller"))
            #expect(try await app.api(.POST, "/api/v1/users/\(id)/unlock", token: admin).status == .ok)
            #expect(try await app.apiToken(world.secretaryA).isEmpty == false, "unlocked")
            let sessions = try APIJSON.decode(Access.self, try await app.api(.GET, "/api/v1/users/\(id)/sessions", token: admin))
            #expect(sessions.sessions.count == 2)
            #expect(try await app.api(.GET, "/api/v1/users/\(id)/sessions", token: token).status == .forbidden)
        }
    }
}
