import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// A whole request run in one transaction, so that what it guards (an `Idempotency-Key`'s answer) commits with its
/// writes or not at all. While it runs, `Request.db` is its transaction, each `Writer.transaction` is a savepoint in
/// it, and live events wait for the commit.
final class UnitOfWork: Sendable {
    @TaskLocal static var current: UnitOfWork?

    let database: any Database
    private let events = NIOLockedValueBox<[LiveEvent]>([])
    private let savepoints = NIOLockedValueBox(0)

    private init(database: any Database) { self.database = database }

    /// Runs `body` in one transaction (serialised by `gate` on SQLite); its live events go out after the commit.
    static func run<T: Sendable>(on database: any Database, gate: WriteGate?, hub: LiveHub,
                                 _ body: @escaping @Sendable (UnitOfWork) async throws -> T) async throws -> T {
        let work: @Sendable () async throws -> (T, [LiveEvent]) = {
            try await database.transaction { tx in
                let unit = UnitOfWork(database: tx)
                let result = try await UnitOfWork.$current.withValue(unit) { try await body(unit) }
                return (result, unit.events.withLockedValue { $0 })
            }
        }
        let (result, events) = if let gate { try await gate.withExclusiveAccess(work) } else { try await work() }
        for event in events { await hub.publish(event) }
        return result
    }

    /// Holds `event` until the commit (a console told too early would read the data before it is there).
    func publishAfterCommit(_ event: LiveEvent) {
        events.withLockedValue { $0.append(event) }
    }

    /// Runs `body` in a savepoint: its changes go if it throws, the rest of the unit stays.
    func savepoint<T: Sendable>(_ body: @Sendable (any Database) async throws -> T) async throws -> T {
        let sql = database as! any SQLDatabase
        let name = "unite_" + String(savepoints.withLockedValue { $0 += 1; return $0 })
        try await sql.raw("SAVEPOINT \(unsafeRaw: name)").run()
        do {
            let result = try await body(database)
            try await sql.raw("RELEASE SAVEPOINT \(unsafeRaw: name)").run()
            return result
        } catch {
            try await sql.raw("ROLLBACK TO SAVEPOINT \(unsafeRaw: name)").run()
            try await sql.raw("RELEASE SAVEPOINT \(unsafeRaw: name)").run()
            throw error
        }
    }
}

extension Request {
    /// The request's database: inside a `UnitOfWork`, its transaction, so that the request reads what it wrote.
    /// (Shadows Fluent's `Request.db` for this module.)
    var db: any Database { UnitOfWork.current?.database ?? self.db(nil) }
}
