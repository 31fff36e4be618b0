import Domain
import Fluent
import Foundation
import Vapor

/// What is kept, and for how long (README, « Conservation des données »); the background worker sweeps it.
enum Retention {
    /// An `Idempotency-Key` answers retries for a day.
    static let idempotencyKeys: TimeInterval = 24 * 3600

    /// Access traces — who read which record, who signed in, failed, was locked out, took or gave back a token, read
    /// the journal — name people and records for twelve months; then their entry keeps only its time, action and seal.
    static let accessTraceActions: [AuditAction] = [.read, .auditViewed, .login, .loginFailed, .logout, .lockout, .tokenIssued, .tokenRevoked]

    /// The oldest moment whose access traces are kept whole at `now`: twelve months back, by the calendar.
    static func accessTracesKept(since now: Date) -> Date {
        Calendar(identifier: .gregorian).date(byAdding: .month, value: -12, to: now) ?? now.addingTimeInterval(-365 * 86400)
    }

    /// Deletes what has outlived its keeping at `now`: idempotency keys, expired sessions, tokens and halfway
    /// sign-ins, spent sign-in counts (technical tables, not journaled); and prunes access traces past twelve months.
    static func sweep(app: Application, now: Date) async throws {
        try await app.writer.unjournaled(on: app.db) { db in
            try await IdempotencyKeyRecord.query(on: db).filter(\.$createdAt <= now.addingTimeInterval(-idempotencyKeys)).delete()
            try await LoginSessionRecord.query(on: db).filter(\.$expiresAt <= now).delete()
            try await ApiTokenRecord.query(on: db).filter(\.$expiresAt <= now).delete()
            try await LoginChallengeRecord.query(on: db).filter(\.$expiresAt <= now).delete()
            let spentBefore = now.addingTimeInterval(-max(LoginThrottle.account.lockDuration, LoginThrottle.address.lockDuration))
            try await LoginThrottleRecord.query(on: db).filter(\.$lastFailureAt <= spentBefore)
                .group(.or) { $0.filter(\.$lockedUntil == nil).filter(\.$lockedUntil <= now) }.delete()
            // Entries sealed in version 3 carry who and what they name through a digest: blanking them leaves the
            // chain and the checkpoints whole (`AuditVerifier`). Older entries are sealed with the names in clear.
            try await AuditEntryRecord.query(on: db)
                .filter(\.$action ~~ accessTraceActions.map(\.rawValue)).filter(\.$occurredAt < accessTracesKept(since: now))
                .filter(\.$chainVersion >= 3).filter(\.$prunedAt == nil)
                .set(\.$actorID, to: nil).set(\.$actorLabel, to: "").set(\.$entityID, to: "").set(\.$practiceID, to: nil)
                .set(\.$requestID, to: nil).set(\.$before, to: nil).set(\.$after, to: nil).set(\.$payloadErasedAt, to: now)
                .set(\.$prunedAt, to: now).update()
        }
    }
}
