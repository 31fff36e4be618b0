import Domain
import Fluent
import Foundation
import SQLKit

/// The failures counted against one account name (`compte:…`, whether the account exists or not) or one address
/// (`adresse:…`).
final class LoginThrottleRecord: Model, @unchecked Sendable {
    static let schema = "login_throttles"

    @ID(key: .id) var id: UUID?
    @Field(key: "key") var key: String
    @Field(key: "failures") var failures: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @Field(key: "last_failure_at") var lastFailureAt: Date

    init() {}

    var state: LoginAttemptState { LoginAttemptState(consecutiveFailures: failures, lockedUntil: lockedUntil, lastFailureAt: lastFailureAt) }
}

/// Counts sign-in failures in the database, one statement per change, so that guesses sent at once all count
/// (the rules are the Domain's `LoginThrottle`).
enum LoginThrottleStore {
    /// What a count is kept against.
    struct Subject: Sendable {
        let key: String
        let throttle: LoginThrottle

        static func account(_ email: String) -> Subject { Subject(key: "compte:" + email, throttle: .account) }
        static func address(_ address: String) -> Subject { Subject(key: "adresse:" + address, throttle: .address) }
        var isAddress: Bool { key.hasPrefix("adresse:") }
    }

    /// The first lock in force at `now` among `subjects`, with the subject it holds.
    static func lock(of subjects: [Subject], now: Date, on db: any Database) async throws -> (Subject, Date)? {
        let rows = try await LoginThrottleRecord.query(on: db).filter(\.$key ~~ subjects.map(\.key)).all()
        for subject in subjects {
            if let row = rows.first(where: { $0.key == subject.key }), let end = subject.throttle.lockEnd(for: row.state, now: now) {
                return (subject, end)
            }
        }
        return nil
    }

    /// Counts one failure against `subject` at `now`; returns the state after it and whether this failure started the lock.
    static func recordFailure(_ subject: Subject, now: Date, on tx: any Database) async throws -> (state: LoginAttemptState, startedLock: Bool) {
        let sql = tx as! any SQLDatabase
        try await sql.raw("""
            INSERT INTO login_throttles (id, key, failures, last_failure_at) VALUES (\(bind: UUID()), \(bind: subject.key), 0, \(bind: now))
            ON CONFLICT (key) DO NOTHING
            """).run()
        if let row = try await LoginThrottleRecord.query(on: tx).filter(\.$key == subject.key).first(),
           subject.throttle.isSpent(row.state, now: now) {
            // A spent count starts again; only the request that read it spent resets it (the count is its witness).
            try await LoginThrottleRecord.query(on: tx).filter(\.$key == subject.key).filter(\.$failures == row.failures)
                .set(\.$failures, to: 0).set(\.$lockedUntil, to: nil).update()
        }
        struct Counted: Decodable { let failures: Int }
        guard let counted = try await sql.raw("""
            UPDATE login_throttles SET failures = failures + 1, last_failure_at = \(bind: now) WHERE key = \(bind: subject.key) RETURNING failures
            """).first(decoding: Counted.self) else { throw AppError.conflict("Compteur d'essais introuvable : réessayez.") }
        var startedLock = false
        if let end = subject.throttle.lock(afterFailures: counted.failures, now: now) {
            // Only the failure whose statement set the lock started it (several may reach the maximum at once).
            startedLock = try await sql.raw("""
                UPDATE login_throttles SET locked_until = \(bind: end) WHERE key = \(bind: subject.key) AND locked_until IS NULL RETURNING failures
                """).first(decoding: Counted.self) != nil
        }
        let after = try await LoginThrottleRecord.query(on: tx).filter(\.$key == subject.key).first()
        return (after?.state ?? LoginAttemptState(consecutiveFailures: counted.failures, lastFailureAt: now), startedLock)
    }

    /// Forgets the failures of an account name (after a good password, or unlocked by an administrator).
    static func clear(_ subject: Subject, on tx: any Database) async throws {
        try await LoginThrottleRecord.query(on: tx).filter(\.$key == subject.key).delete()
    }

    /// The account names locked at `now`.
    static func lockedAccounts(now: Date, on db: any Database) async throws -> Set<String> {
        let rows = try await LoginThrottleRecord.query(on: db).filter(\.$key =~ "compte:").filter(\.$lockedUntil > now).all()
        return Set(rows.map { String($0.key.dropFirst("compte:".count)) })
    }
}
