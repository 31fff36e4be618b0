import Foundation

/// The failed sign-ins counted against one account name or one address.
public struct LoginAttemptState: Equatable, Sendable {
    public var consecutiveFailures: Int
    public var lockedUntil: Date?
    public var lastFailureAt: Date?

    public init(consecutiveFailures: Int = 0, lockedUntil: Date? = nil, lastFailureAt: Date? = nil) {
        self.consecutiveFailures = consecutiveFailures
        self.lockedUntil = lockedUntil
        self.lastFailureAt = lastFailureAt
    }
}

/// Locks an account name, or an address, for a while after repeated failures, so that a password cannot be guessed
/// online. An account name is counted whether or not the account exists, so that the answers never tell which do.
public struct LoginThrottle: Sendable {
    public var maximumFailures: Int
    public var lockDuration: TimeInterval

    /// Five failures on one account name lock it for 15 minutes.
    public static let account = LoginThrottle(maximumFailures: 5, lockDuration: 15 * 60)
    /// A hundred failures from one address within 15 minutes, whatever the accounts tried, lock that address as long:
    /// a center's whole team signs in from one office address, whose typos must not lock everyone out, while a
    /// guesser spreading tries over many accounts is stopped.
    public static let address = LoginThrottle(maximumFailures: 100, lockDuration: 15 * 60)

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

    /// Whether the count is spent before a new failure at `now`: its lock has run out, or, without a lock, its last
    /// failure is older than the lock's duration. A spent count starts again from zero.
    public func isSpent(_ state: LoginAttemptState, now: Date) -> Bool {
        if let until = state.lockedUntil { return until <= now }
        guard let last = state.lastFailureAt else { return false }
        return now.timeIntervalSince(last) >= lockDuration
    }

    /// The lock that the failure numbered `failures` starts at `now`, if it reaches the maximum.
    public func lock(afterFailures failures: Int, now: Date) -> Date? {
        failures >= maximumFailures ? now.addingTimeInterval(lockDuration) : nil
    }

    /// The state after a wrong password at `now`: the lock starts when the failures reach the maximum. The App's
    /// `LoginThrottleStore` applies this rule one SQL statement at a time, so that concurrent failures all count.
    public func afterFailure(_ state: LoginAttemptState, now: Date) -> LoginAttemptState {
        let failures = (isSpent(state, now: now) ? 0 : state.consecutiveFailures) + 1
        let lock = isSpent(state, now: now) ? nil : state.lockedUntil
        return LoginAttemptState(consecutiveFailures: failures, lockedUntil: lock ?? self.lock(afterFailures: failures, now: now), lastFailureAt: now)
    }
}
