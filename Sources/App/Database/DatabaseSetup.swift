import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

/// Why the database cannot be used; the start stops with this message and touches nothing.
struct DatabaseStartError: Error, CustomStringConvertible {
    let description: String
}

enum DatabaseSetup {
    /// Registers the database named by the settings, after checking that a SQLite file is one.
    static func register(_ settings: AppSettings, on app: Application) throws {
        let seal = try AuditSeal.load(settings)
        switch settings.database {
        case .sqliteFile(let path):
            try checkSQLiteFile(at: path)
            // As on PostgreSQL below: a busy server makes a request wait for a reader (30 s) rather than fail.
            app.databases.use(.sqlite(.file(path), connectionPoolTimeout: .seconds(30)), as: .sqlite)
            let connection = WriterConnection(path: path, configuration: app.databases.configuration(for: .sqlite)!)
            app.lifecycle.use(WriterConnectionLifecycle(connection: connection))
            app.writer = Writer(gate: GroupCommit(limit: settings.operations.writesPerCommit, connection: connection, metrics: app.metrics),
                                clock: app.clock, seal: seal, metrics: app.metrics)
        case .postgres(let url):
            var configuration = try SQLPostgresConfiguration(url: url)
            if let schema = settings.postgresSchema {
                configuration.searchPath = [schema, "public"]
            }
            // A busy server makes writers wait rather than fail (DESIGN.md): 30 s before a request gives up on a connection.
            app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: settings.operations.postgresConnections,
                                        connectionPoolTimeout: .seconds(30)), as: .psql)
            app.writer = Writer(gate: nil, clock: app.clock, seal: seal, metrics: app.metrics)
            app.poolReset = PoolReset()
            // Instances on one database share the live events and tell each other what their writes made stale.
            let relay = PostgresRelay(configuration: configuration.coreConfiguration, schema: settings.postgresSchema)
            let logger = app.logger
            app.liveHub = LiveHub(relay: { [weak app] event in
                guard let app else { return }
                relay.notify(event, on: app.db, logger: logger)
            })
            app.cachePeers.connect { [weak app] change in
                guard let app else { return }
                relay.notify(change, on: app.db, logger: logger)
            }
            app.postgresRelay = relay
            // The test suite runs hundreds of apps side by side on one server: only the tests of the relay start it.
            if app.environment != .testing { app.lifecycle.use(PostgresRelayLifecycle(relay: relay)) }
        }
        for migration in PermanenceMigrations.all {
            app.migrations.add(migration)
        }
    }

    /// A file that exists must be a SQLite database; anything else is refused and never overwritten.
    static func checkSQLiteFile(at path: String) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        let url = URL(fileURLWithPath: path)
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                throw DatabaseStartError(description: "DATABASE_URL: \(path) is a folder, not a SQLite database file")
            }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw DatabaseStartError(description: "DATABASE_URL: \(path) cannot be read (check its permissions)")
            }
            defer { try? handle.close() }
            let header = handle.readData(ofLength: 16)
            if !header.isEmpty && header != Data("SQLite format 3\u{0}".utf8) {
                throw DatabaseStartError(description: "DATABASE_URL: \(path) is not a SQLite database; Permanence leaves it untouched")
            }
        } else {
            let folder = url.deletingLastPathComponent().path
            if !manager.fileExists(atPath: folder.isEmpty ? "." : folder, isDirectory: &isDirectory) || !isDirectory.boolValue {
                throw DatabaseStartError(description: "DATABASE_URL: the folder \(folder) of the SQLite file does not exist")
            }
        }
    }

    /// Checks that the database answers and was not written by a newer Permanence, then migrates it.
    static func prepare(_ app: Application, settings: AppSettings) async throws {
        let sql = app.db as! any SQLDatabase
        do {
            try await sql.raw("SELECT 1").run()
        } catch {
            throw DatabaseStartError(description: "DATABASE_URL: cannot reach the \(settings.database.redacted): \(String(reflecting: error))")
        }
        if settings.database.isSQLite {
            // The journal mode sticks to the file; foreign keys are switched on per connection by the driver.
            try await sql.raw("PRAGMA journal_mode=WAL").run()
        } else if let schema = settings.postgresSchema {
            try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
        }
        let unknown = try await unknownMigrations(on: app.db)
        guard unknown.isEmpty else {
            throw DatabaseStartError(description: "DATABASE_URL: the \(settings.database.redacted) was written by a newer version of Permanence (unknown migrations: \(unknown.joined(separator: ", "))); refusing to use it")
        }
        try await app.autoMigrate()
        try await AuditChainUpgrade.run(app)
    }

    /// Migrations recorded in the database that this build does not know.
    static func unknownMigrations(on database: any Database) async throws -> [String] {
        let sql = database as! any SQLDatabase
        let exists: Bool
        if sql.dialect.name == "sqlite" {
            exists = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_fluent_migrations'").first() != nil
        } else {
            exists = try await sql.raw("SELECT to_regclass('_fluent_migrations')::text AS name").first(decoding: OptionalName.self)?.name != nil
        }
        guard exists else { return [] }
        let known = Set(PermanenceMigrations.all.map(\.name))
        let recorded = try await sql.raw("SELECT name FROM _fluent_migrations").all(decoding: Name.self).map(\.name)
        return recorded.filter { !known.contains($0) }.sorted()
    }

    private struct Name: Decodable { let name: String }
    private struct OptionalName: Decodable { let name: String? }
}
