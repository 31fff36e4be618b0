import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// A whole request run in one transaction, so that what it guards (an `Idempotency-Key`'s answer) commits with its
/// writes or not at all. While it runs, `Request.db` is its transaction, each `Writer.transaction` is a savepoint in
/// it, and what must follow the commit (live events, news to the other instances) waits for it.
final class UnitOfWork: Sendable {
    @TaskLocal static var current: UnitOfWork?

    let database: any Database
    private let followers = NIOLockedValueBox<[@Sendable () async -> Void]>([])
    private let savepoints = NIOLockedValueBox(0)

    private init(database: any Database) { self.database = database }

    /// Runs `body` in one transaction (serialised by `gate` on SQLite); what follows the commit runs after it.
    static func run<T: Sendable>(on database: any Database, gate: WriteGate?,
                                 _ body: @escaping @Sendable (UnitOfWork) async throws -> T) async throws -> T {
        let work: @Sendable () async throws -> (T, [@Sendable () async -> Void]) = {
            try await database.transaction { tx in
                let unit = UnitOfWork(database: tx)
                let result = try await UnitOfWork.$current.withValue(unit) { try await body(unit) }
                return (result, unit.followers.withLockedValue { $0 })
            }
        }
        let (result, followers) = if let gate { try await gate.withExclusiveAccess(work) } else { try await work() }
        for follower in followers { await follower() }
        return result
    }

    /// Holds `action` until the commit (a console or an instance told too early would read the data before it is there).
    func afterCommit(_ action: @escaping @Sendable () async -> Void) {
        followers.withLockedValue { $0.append(action) }
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
