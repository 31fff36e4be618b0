import Foundation

/// A FHIR `date` search value (`ge2026-12-01`, `lt2026-12-08T12:00:00+01:00`): a prefix and the period its precision
/// covers. A date without a time is a day of `zone`, the practice's.
public struct FHIRDateSearch: Equatable, Sendable {
    public enum Prefix: String, Sendable, CaseIterable {
        case eq, gt, lt, ge, le
    }

    public let prefix: Prefix
    /// The period the value names: a year, a month, a day or an instant (a second).
    public let lower: Date
    public let upper: Date

    /// Nil for a value that is not a FHIR date (`2026-13-01`, `demain`) or a prefix this server does not implement
    /// (`ne`, `sa`, `eb`, `ap`).
    public init?(_ text: String, zone: TimeZone) {
        var value = Substring(text)
        var prefix = Prefix.eq
        if let first = value.first, first.isLetter {
            guard value.count > 2, let known = Prefix(rawValue: String(value.prefix(2))) else { return nil }
            prefix = known
            value = value.dropFirst(2)
        }
        guard let period = Self.period(String(value), zone: zone) else { return nil }
        self.prefix = prefix
        (lower, upper) = period
    }

    /// Whether an instant meets the condition.
    public func matches(_ instant: Date) -> Bool {
        switch prefix {
        case .eq: instant >= lower && instant < upper
        case .gt: instant >= upper
        case .ge: instant >= lower
        case .lt: instant < lower
        case .le: instant < upper
        }
    }

    /// The half-open bounds the condition allows: what a query of stored instants asks.
    public var bounds: (from: Date?, before: Date?) {
        switch prefix {
        case .eq: (lower, upper)
        case .gt: (upper, nil)
        case .ge: (lower, nil)
        case .lt: (nil, lower)
        case .le: (nil, upper)
        }
    }

    static func period(_ text: String, zone: TimeZone) -> (Date, Date)? {
        let parts = text.split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        let dateParts = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(dateParts.count), dateParts[0].count == 4, dateParts.dropFirst().allSatisfy({ $0.count == 2 }),
              let year = Int(dateParts[0]), (1...9999).contains(year) else { return nil }
        let month = dateParts.count > 1 ? Int(dateParts[1]) : 1
        let day = dateParts.count > 2 ? Int(dateParts[2]) : 1
        guard let month, let day, (1...12).contains(month), let first = LocalDate(iso: String(format: "%04d-%02d-%02d", year, month, day)) else {
            return nil
        }
        if parts.count == 2 {
            guard dateParts.count == 3, let instant = InstantText.parse(text) else { return nil }
            return (instant, instant.addingTimeInterval(1))
        }
        let next: LocalDate
        switch dateParts.count {
        case 1: next = LocalDate(year: year + 1, month: 1, day: 1)
        case 2: next = month == 12 ? LocalDate(year: year + 1, month: 1, day: 1) : LocalDate(year: year, month: month + 1, day: 1)
        default: next = first.adding(days: 1)
        }
        return (WallClock.resolve(first, minutes: 0, in: zone, ambiguity: .earlier).instant,
                WallClock.resolve(next, minutes: 0, in: zone, ambiguity: .earlier).instant)
    }
}
