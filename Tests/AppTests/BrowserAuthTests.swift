@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

struct BrowserAuthTests {
    @Test func theLoginPageIsFrenchAndCarriesACSRFToken() async throws {
        try await withTestApp { app in
            var browser = Browser(app)
            let home = try await browser.get("/")
            #expect(home.status == .seeOther)
            #expect(home.headers.first(name: .location) == "/connexion")
            let page = try await browser.get("/connexion")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Mot de passe"))
            #expect(page.body.string.contains("lang=\"fr\""))
            #expect(Browser.csrfToken(in: page.body.string) != nil)
        }
    }

    @Test func signingInSetsAnHttpOnlyLaxSessionCookieAndOpensTheHomePage() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            let response = try await browser.signIn(world.secretaryA)
            #expect(response.status == .seeOther)
            let cookie = try #require(response.headers.setCookie?[SessionAuthenticator.cookieName])
            #expect(cookie.isHTTPOnly)
            #expect(cookie.sameSite == .lax)
            #expect(!cookie.isSecure)
            let home = try await browser.get("/")
            #expect(home.status == .ok)
            #expect(home.body.string.contains("Cabinet A"))
            #expect(!home.body.string.contains("Cabinet B"))
        }
    }

    @Test func theCookieIsSecureBehindATLSProxy() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            browser.extraHeaders.add(name: "X-Forwarded-Proto", value: "https")
            let response = try await browser.signIn(world.secretaryA)
            #expect(response.headers.setCookie?[SessionAuthenticator.cookieName]?.isSecure == true)
        }
    }

    @Test func aWrongPasswordShowsAFrenchErrorAndOpensNoSession() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            let response = try await browser.signIn(world.secretaryA, password: "pas le bon mot de passe")
            #expect(response.status == .unauthorized)
            #expect(response.body.string.contains("Adresse e-mail ou mot de passe incorrect."))
            #expect(browser.cookies[SessionAuthenticator.cookieName] == nil)
            #expect(try await LoginSessionRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func fiveFailuresLockTheAccountForFifteenMinutes() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            for attempt in 1...5 {
                let response = try await browser.signIn(world.secretaryA, password: "mauvais essai \(attempt)")
                #expect(response.status == (attempt < 5 ? .unauthorized : .tooManyRequests))
            }
            let locked = try await browser.signIn(world.secretaryA)
            #expect(locked.status == .tooManyRequests)
            #expect(locked.body.string.contains("verrouillé"))
            #expect(browser.cookies[SessionAuthenticator.cookieName] == nil)

            clock.advance(by: 15 * 60)
            let afterLock = try await browser.signIn(world.secretaryA)
            #expect(afterLock.status == .seeOther)
            #expect(browser.cookies[SessionAuthenticator.cookieName] != nil)
            let counts = try await LoginThrottleRecord.query(on: app.db).filter(\.$key == "compte:" + world.secretaryA).count()
            #expect(counts == 0, "a good password clears the account's count")
        }
    }

    @Test func aLoginWithoutTheCSRFTokenIsRefused() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            _ = try await browser.get("/connexion")
            let forged = try await browser.post("/connexion", form: [("email", world.secretaryA), ("password", World.password)])
            #expect(forged.status == .forbidden)
            #expect(forged.body.string.contains("Formulaire expiré"))
            let wrong = try await browser.post("/connexion", form: [("csrf", "devine"), ("email", world.secretaryA), ("password", World.password)])
            #expect(wrong.status == .forbidden)
            #expect(try await LoginSessionRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func aSignedInFormWithoutTheSessionTokenIsRefusedAndChangesNothing() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            let logout = try await browser.post("/deconnexion", form: [])
            #expect(logout.status == .forbidden)
            #expect(try await LoginSessionRecord.query(on: app.db).count() == 1)
            #expect(try await browser.get("/").status == .ok)
        }
    }

    @Test func signingInAgainGivesANewSessionIdAndRetiresTheOldOne() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            let first = try #require(browser.cookies[SessionAuthenticator.cookieName])
            let firstID = try #require(try await LoginSessionRecord.query(on: app.db).first()?.id)
            // Signed in, the login page sends home; the form posted again (same or another account) must still rotate the id.
            #expect(try await browser.get("/connexion").status == .seeOther)
            let csrf = try #require(Browser.csrfToken(in: try await browser.get("/").body.string))
            let again = try await browser.post("/connexion", form: [("csrf", csrf), ("email", world.secretaryA), ("password", World.password)])
            #expect(again.status == .seeOther)
            let second = try #require(browser.cookies[SessionAuthenticator.cookieName])
            #expect(first != second)
            let sessions = try await LoginSessionRecord.query(on: app.db).all()
            #expect(sessions.count == 1)
            #expect(sessions.first?.id != firstID)
            var stale = Browser(app)
            stale.cookies[SessionAuthenticator.cookieName] = first
            #expect(try await stale.get("/").status == .seeOther)
        }
    }

    @Test func signingOutEndsTheSession() async throws {
        try await withTestApp { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            let token = try #require(browser.cookies[SessionAuthenticator.cookieName])
            let page = try await browser.get("/")
            let csrf = try #require(Browser.csrfToken(in: page.body.string))
            let logout = try await browser.post("/deconnexion", form: [("csrf", csrf)])
            #expect(logout.status == .seeOther)
            #expect(browser.cookies[SessionAuthenticator.cookieName] == nil)
            var replay = Browser(app)
            replay.cookies[SessionAuthenticator.cookieName] = token
            #expect(try await replay.get("/").status == .seeOther)
            #expect(try await LoginSessionRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func anExpiredSessionSendsBackToTheLoginPage() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await World.build(on: app)
            var browser = Browser(app)
            try await browser.signIn(world.secretaryA)
            clock.advance(by: 12 * 3600 + 1)
            #expect(try await browser.get("/").status == .seeOther)
            var colleague = Browser(app)
            try await colleague.signIn(world.supervisor)
            let sessions = try await LoginSessionRecord.query(on: app.db).all()
            #expect(sessions.count == 1, "the expired session is removed at the next sign-in")
        }
    }

    @Test func theLoginNeverRedirectsToAnotherSite() {
        #expect(AuthController.safeNext("//evil.example/") == "/")
        #expect(AuthController.safeNext("https://evil.example/") == "/")
        #expect(AuthController.safeNext("/cabinets/x") == "/cabinets/x")
    }
}
