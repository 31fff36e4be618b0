import Foundation

/// The failed-login state of one account.
public struct LoginAttemptState: Equatable, Sendable {
    public var consecutiveFailures: Int
    public var lockedUntil: Date?

    public init(consecutiveFailures: Int = 0, lockedUntil: Date? = nil) {
        self.consecutiveFailures = consecutiveFailures
        self.lockedUntil = lockedUntil
    }
}

/// Locks an account for a while after repeated failures, so that a password cannot be guessed online.
public struct LoginThrottle: Sendable {
    public var maximumFailures: Int
    public var lockDuration: TimeInterval

    public init(maximumFailures: Int = 5, lockDuration: TimeInterval = 15 * 60) {
        precondition(maximumFailures > 0 && lockDuration > 0)
        self.maximumFailures = maximumFailures
        self.lockDuration = lockDuration
    }

    /// The end of the lock in force at `now`, or nil when the account may try.
    public func lockEnd(for state: LoginAttemptState, now: Date) -> Date? {
        guard let until = state.lockedUntil, until > now else { return nil }
        return until
    }

    /// The state after a wrong password at `now`: the lock starts when the failures reach the maximum.
    public func afterFailure(_ state: LoginAttemptState, now: Date) -> LoginAttemptState {
        // A lock that has run out starts a new count.
        let previous = (state.lockedUntil.map { $0 <= now } ?? false) ? 0 : state.consecutiveFailures
        let failures = previous + 1
        if failures >= maximumFailures {
            return LoginAttemptState(consecutiveFailures: failures, lockedUntil: now.addingTimeInterval(lockDuration))
        }
        return LoginAttemptState(consecutiveFailures: failures, lockedUntil: nil)
    }

    /// The state after a successful login.
    public func afterSuccess() -> LoginAttemptState { LoginAttemptState() }
}
