import Foundation
import Logging

/// A configuration value that stops the start: names the variable and what was expected.
struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    let variable: String
    let problem: String

    var description: String { "\(variable): \(problem)" }
}

/// Where the data lives.
enum DatabaseLocation: Equatable, Sendable {
    case sqliteFile(path: String)
    case postgres(url: String)

    /// The URL with its password hidden, for messages and logs.
    var redacted: String {
        switch self {
        case .sqliteFile(let path): return "SQLite file \(path)"
        case .postgres(let url):
            guard var components = URLComponents(string: url) else { return "PostgreSQL" }
            if components.password != nil { components.password = "***" }
            return "PostgreSQL \(components.string ?? "")"
        }
    }

    var isSQLite: Bool {
        if case .sqliteFile = self { return true }
        return false
    }

    /// Where the audit key and checkpoints go by default: beside the SQLite file (`permanence-audit` for
    /// `permanence.sqlite`), or `permanence-audit` in the working folder.
    var defaultAuditDirectory: String {
        guard case .sqliteFile(let path) = self else { return "permanence-audit" }
        return ((path as NSString).deletingPathExtension) + "-audit"
    }
}

/// When the session cookie carries the `Secure` attribute.
enum SecureCookiePolicy: String, Sendable {
    /// When the request came over TLS (directly, or through a proxy that says `X-Forwarded-Proto: https`).
    case auto
    case always
}

/// The SMTP server e-mails leave through: a relay inside the center's network, or a provider's server reached with
/// STARTTLS and a login (`smtp://USER:PASSWORD@HOST:587?starttls=required`).
struct SMTPSettings: Sendable, Equatable {
    let host: String
    let port: Int
    let from: String
    var user: String? = nil
    var password: String? = nil
    /// Upgrade the connection with STARTTLS before anything else is said; refuse to go on without it.
    var startTLS = false
    /// The certificate authorities trusted for STARTTLS instead of the system's (PEM), for a center's own authority.
    var caFile: String? = nil
}

/// Everything Permanence reads from its environment, checked once at start.
struct AppSettings: Sendable {
    var database: DatabaseLocation
    var host: String
    var port: Int
    var logLevel: Logger.Level
    var seedDemoData: Bool
    var demoSeed: UInt64
    /// Read the page templates again at each page (while editing them); otherwise each is parsed once and kept.
    var reloadTemplates = false
    var sessionLifetime: TimeInterval
    /// How long an API bearer token lasts.
    var tokenLifetime: TimeInterval
    /// The journal's sealing key itself, when given instead of the key file.
    var auditKey: String?
    /// The folder of the audit key file (created on first start) and of the signed checkpoints.
    var auditDirectory: String
    var secureCookies: SecureCookiePolicy
    /// Where escalation notices go by e-mail; without it they are written to the log.
    var smtp: SMTPSettings?
    /// Seconds between two runs of the escalation ladder and the outbox; 0 turns the worker off (tests run it by hand).
    var workerInterval: Int
    /// Patients' messages: links, SMS gateway, receipts.
    var messaging = MessagingSettings()
    /// The folder holding `Resources/` and `Public/`, when given (`ResourceLocation` looks for it otherwise).
    var resources: String? = nil
    /// PostgreSQL schema to work in; tests give each run its own.
    var postgresSchema: String? = nil
    /// Logs, metrics and scheduled backups.
    var operations = OperationsSettings()

    static let variables: [(name: String, meaning: String)] = [
        ("DATABASE_URL", "a SQLite path, sqlite://PATH, or postgres://USER:PASSWORD@HOST:PORT/DATABASE (default permanence.sqlite)"),
        ("HOST", "the address to listen on (default 127.0.0.1)"),
        ("PORT", "the TCP port, 1-65535 (default 8080)"),
        ("LOG_LEVEL", "trace, debug, info, notice, warning, error or critical (default info)"),
        ("PERMANENCE_DEMO", "true or false: seed demo data into an empty database (default true on SQLite, false on PostgreSQL)"),
        ("PERMANENCE_DEMO_SEED", "a whole number: the seed of the demo data (default 2026)"),
        ("PERMANENCE_SESSION_HOURS", "how long a browser session lasts, 1-24 hours (default 12)"),
        ("PERMANENCE_TOKEN_HOURS", "how long an API bearer token lasts, 1-720 hours (default 12)"),
        ("PERMANENCE_AUDIT_KEY", "the key that seals the audit journal, 32 characters or more (default: a key file created in PERMANENCE_AUDIT_DIR)"),
        ("PERMANENCE_AUDIT_DIR", "the folder of the audit key file and checkpoints (default: beside the SQLite file, NAME-audit; permanence-audit on PostgreSQL)"),
        ("PERMANENCE_SECURE_COOKIES", "auto (Secure over TLS) or always (default auto)"),
        ("SMTP_URL", "smtp://[USER:PASSWORD@]HOST:PORT[?starttls=required]: the server that sends e-mails, notices and patients' messages, with STARTTLS and a login when asked (default: e-mails written to the log)"),
        ("SMTP_CA_FILE", "a PEM file of the certificate authorities trusted for STARTTLS, instead of the system's"),
        ("SMTP_FROM", "the sender address of those e-mails (default permanence@localhost)"),
        ("PERMANENCE_RESOURCES", "the folder holding Resources/ and Public/ (default: the working folder, else beside the executable or above it)"),
        ("PERMANENCE_WORKER_SECONDS", "seconds between two runs of the escalation ladder and the outbox, 0-3600; 0 stops them (default 15)"),
        ("PERMANENCE_TEMPLATES_RELOAD", "true or false: read the page templates again at each page, while editing them (default false: parsed once)"),
    ] + MessagingSettings.variables + OperationsSettings.variables

    /// Reads and checks the environment; the first bad value throws, naming the variable.
    init(environment: [String: String]) throws(ConfigurationError) {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }

        database = try Self.parseDatabase(value("DATABASE_URL") ?? "permanence.sqlite")
        host = value("HOST") ?? "127.0.0.1"
        if let port = value("PORT") {
            guard let number = Int(port), (1...65535).contains(number) else {
                throw ConfigurationError(variable: "PORT", problem: "expected a whole number from 1 to 65535, got \"\(port)\"")
            }
            self.port = number
        } else {
            port = 8080
        }
        if let level = value("LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError(variable: "LOG_LEVEL", problem: "expected one of trace, debug, info, notice, warning, error, critical, got \"\(level)\"")
            }
            logLevel = parsed
        } else {
            logLevel = .info
        }
        if let demo = value("PERMANENCE_DEMO") {
            seedDemoData = try Self.parseBool(demo, variable: "PERMANENCE_DEMO")
        } else {
            seedDemoData = database.isSQLite
        }
        if let reload = value("PERMANENCE_TEMPLATES_RELOAD") {
            reloadTemplates = try Self.parseBool(reload, variable: "PERMANENCE_TEMPLATES_RELOAD")
        }
        if let seed = value("PERMANENCE_DEMO_SEED") {
            guard let parsed = UInt64(seed) else {
                throw ConfigurationError(variable: "PERMANENCE_DEMO_SEED", problem: "expected a whole number of 0 or more, got \"\(seed)\"")
            }
            demoSeed = parsed
        } else {
            demoSeed = 2026
        }
        func hours(_ name: String, _ range: ClosedRange<Int>, default fallback: Int) throws(ConfigurationError) -> TimeInterval {
            guard let raw = value(name) else { return TimeInterval(fallback * 3600) }
            guard let parsed = Int(raw), range.contains(parsed) else {
                throw ConfigurationError(variable: name, problem: "expected a whole number of hours from \(range.lowerBound) to \(range.upperBound), got \"\(raw)\"")
            }
            return TimeInterval(parsed * 3600)
        }
        sessionLifetime = try hours("PERMANENCE_SESSION_HOURS", 1...24, default: 12)
        tokenLifetime = try hours("PERMANENCE_TOKEN_HOURS", 1...720, default: 12)
        auditKey = value("PERMANENCE_AUDIT_KEY")
        if let key = auditKey, key.count < 32 {
            throw ConfigurationError(variable: "PERMANENCE_AUDIT_KEY", problem: "expected 32 characters or more, got \(key.count)")
        }
        auditDirectory = value("PERMANENCE_AUDIT_DIR") ?? database.defaultAuditDirectory
        if let policy = value("PERMANENCE_SECURE_COOKIES") {
            guard let parsed = SecureCookiePolicy(rawValue: policy.lowercased()) else {
                throw ConfigurationError(variable: "PERMANENCE_SECURE_COOKIES", problem: "expected auto or always, got \"\(policy)\"")
            }
            secureCookies = parsed
        } else {
            secureCookies = .auto
        }
        if let url = value("SMTP_URL") {
            guard let components = URLComponents(string: url), components.scheme == "smtp", let host = components.host, !host.isEmpty else {
                throw ConfigurationError(variable: "SMTP_URL", problem: "expected smtp://[USER:PASSWORD@]HOST:PORT[?starttls=required], got a value that is not one")
            }
            let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
            guard Set(query.keys).isSubset(of: ["starttls"]), ["required", nil].contains(query["starttls"]) else {
                throw ConfigurationError(variable: "SMTP_URL", problem: "the only option is ?starttls=required")
            }
            let user = components.user?.removingPercentEncoding, password = components.password?.removingPercentEncoding
            guard (user == nil) == (password == nil) else {
                throw ConfigurationError(variable: "SMTP_URL", problem: "a login needs both a user and a password (smtp://USER:PASSWORD@HOST:PORT)")
            }
            smtp = SMTPSettings(host: host, port: components.port ?? 25, from: value("SMTP_FROM") ?? "permanence@localhost",
                                user: user, password: password, startTLS: query["starttls"] == "required")
            if let file = value("SMTP_CA_FILE") {
                guard FileManager.default.isReadableFile(atPath: file) else {
                    throw ConfigurationError(variable: "SMTP_CA_FILE", problem: "expected a readable PEM file, got \"\(file)\"")
                }
                smtp?.caFile = file
            }
        } else {
            smtp = nil
        }
        if let folder = value("PERMANENCE_RESOURCES") {
            resources = try Self.existingFolder(folder, variable: "PERMANENCE_RESOURCES", expected: "an existing folder holding Resources/ and Public/")
        }
        if let seconds = value("PERMANENCE_WORKER_SECONDS") {
            guard let parsed = Int(seconds), (0...3600).contains(parsed) else {
                throw ConfigurationError(variable: "PERMANENCE_WORKER_SECONDS", problem: "expected a whole number of seconds from 0 to 3600, got \"\(seconds)\"")
            }
            workerInterval = parsed
        } else {
            workerInterval = 15
        }
        operations = try OperationsSettings(value)
        messaging = try MessagingSettings(host: host, port: port, value)
        if operations.backupDirectory != nil, !database.isSQLite {
            throw ConfigurationError(variable: "PERMANENCE_BACKUP_DIR",
                                     problem: "scheduled backups copy a SQLite database; on PostgreSQL schedule pg_dump (README, « Mise en production »)")
        }
    }

    static func parseDatabase(_ raw: String) throws(ConfigurationError) -> DatabaseLocation {
        let expected = "expected a SQLite path, sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE"
        if raw.hasPrefix("postgres://") || raw.hasPrefix("postgresql://") {
            guard let components = URLComponents(string: raw), let host = components.host, !host.isEmpty,
                  components.path.count > 1 else {
                throw ConfigurationError(variable: "DATABASE_URL", problem: "\(expected); the PostgreSQL URL needs a host and a database name")
            }
            if let port = components.port, !(1...65535).contains(port) {
                throw ConfigurationError(variable: "DATABASE_URL", problem: "\(expected); port \(port) is out of range")
            }
            return .postgres(url: raw)
        }
        var path = raw
        if raw.hasPrefix("sqlite://") {
            path = String(raw.dropFirst("sqlite://".count))
        } else if raw.hasPrefix("sqlite:") {
            path = String(raw.dropFirst("sqlite:".count))
        } else if let scheme = raw.range(of: "://") {
            throw ConfigurationError(variable: "DATABASE_URL", problem: "\(expected), got the unsupported scheme \"\(raw[..<scheme.lowerBound])\"")
        }
        guard !path.isEmpty else {
            throw ConfigurationError(variable: "DATABASE_URL", problem: "\(expected); the SQLite path is empty")
        }
        return .sqliteFile(path: path)
    }

    static func existingFolder(_ folder: String, variable: String, expected: String) throws(ConfigurationError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigurationError(variable: variable, problem: "expected \(expected), got \"\(folder)\"")
        }
        return folder
    }

    static func parseBool(_ raw: String, variable: String) throws(ConfigurationError) -> Bool {
        switch raw.lowercased() {
        case "1", "true", "yes", "on", "oui": return true
        case "0", "false", "no", "off", "non": return false
        default: throw ConfigurationError(variable: variable, problem: "expected true or false, got \"\(raw)\"")
        }
    }
}
