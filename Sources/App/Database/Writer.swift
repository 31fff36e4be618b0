import Fluent
import Foundation
import Vapor

/// The one way to change data: a transaction, serialised on SQLite, in which every change is journaled.
struct Writer: Sendable {
    /// Present on SQLite only (its one writer, many writes per commit); PostgreSQL handles concurrent writers itself.
    let gate: GroupCommit?
    let clock: AppClock
    /// Seals the journal's entries.
    let seal: AuditSeal
    /// Where the time a write waits for its turn is counted.
    var metrics: AppMetrics? = nil

    /// Runs `body` in one transaction (a `UnitOfWork`: what it publishes waits for the commit); the journal entries it
    /// records commit or roll back with it.
    func transaction<T: Sendable>(
        on database: any Database,
        actor: AuditActor,
        requestID: String? = nil,
        _ body: @escaping @Sendable (any Database, Journal) async throws -> T
    ) async throws -> T {
        let now = clock.now()
        if let unit = UnitOfWork.current {
            return try await unit.savepoint { tx in
                try await Self.journaled(body, on: tx, Journal(database: tx, actor: actor, requestID: requestID, now: now, seal: seal))
            }
        }
        let asked = ContinuousClock.now
        return try await UnitOfWork.run(on: database, gate: gate) { [metrics, seal] unit in
            // The write queue on SQLite, a pooled connection on PostgreSQL, and the BEGIN.
            let began = ContinuousClock.now
            metrics?.time("permanence_database_wait_seconds", [], began - asked)
            // Its statements, up to the commit: on SQLite the time it holds the writer, which every write behind it waits.
            defer { metrics?.time("permanence_database_write_seconds", [], ContinuousClock.now - began) }
            return try await Self.journaled(body, on: unit.database,
                                            Journal(database: unit.database, actor: actor, requestID: requestID, now: now, seal: seal))
        }
    }

    /// `body`, then the entries it recorded, written last.
    private static func journaled<T: Sendable>(_ body: @Sendable (any Database, Journal) async throws -> T, on database: any Database,
                                               _ journal: Journal) async throws -> T {
        let result = try await body(database, journal)
        try await journal.flush()
        return result
    }

    /// A write to a technical table that is not practice data (idempotency keys): one transaction like the others,
    /// not journaled.
    func unjournaled<T: Sendable>(on database: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if let unit = UnitOfWork.current { return try await unit.savepoint(body) }
        return try await UnitOfWork.run(on: database, gate: gate) { unit in try await body(unit.database) }
    }

    /// Records that `actor` opened a record, in the same chain as the writes.
    func traceRead(
        on database: any Database, actor: AuditActor, requestID: String?,
        entity: String, entityID: String, practiceID: UUID?
    ) async throws {
        try await transaction(on: database, actor: actor, requestID: requestID) { _, journal in
            try await journal.record(.read, entity: entity, entityID: entityID, practiceID: practiceID)
        }
    }
}

extension Application {
    private struct WriterKey: StorageKey { typealias Value = Writer }

    var writer: Writer {
        get { configured(WriterKey.self) }
        set { storage[WriterKey.self] = newValue }
    }
}

extension Request {
    var writer: Writer { application.writer }
}
