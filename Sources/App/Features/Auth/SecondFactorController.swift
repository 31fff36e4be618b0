import Domain
import Fluent
import Foundation
import Vapor

/// The second factor in the browser: the code asked after the password (`/connexion/code`), the enrolment page under
/// « Mon compte », the administrator's removal of an account's second factor and the center's setting for
/// secretaries; the same through the API.
struct SecondFactorController {
    static let page = SitePath.secondFactor.link()
    static let enrolFirst = "ce compte doit d'abord activer la double authentification (page « Mon compte », dans le navigateur)"

    /// What an account that must enrol may still reach: the enrolment, signing out, who it is (`/api/v1/me`).
    static func openBeforeEnrolment(_ req: Request) -> Bool {
        let path = req.url.path
        return path == page || path.hasPrefix(page + "/") || path == "/deconnexion" || path == "/api/v1/me"
    }

    func bootPublic(routes: any RoutesBuilder) {
        routes.get(.signInCode, use: showCode)
        routes.post(.signInCode, use: checkCode)
    }

    func bootBrowser(routes: any RoutesBuilder) {
        routes.get(.secondFactor, use: enrolmentPage)
        routes.post(.secondFactor, use: confirm)
        routes.post(.secondFactorCodes, use: renew)
        routes.post(.secondFactorRemove, use: removeOwn)
        routes.post(.centerSecondFactor, use: setCenterFromForm)
    }

    func bootAPI(routes: any RoutesBuilder) {
        routes.get("center", "security", use: apiCenter)
        routes.put("center", "security", use: apiSetCenter)
    }

    // MARK: The code after the password

    /// Remembers the half-done sign-in and asks for the code.
    static func challenge(_ user: UserRecord, next: String, req: Request) async throws -> Response {
        let token = SecretToken.generate()
        try await SessionStore.startChallenge(for: user, tokenHash: SecretToken.hash(token), next: next, now: req.application.clock.now(), req: req)
        let response = req.redirect(to: SitePath.signInCode.link(), redirectType: .normal)
        response.cookies[LoginChallengeRecord.cookieName] = CookieFactory.cookie(token, for: req, maxAge: Int(LoginChallengeRecord.lifetime))
        return response
    }

    /// The challenge of this browser and its account, while both hold.
    private static func pending(_ req: Request) async throws -> (LoginChallengeRecord, UserRecord)? {
        guard let token = req.cookies[LoginChallengeRecord.cookieName]?.string, !token.isEmpty,
              let challenge = try await LoginChallengeRecord.query(on: req.db).filter(\.$tokenHash == SecretToken.hash(token))
                .filter(\.$expiresAt > req.application.clock.now()).first(),
              let user = try await UserRecord.find(challenge.$user.id, on: req.db), !user.disabled, user.totpSecret != nil else { return nil }
        return (challenge, user)
    }

    struct CodePage: Encodable { let csrf: String; let email: String; let error: String? }

    private static func renderCode(_ req: Request, email: String, error: AppError?) async throws -> Response {
        let response = Response(status: error?.status ?? .ok)
        let csrf = CSRFProtection.token(for: req, response: response)
        let view = try await req.view.render("auth/code", CodePage(csrf: csrf, email: email, error: error?.detail))
        response.headers.contentType = .html
        response.body = .init(buffer: view.data)
        error?.addRetryAfter(to: response, now: req.application.clock.now())
        return response
    }

    /// Back to the password, the half-done sign-in forgotten.
    private static func restart(_ req: Request, because reason: String) -> Response {
        let response = req.redirect(to: SitePath.signIn.link(query: "motif=") + (reason.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), redirectType: .normal)
        response.cookies[LoginChallengeRecord.cookieName] = CookieFactory.expired(for: req)
        return response
    }

    @Sendable func showCode(req: Request) async throws -> Response {
        guard let (_, user) = try await Self.pending(req) else { return Self.restart(req, because: "expired") }
        return try await Self.renderCode(req, email: user.email, error: nil)
    }

    struct CodeForm: Content { var code: String? }

    @Sendable func checkCode(req: Request) async throws -> Response {
        guard let (challenge, user) = try await Self.pending(req) else { return Self.restart(req, because: "expired") }
        let code = try req.content.decode(CodeForm.self).code ?? ""
        let kind: String
        do {
            try await LoginService.refuseIfLocked(email: user.email, request: req)
            guard let used = try await SecondFactorStore.use(code, for: user, app: req.application, on: req.db) else {
                try await LoginService.countFailure(email: user.email, user: user, reason: "code", otherwise: .invalidSecondFactor, request: req)
            }
            kind = used
        } catch let error as AppError {
            if case .accountLocked = error { try await SessionStore.endChallenge(challenge, req: req) }
            return try await Self.renderCode(req, email: user.email, error: error)
        }
        try await SessionStore.endChallenge(challenge, req: req)
        let response = try await AuthController.openSession(for: user, secondFactor: kind, next: challenge.next, req: req)
        response.cookies[LoginChallengeRecord.cookieName] = CookieFactory.expired(for: req)
        return response
    }

    // MARK: Enrolment

    struct EnrolmentPage: Encodable {
        let layout: PracticesController.Layout
        let enrolled: Bool
        let required: Bool
        let mustEnrol: Bool
        let enabledOn: String?
        let unusedRecoveryCodes: Int
        let qrCode: String?
        let secretGroups: String?
        let otpauth: String?
        let recoveryCodes: [String]
        let error: String?
        let notice: String?
    }

    private static func renderEnrolment(_ req: Request, recoveryCodes: [String] = [], error: String? = nil, notice: String? = nil,
                                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let principal = try req.requirePrincipal()
        let user = try await AccountStore.user(principal.userID, on: req.db)
        let enrolled = user.totpSecret != nil
        var qr: String?, groups: String?, uri: String?
        if !enrolled {
            let secret = try await SecondFactorStore.pendingSecret(of: user, app: req.application, on: req.db)
            let text = Base32.encode(secret)
            uri = TOTP.uri(secret: secret, account: user.email, issuer: "Permanence")
            qr = QRCode.svg(uri!, label: "Code QR à scanner avec l'application d'authentification")
            groups = stride(from: 0, to: text.count, by: 4).map { String(Array(text)[$0..<min($0 + 4, text.count)]) }.joined(separator: " ")
        }
        let view = try await req.view.render("account/second-factor", EnrolmentPage(
            layout: .init(principal), enrolled: enrolled, required: try await SecondFactorStore.isRequired(user, on: req.db),
            mustEnrol: principal.mustEnrolSecondFactor, enabledOn: user.totpEnabledAt.map { FrenchFormat.moment($0) },
            unusedRecoveryCodes: enrolled ? try await SecondFactorStore.unusedRecoveryCodes(of: user, on: req.db) : 0,
            qrCode: qr, secretGroups: groups, otpauth: uri, recoveryCodes: recoveryCodes, error: error, notice: notice))
        let response = try await view.encodeResponse(for: req)
        response.status = status
        return response
    }

    @Sendable func enrolmentPage(req: Request) async throws -> Response {
        try await Self.renderEnrolment(req, notice: req.query[String.self, at: "ok"])
    }

    @Sendable func confirm(req: Request) async throws -> Response {
        try await Self.giveRecoveryCodes(req, whenEnrolled: false, notice: "Double authentification activée.") { code, user, principal in
            let codes = try await SecondFactorStore.confirm(code, user: user, principal: principal, req: req)
            var now = principal
            now.mustEnrolSecondFactor = false
            req.principal = now
            return codes
        }
    }

    @Sendable func renew(req: Request) async throws -> Response {
        try await Self.giveRecoveryCodes(req, whenEnrolled: true, notice: "Nouveaux codes de secours : les précédents ne valent plus.") {
            try await SecondFactorStore.renewRecoveryCodes($0, user: $1, principal: $2, req: req)
        }
    }

    /// Runs `make` with the code typed, for an account enrolled or not as `whenEnrolled` says, and shows the recovery
    /// codes it answers on this page only: never stored in clear nor put in an address.
    private static func giveRecoveryCodes(_ req: Request, whenEnrolled: Bool, notice: String,
                                          _ make: (String, UserRecord, Principal) async throws -> [String]) async throws -> Response {
        let principal = try req.requirePrincipal()
        let user = try await AccountStore.user(principal.userID, on: req.db)
        guard (user.totpSecret != nil) == whenEnrolled else { return req.redirect(to: page) }
        do {
            let codes = try await make(try req.content.decode(CodeForm.self).code ?? "", user, principal)
            return try await renderEnrolment(req, recoveryCodes: codes, notice: notice)
        } catch AppError.validation(let errors) {
            return try await renderEnrolment(req, error: errors.first?.reason, status: .unprocessableEntity)
        }
    }

    /// The holder removes a second factor nothing asks of them, giving a code of it.
    @Sendable func removeOwn(req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let user = try await AccountStore.user(principal.userID, on: req.db)
        guard user.totpSecret != nil else { return req.redirect(to: Self.page) }
        guard try await !SecondFactorStore.isRequired(user, on: req.db) else {
            return try await Self.renderEnrolment(req, error: "votre rôle demande la double authentification : elle ne peut pas être retirée",
                                                  status: .conflict)
        }
        guard try await SecondFactorStore.use(try req.content.decode(CodeForm.self).code ?? "", for: user, app: req.application, on: req.db) != nil else {
            return try await Self.renderEnrolment(req, error: "code incorrect ou déjà utilisé", status: .unprocessableEntity)
        }
        try await SecondFactorStore.remove(from: user, by: principal, req: req)
        return req.redirect(to: Self.page + "?ok=Double%20authentification%20retir%C3%A9e")
    }

    // MARK: The center's setting

    struct CenterForm: Content { var secretaires: String? }

    @Sendable func setCenterFromForm(req: Request) async throws -> Response {
        let principal = try req.require(.configureCenter)
        let value = try req.content.decode(CenterForm.self).secretaires == "oui"
        try await SecondFactorStore.setSecretariesToo(value, by: principal, req: req)
        let notice = value ? "La double authentification est désormais demandée aux télésecrétaires."
            : "La double authentification n'est plus exigée des télésecrétaires."
        return req.redirect(to: SitePath.users.link(query: "ok=") + (notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
    }

    struct CenterSecurity: Content { var secondFactorForSecretaries: Bool }

    @Sendable func apiCenter(req: Request) async throws -> CenterSecurity {
        _ = try req.require(.configureCenter)
        return CenterSecurity(secondFactorForSecretaries: try await SecondFactorStore.secretariesToo(on: req.db))
    }

    @Sendable func apiSetCenter(req: Request) async throws -> CenterSecurity {
        let principal = try req.require(.configureCenter)
        let body = try req.content.decode(CenterSecurity.self)
        try await SecondFactorStore.setSecretariesToo(body.secondFactorForSecretaries, by: principal, req: req)
        return body
    }
}
