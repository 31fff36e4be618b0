import Domain
import Fluent
import Foundation
import Vapor

/// Checks a password against an account, counting failures against the account name and the address, and refusing
/// for a while after too many (`LoginThrottle`). Unknown and known account names get the same answers.
enum LoginService {
    /// The account, when the password is right and neither the name nor the address is locked; throws
    /// `invalidCredentials`, `accountLocked` or `addressLocked` otherwise, after counting the failure.
    static func authenticate(email rawEmail: String, password: String, request: Request) async throws -> UserRecord {
        let email = rawEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        try await refuseIfLocked(email: email, request: request)
        let user = try await UserRecord.query(on: request.db).filter(\.$email == email).first().flatMap { $0.disabled ? nil : $0 }
        // The same work whether the account exists or not: the answer's time tells nothing either.
        if try await Passwords.verify(password, against: user?.passwordHash ?? Passwords.decoyHash), let user {
            return user
        }
        try await countFailure(email: email, user: user, reason: nil, request: request)
    }

    /// Throws the lock in force on the account name or the request's address, if any.
    static func refuseIfLocked(email: String, request: Request) async throws {
        if let (subject, end) = try await LoginThrottleStore.lock(of: subjects(email, request), now: request.application.clock.now(), on: request.db) {
            throw subject.isAddress ? AppError.addressLocked(until: end) : AppError.accountLocked(until: end)
        }
    }

    private static func subjects(_ email: String, _ request: Request) -> [LoginThrottleStore.Subject] {
        [.account(email)] + (request.remoteAddress?.ipAddress.map { [.address($0)] } ?? [])
    }

    /// Counts a failure against the account name and the address, journaled, and throws what the caller answers:
    /// the lock it started or found, or `otherwise` (a wrong password by default; a wrong code after a good one).
    static func countFailure(email: String, user: UserRecord?, reason: String?, otherwise: AppError = .invalidCredentials,
                             request: Request) async throws -> Never {
        let now = request.application.clock.now()
        let address = request.remoteAddress?.ipAddress
        let subjects = subjects(email, request)
        let lock = try await request.writer.transaction(on: request.db, actor: AuditActor(userID: nil, label: email), requestID: request.id) { tx, journal in
            var lock: (LoginThrottleStore.Subject, Date)?
            for subject in subjects {
                let (state, startedLock) = try await LoginThrottleStore.recordFailure(subject, now: now, on: tx)
                let entity = user.map { ("user", $0.id!.uuidString) } ?? ("login", email)
                if !subject.isAddress {
                    try await journal.record(.loginFailed, entity: entity.0, entityID: entity.1, practiceID: nil,
                                             after: FailureSnapshot(failures: state.consecutiveFailures, lockedUntil: state.lockedUntil, remoteAddress: address, reason: reason))
                }
                if startedLock, let end = state.lockedUntil {
                    try await journal.record(.lockout, entity: subject.isAddress ? "login_address" : entity.0,
                                             entityID: subject.isAddress ? (address ?? "") : entity.1, practiceID: nil,
                                             after: FailureSnapshot(failures: state.consecutiveFailures, lockedUntil: end, remoteAddress: address, reason: reason))
                }
                if lock == nil, let end = state.lockedUntil { lock = (subject, end) }
            }
            return lock
        }
        if let (subject, end) = lock { throw subject.isAddress ? AppError.addressLocked(until: end) : AppError.accountLocked(until: end) }
        throw otherwise
    }
    /// Forgets the failures of a user who just signed in; call inside the sign-in transaction.
    static func clearFailures(of user: UserRecord, on tx: any Database) async throws {
        try await LoginThrottleStore.clear(.account(user.email), on: tx)
    }

    private struct FailureSnapshot: Encodable {
        let failures: Int
        let lockedUntil: Date?
        let remoteAddress: String?
        /// What failed when it was not the password ("code").
        let reason: String?
    }
}
