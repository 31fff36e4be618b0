import Fluent
import Foundation
import Leaf
import Vapor

/// The browser's sign-in and sign-out.
struct AuthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.signIn, use: showLogin)
        routes.post(.signIn, use: login)
    }

    /// Sign-out needs a session; it is registered among the signed-in routes.
    func bootSignedIn(routes: any RoutesBuilder) {
        routes.post(.signOut, use: logout)
    }

    struct LoginPage: Encodable {
        let csrf: String
        let email: String
        let error: String?
        let next: String
        let signedIn: Bool
    }

    struct LoginForm: Content {
        var email: String?
        var password: String?
        var suite: String?
    }

    @Sendable
    func showLogin(req: Request) async throws -> Response {
        if req.principal != nil { return req.redirect(to: SitePath.home.link()) }
        let next = Self.safeNext(req.query[String.self, at: "suite"])
        let expired = req.query[String.self, at: "motif"] == "expired"
        return try await render(req, email: "", error: expired ? "La connexion a expiré avant le code : recommencez." : nil, next: next, status: .ok)
    }

    @Sendable
    func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let email = form.email ?? ""
        let next = Self.safeNext(form.suite)
        let user: UserRecord
        do {
            user = try await LoginService.authenticate(email: email, password: form.password ?? "", request: req)
        } catch let error as AppError {
            let page = try await render(req, email: email, error: error.detail, next: next, status: error.status)
            error.addRetryAfter(to: page, now: req.application.clock.now())
            return page
        }
        if user.totpSecret != nil {
            return try await SecondFactorController.challenge(user, next: next, req: req)
        }
        return try await Self.openSession(for: user, secondFactor: nil, next: next, req: req)
    }

    /// Signs `user` in: a new session, its cookie, the failures forgotten, journaled; then the page `next`.
    static func openSession(for user: UserRecord, secondFactor: String?, next: String, req: Request) async throws -> Response {
        let token = SecretToken.generate()
        let now = req.application.clock.now()
        let lifetime = req.application.settings.sessionLifetime
        let previousSession: UUID? = { if case .session(let id, _) = req.principal?.credential { return id } else { return nil } }()
        try await SessionStore.openSession(for: user, tokenHash: SecretToken.hash(token), replacing: previousSession, secondFactor: secondFactor,
                                           now: now, req: req)
        if previousSession != nil { SessionAuthenticator.forgetSession(of: req) }
        let response = req.redirect(to: next, redirectType: .normal)
        response.cookies[SessionAuthenticator.cookieName] = CookieFactory.cookie(token, for: req, maxAge: Int(lifetime))
        response.cookies[CSRFProtection.preSessionCookie] = CookieFactory.expired(for: req)
        return response
    }

    @Sendable
    func logout(req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        if case .session(let id, _) = principal.credential {
            try await SessionStore.closeSession(id, of: principal, req: req)
            SessionAuthenticator.forgetSession(of: req)
        }
        let response = req.redirect(to: SitePath.signIn.link(), redirectType: .normal)
        response.cookies[SessionAuthenticator.cookieName] = CookieFactory.expired(for: req)
        return response
    }

    private func render(_ req: Request, email: String, error: String?, next: String, status: HTTPResponseStatus) async throws -> Response {
        let response = Response(status: status)
        let csrf = CSRFProtection.token(for: req, response: response)
        let view = try await req.view.render("auth/login", LoginPage(csrf: csrf, email: email, error: error, next: next, signedIn: false))
        response.headers.contentType = .html
        response.body = .init(buffer: view.data)
        return response
    }

    /// Only a local path: never an open redirect to another site.
    static func safeNext(_ raw: String?) -> String {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains("\\") else { return "/" }
        return raw
    }
}
