import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// After PostgreSQL ended the sessions (a restart), the connection pool is replaced by a new one. The pool gives a
/// waiting request a connection only when another is handed back, and a statement caught by the restart may never be
/// answered, its connection never handed back: without the reset the requests of that event loop would wait out the
/// pool timeout, every one of them, for good. The old pool fails its waiting requests at once (503, `Retry-After`);
/// connections still in use finish their work and close; the next request opens a connection in the new pool.
final class PoolReset: Sendable {
    private let last = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
    /// One reset for one restart: the errors it causes do not cause another.
    static let quietPeriod: Duration = .seconds(2)

    func reset(_ databases: Databases, logger: Logger) {
        let now = ContinuousClock.now
        let due = last.withLockedValue { last -> Bool in
            if let previous = last, now - previous < Self.quietPeriod { return false }
            last = now
            return true
        }
        guard due else { return }
        logger.warning("Session PostgreSQL terminée par le serveur : le pool de connexions est remplacé.")
        // The driver's shutdown waits on the event loops: never run it on one.
        DispatchQueue.global().async { databases.reinitialize(.psql) }
    }
}

extension Application {
    private struct PoolResetKey: StorageKey { typealias Value = PoolReset }

    /// Present on PostgreSQL.
    var poolReset: PoolReset? {
        get { storage[PoolResetKey.self] }
        set { storage[PoolResetKey.self] = newValue }
    }
}
