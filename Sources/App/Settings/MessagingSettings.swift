import Foundation

/// How patients' messages leave and come back: the public address of the cancellation links, the SMS gateway, the
/// secret that signs its receipts, and (tests only) a clock set ahead.
struct MessagingSettings: Sendable {
    /// The SMS gateway: its URL, the JSON body sent (with `{to}`, `{text}`, `{reference}` filled in, as JSON strings),
    /// and its credentials (HTTP Basic from the URL's user and password, or a bearer token).
    struct SMSGateway: Sendable, Equatable {
        var url: URL
        var bodyTemplate: String
        var user: String?
        var password: String?
        var bearerToken: String?
    }

    /// Where the patients' links point (`/r/…`); the server's own address by default.
    var publicURL: String = "http://localhost:8080"
    var smsGateway: SMSGateway? = nil
    /// The secret signing the gateway's delivery receipts and STOP answers (`X-Permanence-Signature`).
    var inboundSecret: String? = nil
    /// A file holding seconds to add to the clock: browser journeys move the server's time forward with it.
    var clockOffsetFile: String? = nil

    static let defaultBody = #"{"to": {to}, "text": {text}, "reference": {reference}}"#

    static let variables: [(name: String, meaning: String)] = [
        ("PERMANENCE_PUBLIC_URL", "the address patients reach the server at, for the cancellation links of reminders (default http://HOST:PORT)"),
        ("SMS_GATEWAY_URL", "https://USER:PASSWORD@HOST/PATH: the HTTP gateway that sends patients' SMS (default: SMS written to the log)"),
        ("SMS_GATEWAY_TOKEN", "a bearer token for the gateway, instead of a user and password in its URL"),
        ("SMS_GATEWAY_BODY", "the JSON body posted to the gateway, with {to}, {text} and {reference} (default \(defaultBody))"),
        ("SMS_INBOUND_SECRET", "the secret that signs delivery receipts and STOP answers posted to /messages/entrants, 32 characters or more (default: route closed)"),
        ("PERMANENCE_CLOCK_OFFSET_FILE", "tests only: a file holding seconds added to the server's clock (default: the system clock)"),
    ]

    init() {}

    init(host: String, port: Int, _ value: (String) -> String?) throws(ConfigurationError) {
        publicURL = value("PERMANENCE_PUBLIC_URL") ?? "http://\(host == "127.0.0.1" || host == "0.0.0.0" ? "localhost" : host):\(port)"
        guard let base = URLComponents(string: publicURL), ["http", "https"].contains(base.scheme ?? ""), base.host?.isEmpty == false else {
            throw ConfigurationError(variable: "PERMANENCE_PUBLIC_URL", problem: "expected http(s)://HOST[:PORT], got \"\(publicURL)\"")
        }
        while publicURL.hasSuffix("/") { publicURL.removeLast() }
        if let raw = value("SMS_GATEWAY_URL") {
            guard var components = URLComponents(string: raw), ["http", "https"].contains(components.scheme ?? ""), components.host?.isEmpty == false else {
                throw ConfigurationError(variable: "SMS_GATEWAY_URL", problem: "expected http(s)://[USER:PASSWORD@]HOST/PATH, got a value that is not one")
            }
            let user = components.user?.removingPercentEncoding, password = components.password?.removingPercentEncoding
            components.user = nil
            components.password = nil
            let body = value("SMS_GATEWAY_BODY") ?? Self.defaultBody
            for field in ["{to}", "{text}"] where !body.contains(field) {
                throw ConfigurationError(variable: "SMS_GATEWAY_BODY", problem: "the body must carry \(field)")
            }
            let sample = body.replacingOccurrences(of: "{to}", with: "\"+33600000000\"").replacingOccurrences(of: "{text}", with: "\"x\"")
                .replacingOccurrences(of: "{reference}", with: "\"r\"")
            guard (try? JSONSerialization.jsonObject(with: Data(sample.utf8))) != nil else {
                throw ConfigurationError(variable: "SMS_GATEWAY_BODY", problem: "once {to}, {text} and {reference} are filled in, the body is not JSON")
            }
            smsGateway = SMSGateway(url: components.url!, bodyTemplate: body, user: user, password: password, bearerToken: value("SMS_GATEWAY_TOKEN"))
        }
        if let secret = value("SMS_INBOUND_SECRET") {
            guard secret.count >= 32 else { throw ConfigurationError(variable: "SMS_INBOUND_SECRET", problem: "expected 32 characters or more, got \(secret.count)") }
            inboundSecret = secret
        }
        clockOffsetFile = value("PERMANENCE_CLOCK_OFFSET_FILE")
    }
}
