import Foundation
import Vapor

/// The application's sense of "now": the system clock in production, a fixed one in tests.
struct AppClock: Sendable {
    var now: @Sendable () -> Date

    static let system = AppClock { Date() }

    static func fixed(_ date: Date) -> AppClock { AppClock { date } }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = AppClock }

    var clock: AppClock {
        get { storage[ClockKey.self] ?? .system }
        set { storage[ClockKey.self] = newValue }
    }
}
