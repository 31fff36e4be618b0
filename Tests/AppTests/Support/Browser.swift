@testable import App
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// A browser of sorts: keeps cookies between requests and sends forms the way a page would.
struct Browser {
    let app: Application
    var cookies: [String: String] = [:]
    var extraHeaders: HTTPHeaders = [:]

    init(_ app: Application) { self.app = app }

    mutating func get(_ path: String) async throws -> TestingHTTPResponse {
        try await send(.GET, path, body: nil)
    }

    mutating func post(_ path: String, form: [(String, String)]) async throws -> TestingHTTPResponse {
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, body: body)
    }

    /// Opens the login page and signs in with its form, as a person would, giving the code of the account's second
    /// factor when the next page asks it.
    @discardableResult
    mutating func signIn(_ email: String, password: String = World.password) async throws -> TestingHTTPResponse {
        let page = try await get("/connexion")
        let token = try #require(Self.csrfToken(in: page.body.string))
        let answer = try await post("/connexion", form: [("csrf", token), ("email", email), ("password", password), ("suite", "/")])
        guard answer.headers.first(name: .location) == "/connexion/code", let code = try await app.secondFactorCode(for: email) else { return answer }
        let codePage = try await get("/connexion/code")
        return try await post("/connexion/code", form: [("csrf", try #require(Self.csrfToken(in: codePage.body.string))), ("code", code)])
    }

    /// The CSRF token the page's forms carry.
    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        return String(html[range]).components(separatedBy: "value=\"").last?.replacingOccurrences(of: "\"", with: "")
    }

    private mutating func send(_ method: HTTPMethod, _ path: String, body: String?) async throws -> TestingHTTPResponse {
        var headers = extraHeaders
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if body != nil { headers.contentType = .urlEncodedForm }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) })
        for (name, cookie) in response.headers.setCookie?.all ?? [:] {
            if cookie.maxAge == 0 || cookie.string.isEmpty { cookies[name] = nil } else { cookies[name] = cookie.string }
        }
        return response
    }

    private static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
    }
}

extension Application {
    /// A bearer token for `email`, through the API as a client would get one.
    func apiToken(_ email: String, password: String = World.password) async throws -> String {
        let code = try await secondFactorCode(for: email).map { #","code":"\#($0)""# } ?? ""
        let response = try await testing().sendRequest(.POST, "/api/v1/auth/token", headers: ["Content-Type": "application/json"],
                                                       body: ByteBuffer(string: #"{"email":"\#(email)","password":"\#(password)"\#(code)}"#))
        #expect(response.status == .created)
        struct Token: Decodable { let token: String }
        return try response.content.decode(Token.self).token
    }

    /// The code the account's authenticator shows now, or nil when it has no second factor. The account's last used
    /// step is forgotten first, so that a test signs in as often as it needs under its stopped clock (the rule that a
    /// code opens once is held by its own tests).
    func secondFactorCode(for email: String) async throws -> String? {
        guard let user = try await UserRecord.query(on: db).filter(\UserRecord.$email == email.lowercased()).first(),
              let sealed = user.totpSecret, let secret = secretBox.open(sealed) else { return nil }
        user.totpLastStep = nil
        try await user.update(on: db)
        return TOTP.code(secret: secret, step: TOTP.step(at: clock.now()))
    }

    func api(_ method: HTTPMethod, _ path: String, token: String?, json: String? = nil, headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var headers = extra
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        if json != nil { headers.contentType = .json }
        return try await testing().sendRequest(method, path, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}
