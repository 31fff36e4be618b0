import Foundation

/// How an instance is watched and kept: its log format, who reads its metrics, and its scheduled backups.
struct OperationsSettings: Sendable {
    enum LogFormat: String, Sendable { case text, json }

    var logFormat: LogFormat = .text
    /// The bearer token that opens `/metrics`; without it the route answers 404.
    var metricsToken: String? = nil
    /// Where the background worker writes its SQLite backups; none without it.
    var backupDirectory: String? = nil
    /// Hours between two scheduled backups.
    var backupInterval: Int = 24
    /// How many scheduled backups are kept (the oldest are removed).
    var backupsKept: Int = 7
    /// SQLite: how many waiting writes one commit carries at most (1: a commit per write).
    var writesPerCommit: Int = 32
    /// PostgreSQL: pooled connections per event loop (one event loop per core).
    var postgresConnections: Int = 4

    static let variables: [(name: String, meaning: String)] = [
        ("LOG_FORMAT", "text or json: one JSON object per line, with the request id (default text)"),
        ("PERMANENCE_METRICS_TOKEN", "the bearer token that opens /metrics, 32 characters or more (default: /metrics closed)"),
        ("PERMANENCE_BACKUP_DIR", "an existing folder where the worker writes scheduled SQLite backups (default: no scheduled backup)"),
        ("PERMANENCE_BACKUP_HOURS", "hours between two scheduled backups, 1-168 (default 24)"),
        ("PERMANENCE_BACKUP_KEEP", "how many scheduled backups are kept, 1-365 (default 7)"),
        ("PERMANENCE_WRITES_PER_COMMIT", "SQLite: how many waiting writes one commit carries at most, 1-256 (default 32; 1: a commit per write)"),
        ("PERMANENCE_PG_CONNECTIONS", "PostgreSQL: pooled connections per core of the instance, 1-64 (default 4)"),
    ]

    init() {}

    init(_ value: (String) -> String?) throws(ConfigurationError) {
        if let format = value("LOG_FORMAT") {
            guard let parsed = LogFormat(rawValue: format.lowercased()) else {
                throw ConfigurationError(variable: "LOG_FORMAT", problem: "expected text or json, got \"\(format)\"")
            }
            logFormat = parsed
        }
        if let token = value("PERMANENCE_METRICS_TOKEN") {
            guard token.count >= 32 else {
                throw ConfigurationError(variable: "PERMANENCE_METRICS_TOKEN", problem: "expected 32 characters or more, got \(token.count)")
            }
            metricsToken = token
        }
        if let folder = value("PERMANENCE_BACKUP_DIR") {
            backupDirectory = try AppSettings.existingFolder(folder, variable: "PERMANENCE_BACKUP_DIR", expected: "an existing folder")
        }
        func number(_ name: String, _ range: ClosedRange<Int>, default fallback: Int) throws(ConfigurationError) -> Int {
            guard let raw = value(name) else { return fallback }
            guard let parsed = Int(raw), range.contains(parsed) else {
                throw ConfigurationError(variable: name, problem: "expected a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(raw)\"")
            }
            return parsed
        }
        backupInterval = try number("PERMANENCE_BACKUP_HOURS", 1...168, default: 24)
        backupsKept = try number("PERMANENCE_BACKUP_KEEP", 1...365, default: 7)
        writesPerCommit = try number("PERMANENCE_WRITES_PER_COMMIT", 1...256, default: 32)
        postgresConnections = try number("PERMANENCE_PG_CONNECTIONS", 1...64, default: 4)
    }
}
