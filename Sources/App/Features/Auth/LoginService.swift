import Domain
import Fluent
import Foundation
import Vapor

/// Checks a password against an account, counting failures and locking the account after too many.
enum LoginService {
    static let throttle = LoginThrottle(maximumFailures: 5, lockDuration: 15 * 60)

    /// The account, when the password is right and the account not locked; throws `invalidCredentials`
    /// or `accountLocked` otherwise, after recording the failure.
    static func authenticate(email rawEmail: String, password: String, request: Request) async throws -> UserRecord {
        let app = request.application
        let email = rawEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard let user = try await UserRecord.query(on: request.db).filter(\.$email == email).first(), !user.disabled else {
            _ = try await Passwords.verify(password, against: Passwords.decoyHash, on: app.threadPool)
            throw AppError.invalidCredentials
        }
        let now = app.clock.now()
        let state = LoginAttemptState(consecutiveFailures: user.failedLogins, lockedUntil: user.lockedUntil)
        if let lockEnd = throttle.lockEnd(for: state, now: now) {
            throw AppError.accountLocked(until: lockEnd)
        }
        if try await Passwords.verify(password, against: user.passwordHash, on: app.threadPool) {
            return user
        }
        let next = throttle.afterFailure(state, now: now)
        try await request.writer.transaction(on: request.db, actor: AuditActor(userID: nil, label: email), requestID: request.id) { tx, journal in
            user.failedLogins = next.consecutiveFailures
            user.lockedUntil = next.lockedUntil
            try await user.update(on: tx)
            try await journal.record(.loginFailed, entity: "user", entityID: user.id!.uuidString, practiceID: nil,
                                     after: FailureSnapshot(failures: next.consecutiveFailures, lockedUntil: next.lockedUntil,
                                                            remoteAddress: request.remoteAddress?.ipAddress))
        }
        if let lockEnd = next.lockedUntil { throw AppError.accountLocked(until: lockEnd) }
        throw AppError.invalidCredentials
    }

    /// Clears the failure count of a user who just signed in; call inside the sign-in transaction.
    static func clearFailures(of user: UserRecord, on tx: any Database) async throws {
        guard user.failedLogins != 0 || user.lockedUntil != nil else { return }
        user.failedLogins = 0
        user.lockedUntil = nil
        try await user.update(on: tx)
    }

    private struct FailureSnapshot: Encodable {
        let failures: Int
        let lockedUntil: Date?
        let remoteAddress: String?
    }
}
