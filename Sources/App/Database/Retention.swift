import Domain
import Fluent
import Foundation
import Vapor

/// What is kept, and for how long (README, « Conservation des données »); the background worker sweeps it.
enum Retention {
    /// An `Idempotency-Key` answers retries for a day.
    static let idempotencyKeys: TimeInterval = 24 * 3600

    /// Deletes what has outlived its keeping at `now`: idempotency keys, expired sessions and tokens, spent sign-in
    /// counts. Technical tables, not practice data: not journaled.
    static func sweep(app: Application, now: Date) async throws {
        try await app.writer.unjournaled(on: app.db) { db in
            try await IdempotencyKeyRecord.query(on: db).filter(\.$createdAt <= now.addingTimeInterval(-idempotencyKeys)).delete()
            try await LoginSessionRecord.query(on: db).filter(\.$expiresAt <= now).delete()
            try await ApiTokenRecord.query(on: db).filter(\.$expiresAt <= now).delete()
            let spentBefore = now.addingTimeInterval(-max(LoginThrottle.account.lockDuration, LoginThrottle.address.lockDuration))
            try await LoginThrottleRecord.query(on: db).filter(\.$lastFailureAt <= spentBefore)
                .group(.or) { $0.filter(\.$lockedUntil == nil).filter(\.$lockedUntil <= now) }.delete()
        }
    }
}
