import Foundation
import Vapor

/// Every browser form carries a token that a foreign site cannot know: the session's own once signed in,
/// before that (the login form) a random value also set in a cookie.
struct CSRFProtection: AsyncMiddleware {
    static let fieldName = "csrf"
    static let headerName = "X-CSRF-Token"
    static let preSessionCookie = "permanence_csrf"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if ![.GET, .HEAD, .OPTIONS].contains(request.method) {
            guard let expected = Self.expectedToken(for: request), !expected.isEmpty else { throw AppError.csrfRejected }
            // A file sent with a form (multipart) carries its token in the address: nothing of it is read before the
            // route has checked who sends it. A form is read here (route bodies are collected after the middleware),
            // small, and smaller still before a session (the sign-in form).
            var sent = request.headers.first(name: Self.headerName) ?? request.query[String.self, at: Self.fieldName]
            if sent == nil, request.headers.contentType != .formData {
                _ = try await request.collectBody(max: request.principal == nil ? 16 * 1024 : 1 << 20)
                sent = try? request.content.get(String.self, at: Self.fieldName)
            }
            guard let sent, SecretToken.constantTimeEquals(sent, expected) else { throw AppError.csrfRejected }
        }
        return try await next.respond(to: request)
    }

    static func expectedToken(for request: Request) -> String? {
        request.principal?.csrfToken ?? request.cookies[preSessionCookie]?.string
    }

    /// The token to put in the page's forms, setting the pre-session cookie when the visitor has none.
    static func token(for request: Request, response: Response) -> String {
        if let token = expectedToken(for: request), !token.isEmpty { return token }
        let token = SecretToken.generate()
        response.cookies[preSessionCookie] = CookieFactory.cookie(token, for: request, maxAge: 3600)
        return token
    }
}

/// The attributes every cookie of Permanence carries.
enum CookieFactory {
    static func cookie(_ value: String, for request: Request, maxAge: Int?) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, maxAge: maxAge, path: "/", isSecure: isSecure(request), isHTTPOnly: true, sameSite: .lax)
    }

    static func expired(for request: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isSecure: isSecure(request), isHTTPOnly: true, sameSite: .lax)
    }

    static func isSecure(_ request: Request) -> Bool {
        request.application.settings.secureCookies == .always || cameOverTLS(request)
    }

    /// Served over TLS, directly or behind a proxy that says so.
    static func cameOverTLS(_ request: Request) -> Bool {
        request.application.http.server.configuration.tlsConfiguration != nil
            || request.headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https"
    }
}
