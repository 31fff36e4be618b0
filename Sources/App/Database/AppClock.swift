import Foundation
import Vapor

/// The application's sense of "now": the system clock in production, a fixed one in tests.
struct AppClock: Sendable {
    var now: @Sendable () -> Date

    static let system = AppClock { Date() }

    static func fixed(_ date: Date) -> AppClock { AppClock { date } }

    /// The system clock plus the seconds written in `file` (none while it is missing or unreadable): a browser journey
    /// moves the running server's day forward to its reminders.
    static func offset(file: String) -> AppClock {
        AppClock {
            let seconds = (try? String(contentsOfFile: file, encoding: .utf8)).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            return Date().addingTimeInterval(seconds)
        }
    }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = AppClock }

    var clock: AppClock {
        get { storage[ClockKey.self] ?? .system }
        set { storage[ClockKey.self] = newValue }
    }
}
