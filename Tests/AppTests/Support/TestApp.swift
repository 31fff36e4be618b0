@testable import App
import Domain
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current: NIOLockedValueBox<Date>

    /// Tuesday 24 November 2026, 09:30 in Paris.
    static let defaultStart = Date(timeIntervalSince1970: 1_795_509_000)

    init(_ start: Date = TestClock.defaultStart) { current = NIOLockedValueBox(start) }

    var now: Date { current.withLockedValue { $0 } }
    func advance(by seconds: TimeInterval) { current.withLockedValue { $0.addTimeInterval(seconds) } }
    var appClock: AppClock { AppClock { [self] in self.now } }
}

/// Which engine the suite runs on: PostgreSQL when DATABASE_URL names one, SQLite otherwise.
enum TestDatabase {
    static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], url.hasPrefix("postgres") else { return nil }
        return url
    }

    static var isPostgres: Bool { postgresURL != nil }

    /// Settings for one test: its own SQLite file, or its own PostgreSQL schema.
    static func settings(extra: [String: String] = [:]) throws -> (AppSettings, cleanupPath: String?) {
        var environment = extra
        var path: String?
        // The audit key and checkpoints of this test's journal, removed with it.
        environment["PERMANENCE_AUDIT_DIR"] = environment["PERMANENCE_AUDIT_DIR"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("permanence-test-\(UUID().uuidString)-audit").path
        if let url = postgresURL {
            environment["DATABASE_URL"] = url
        } else {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("permanence-test-\(UUID().uuidString).sqlite").path
            environment["DATABASE_URL"] = file
            path = file
        }
        var settings = try AppSettings(environment: environment)
        if postgresURL != nil { settings.postgresSchema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }
        return (settings, path)
    }
}

/// Runs `body` against a configured, migrated application on a database of its own, then removes it.
func withTestApp(
    clock: TestClock = TestClock(),
    environment: [String: String] = [:],
    _ body: (Application) async throws -> Void
) async throws {
    let app = try await Application.make(.testing)
    let (settings, path) = try TestDatabase.settings(extra: environment)
    app.clock = clock.appClock
    do {
        try await configure(app, settings: settings)
        try await DatabaseSetup.prepare(app, settings: settings)
        try await body(app)
    } catch {
        await teardown(app, settings: settings, path: path)
        throw error
    }
    await teardown(app, settings: settings, path: path)
}

private func teardown(_ app: Application, settings: AppSettings, path: String?) async {
    if let schema = settings.postgresSchema {
        try? await (app.db as! any SQLDatabase).raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
    }
    try? await app.asyncShutdown()
    if let path {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    try? FileManager.default.removeItem(atPath: settings.auditDirectory)
}
