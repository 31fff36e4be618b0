import Foundation

/// A wall-clock time of day, in minutes since midnight (0…1440; 1440 is the end of the day).
public struct LocalTime: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let minutes: Int

    public init?(minutes: Int) {
        guard (0...1440).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    public init?(hour: Int, minute: Int = 0) {
        guard (0...24).contains(hour), (0...59).contains(minute), hour * 60 + minute <= 1440 else { return nil }
        self.minutes = hour * 60 + minute
    }

    /// Reads "09:00", "9:00", "9h", "9h30", "09 h 30".
    public init?(parsing text: String) {
        let cleaned = text.lowercased().replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "h", with: ":")
        let parts = cleaned.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let hour = Int(parts[0]), parts[0].count <= 2 else { return nil }
        let minute = parts.count == 2 && !parts[1].isEmpty ? Int(parts[1]) : 0
        guard let minute, parts.count == 1 || parts[1].count <= 2 else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public static func < (lhs: LocalTime, rhs: LocalTime) -> Bool { lhs.minutes < rhs.minutes }

    /// "09:00", as in agenda grids.
    public var description: String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }

    public static let midnight = LocalTime(minutes: 0)!
    public static let noon = LocalTime(minutes: 720)!
    public static let endOfDay = LocalTime(minutes: 1440)!
}

/// Which ISO weeks a weekly opening range applies to: French practices often alternate weeks.
public enum WeekParity: String, Codable, Sendable, CaseIterable {
    case every, even, odd

    public func includes(isoWeek: Int) -> Bool {
        switch self {
        case .every: true
        case .even: isoWeek % 2 == 0
        case .odd: isoWeek % 2 == 1
        }
    }

    /// Whether some week is in both.
    public func overlaps(_ other: WeekParity) -> Bool {
        self == .every || other == .every || self == other
    }
}

extension LocalDate {
    /// The ISO 8601 week: weeks start on Monday, week 1 holds the year's first Thursday.
    public var isoWeek: (year: Int, week: Int) {
        let thursday = adding(days: 4 - isoWeekday)
        let firstOfYear = LocalDate(year: thursday.year, month: 1, day: 1)
        return (thursday.year, (thursday.julianDay - firstOfYear.julianDay) / 7 + 1)
    }

    /// Seconds from 1970-01-01 to this date's midnight, as if it were UTC.
    var secondsSinceEpochAsUTC: Int { (julianDay - 2_440_588) * 86_400 }

    /// The calendar date of an instant in `zone`.
    public init(_ instant: Date, in zone: TimeZone) {
        self.init(localSecondsSinceEpoch: Int(instant.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: instant))
    }

    /// The calendar date of a wall-clock reading given as seconds since 1970-01-01 00:00 of that same clock.
    public init(localSecondsSinceEpoch local: Int) {
        self.init(julianDay: Int((Double(local) / 86_400).rounded(.down)) + 2_440_588)
    }
}
