import Fluent
import Foundation
import NIOConcurrencyHelpers
import PostgresKit
import SQLKit
import Vapor

/// A whole request run in one transaction, so that what it guards (an `Idempotency-Key`'s answer) commits with its
/// writes or not at all. While it runs, `Request.db` is its transaction, each `Writer.transaction` is a savepoint in
/// it, and what must follow the commit (live events, news to the other instances) waits for it. Every write is one:
/// `Writer.transaction` outside a unit runs in a unit of its own.
final class UnitOfWork: Sendable {
    @TaskLocal static var current: UnitOfWork?

    let database: any Database
    private let followers = NIOLockedValueBox<[@Sendable () async -> Void]>([])
    private let savepoints = NIOLockedValueBox(0)

    private init(database: any Database) { self.database = database }

    /// Runs `body` in one transaction — on SQLite a savepoint of `gate`'s next batch — with what follows the commit
    /// run after it.
    static func run<T: Sendable>(on database: any Database, gate: GroupCommit?,
                                 _ body: @escaping @Sendable (UnitOfWork) async throws -> T) async throws -> T {
        let work: @Sendable (any Database) async throws -> (T, [@Sendable () async -> Void]) = { tx in
            let unit = UnitOfWork(database: tx)
            let result = try await UnitOfWork.$current.withValue(unit) { try await body(unit) }
            return (result, unit.followers.withLockedValue { $0 })
        }
        let (result, followers) = if let gate {
            try await gate.write(on: database, work)
        } else {
            try await postgresTransaction(on: database, work)
        }
        for follower in followers { await follower() }
        return result
    }

    /// BEGIN, `body`, COMMIT on one pooled connection. Unlike the driver's own transaction it sends no ROLLBACK after an
    /// error that ended the session (PostgreSQL restarting): the server has rolled back already, and a statement sent
    /// on that connection may never be answered. One caught by the restart itself may not be either: once the
    /// connection is closed, the transaction is given two seconds and then answered "outcome unknown" (`PoolReset`
    /// replaces the pool whose connection it keeps).
    private static func postgresTransaction<T: Sendable>(on database: any Database,
                                                         _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await database.withConnection { connection in
            let link = try await (connection as! any PostgresDatabase).withConnection { $0.eventLoop.makeSucceededFuture($0) }.get()
            return try await answered(unless: link) {
                let sql = connection as! any SQLDatabase
                try await sql.raw("BEGIN").run()
                do {
                    let result = try await body(connection)
                    try await sql.raw("COMMIT").run()
                    return result
                } catch {
                    if !StorageFaults.endedSession(error) { try? await sql.raw("ROLLBACK").run() }
                    throw error
                }
            }
        }
    }

    /// `work`'s outcome, or a 503 saying the outcome is unknown when `link` closed and `work` stayed unanswered.
    private static func answered<T: Sendable>(unless link: PostgresConnection, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = Handoff<Result<T, any Error>>()
        let settled = NIOLockedValueBox(false)
        let settle: @Sendable (Result<T, any Error>) -> Void = { result in
            if settled.withLockedValue({ done in defer { done = true }; return !done }) { outcome.give(result) }
        }
        Task {
            do { settle(.success(try await work())) } catch { settle(.failure(error)) }
        }
        // Only a transaction still running after a second is watched.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(1))
            while !link.isClosed { try await Task.sleep(for: .milliseconds(250)) }
            try await Task.sleep(for: .seconds(2))
            settle(.failure(AppError.unavailable(
                "La base de données a redémarré pendant l'enregistrement : vérifiez dans l'agenda ou le dossier s'il a été "
                    + "pris en compte avant de recommencer.", retryAfter: 2)))
        }
        let result = await outcome.take()
        watchdog.cancel()
        return try result.get()
    }

    /// Runs `action` once what is being written is committed: now, outside a unit.
    static func whenCommitted(_ action: @escaping @Sendable () async -> Void) async {
        if let unit = current { unit.afterCommit(action) } else { await action() }
    }

    /// Holds `action` until the commit (a console or an instance told too early would read the data before it is there).
    func afterCommit(_ action: @escaping @Sendable () async -> Void) {
        followers.withLockedValue { $0.append(action) }
    }

    /// Runs `body` in a savepoint: its changes go if it throws, the rest of the unit stays.
    func savepoint<T: Sendable>(_ body: @Sendable (any Database) async throws -> T) async throws -> T {
        let sql = database as! any SQLDatabase
        let name = "unite_" + String(savepoints.withLockedValue { $0 += 1; return $0 })
        let kept = followers.withLockedValue { $0.count }
        try await sql.raw("SAVEPOINT \(unsafeRaw: name)").run()
        do {
            let result = try await body(database)
            try await sql.raw("RELEASE SAVEPOINT \(unsafeRaw: name)").run()
            return result
        } catch {
            try await sql.raw("ROLLBACK TO SAVEPOINT \(unsafeRaw: name)").run()
            try await sql.raw("RELEASE SAVEPOINT \(unsafeRaw: name)").run()
            // What the undone writes would have told (a live event, news to the other instances) is not told.
            followers.withLockedValue { $0.removeSubrange(kept...) }
            throw error
        }
    }
}

extension Request {
    /// The request's database: inside a `UnitOfWork`, its transaction, so that the request reads what it wrote.
    /// (Shadows Fluent's `Request.db` for this module.)
    var db: any Database { UnitOfWork.current?.database ?? self.db(nil) }
}
