import Fluent
import Foundation
import Vapor

/// Bearer tokens for the JSON API.
struct AuthAPI: RouteCollection {

    func boot(routes: any RoutesBuilder) throws {
        routes.post("auth", "token", use: issue)
    }

    func bootSignedIn(routes: any RoutesBuilder) {
        routes.delete("auth", "token", use: revoke)
        routes.get("me", use: me)
    }

    struct TokenRequest: Content {
        var email: String
        var password: String
        /// The six digits of the authenticator application, or a recovery code: asked of an account that enrolled a
        /// second factor.
        var code: String?
        var label: String?
    }

    struct TokenResponse: Content {
        let token: String
        let tokenType: String
        let expiresAt: Date
    }

    struct Me: Content {
        let id: UUID
        let email: String
        let displayName: String
        let role: String
        let practiceIds: [UUID]
    }

    @Sendable
    func issue(req: Request) async throws -> Response {
        let body = try req.content.decode(TokenRequest.self)
        let user = try await LoginService.authenticate(email: body.email, password: body.password, request: req)
        // A temporary password opens only the browser page that replaces it.
        if user.mustChangePassword { throw AppError.forbiddenBecause(AccountController.changeFirst) }
        // A token only after the second factor: the code given here, or none issued at all to an account that must
        // enrol one first (in the browser).
        let secondFactor: String
        if user.totpSecret != nil {
            guard let code = body.code, !code.isEmpty else { throw AppError.secondFactorRequired }
            guard let kind = try await SecondFactorStore.use(code, for: user, app: req.application, on: req.db) else {
                try await LoginService.countFailure(email: user.email, user: user, reason: "code", otherwise: .invalidSecondFactor, request: req)
            }
            secondFactor = kind
        } else if try await SecondFactorStore.isRequired(user, on: req.db) {
            throw AppError.forbiddenBecause(SecondFactorController.enrolFirst)
        } else {
            secondFactor = "none"
        }
        let token = SecretToken.generate(prefix: "pmt_")
        let now = req.application.clock.now()
        let label = String((body.label ?? "api").prefix(100))
        let record = try await SessionStore.issueToken(for: user, tokenHash: SecretToken.hash(token), label: label, secondFactor: secondFactor,
                                                       now: now, req: req)
        let response = Response(status: .created)
        try response.content.encode(TokenResponse(token: token, tokenType: "Bearer", expiresAt: record.expiresAt))
        return response
    }

    @Sendable
    func revoke(req: Request) async throws -> HTTPStatus {
        let principal = try req.requirePrincipal()
        guard case .apiToken(let id) = principal.credential else { throw AppError.unauthenticated }
        let now = req.application.clock.now()
        try await SessionStore.revokeToken(id, of: principal, now: now, req: req)
        if let bearer = req.headers.bearerAuthorization {
            req.application.principalCache.forget(tokenHash: SecretToken.hash(bearer.token))
        }
        return .noContent
    }

    @Sendable
    func me(req: Request) async throws -> Me {
        let principal = try req.requirePrincipal()
        return Me(id: principal.userID, email: principal.email, displayName: principal.displayName,
                  role: principal.role.rawValue, practiceIds: principal.assignedPractices.sorted { $0.uuidString < $1.uuidString })
    }
}
