import Fluent
import Foundation
import Vapor

/// Browser requests: the session cookie names a live session, whose user becomes the principal.
struct SessionAuthenticator: AsyncMiddleware {
    static let cookieName = "permanence_session"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let token = request.cookies[Self.cookieName]?.string, !token.isEmpty {
            let now = request.application.clock.now()
            let hash = SecretToken.hash(token)
            let cache = request.application.principalCache
            if let known = cache.principal(forTokenHash: hash, now: now) {
                request.principal = known
            } else if let session = try await LoginSessionRecord.query(on: request.db)
                .filter(\.$tokenHash == hash)
                .filter(\.$expiresAt > now)
                .first(), let sessionID = session.id,
                let principal = try await Principal.load(
                    userID: session.$user.id, credential: .session(id: sessionID, csrfToken: session.csrfToken), on: request.db) {
                cache.remember(principal, forTokenHash: hash, tokenExpiresAt: session.expiresAt, now: now)
                request.principal = principal
            }
        }
        return try await next.respond(to: request)
    }

    /// After the request's session ended: its remembered principal goes, here and on the other instances.
    static func forgetSession(of request: Request) {
        guard let token = request.cookies[cookieName]?.string, !token.isEmpty else { return }
        request.application.principalCache.forget(tokenHash: SecretToken.hash(token))
    }
}

/// API requests: `Authorization: Bearer …` names a live, unrevoked token.
struct BearerAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization {
            let now = request.application.clock.now()
            let hash = SecretToken.hash(bearer.token)
            let cache = request.application.principalCache
            if let known = cache.principal(forTokenHash: hash, now: now) {
                request.principal = known
            } else if let token = try await ApiTokenRecord.query(on: request.db)
                .filter(\.$tokenHash == hash)
                .filter(\.$revokedAt == nil)
                .filter(\.$expiresAt > now)
                .first(), let tokenID = token.id,
                let principal = try await Principal.load(userID: token.$user.id, credential: .apiToken(id: tokenID), on: request.db) {
                cache.remember(principal, forTokenHash: hash, tokenExpiresAt: token.expiresAt, now: now)
                request.principal = principal
            }
        }
        return try await next.respond(to: request)
    }
}

/// Routes behind it need a signed-in user: the browser is sent to the login page, the API answers 401.
struct RequireSignIn: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let machine = request.url.path.hasPrefix("/api/") || request.url.path.hasPrefix("/fhir")
        guard request.principal != nil else {
            // FHIR's refusals are OperationOutcomes, written by `ErrorRendering`.
            if request.url.path.hasPrefix("/fhir") { throw AppError.unauthenticated }
            if request.url.path.hasPrefix("/api/") {
                let response = try ErrorRendering.problemResponse(.unauthenticated, request: request)
                response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer")
                return response
            }
            let target = request.url.path == "/" ? SitePath.signIn.link()
                : SitePath.signIn.link(query: "suite=\(request.url.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
            return request.redirect(to: target)
        }
        if request.principal?.mustChangePassword == true, !AccountController.openBeforeChange(request) {
            if machine { throw AppError.forbiddenBecause(AccountController.changeFirst) }
            return request.redirect(to: AccountController.passwordPage)
        }
        if request.principal?.mustEnrolSecondFactor == true, !SecondFactorController.openBeforeEnrolment(request) {
            if machine { throw AppError.forbiddenBecause(SecondFactorController.enrolFirst) }
            return request.redirect(to: SecondFactorController.page)
        }
        return try await next.respond(to: request)
    }
}
