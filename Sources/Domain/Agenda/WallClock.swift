import Foundation

/// What to do when a wall-clock time happens twice (the autumn change: 02:00–03:00 is lived twice in Paris).
public enum AmbiguousTimePolicy: Sendable {
    /// The first time the clock shows it (the start of a range: the range covers both passes).
    case earlier
    /// The second time the clock shows it (the end of a range).
    case later
}

/// How a local date and time became an instant.
public enum WallClockResolution: Equatable, Sendable {
    case exact(Date)
    /// The time happened twice; `chosen` follows the policy.
    case ambiguous(earlier: Date, later: Date, chosen: Date)
    /// The time never happened (the spring change skips 02:00–03:00 in Paris): the instant the clock jumped.
    case skipped(transition: Date)

    public var instant: Date {
        switch self {
        case .exact(let date): date
        case .ambiguous(_, _, let chosen): chosen
        case .skipped(let transition): transition
        }
    }
}

/// Local wall-clock times to instants, with the DST gaps and overlaps handled on purpose.
public enum WallClock {
    /// The instant at which the clock in `zone` shows `minutes` after midnight on `date`.
    public static func resolve(_ date: LocalDate, minutes: Int, in zone: TimeZone, ambiguity: AmbiguousTimePolicy) -> WallClockResolution {
        let asUTC = TimeInterval(date.secondsSinceEpochAsUTC + minutes * 60)
        let offsetBefore = TimeInterval(zone.secondsFromGMT(for: Date(timeIntervalSince1970: asUTC - 86_400)))
        let offsetAfter = TimeInterval(zone.secondsFromGMT(for: Date(timeIntervalSince1970: asUTC + 86_400)))
        let candidates = Set([asUTC - offsetBefore, asUTC - offsetAfter]).sorted().map { Date(timeIntervalSince1970: $0) }
        let valid = candidates.filter { TimeInterval(zone.secondsFromGMT(for: $0)) == asUTC - $0.timeIntervalSince1970 }
        switch valid.count {
        case 2:
            return .ambiguous(earlier: valid[0], later: valid[1], chosen: ambiguity == .earlier ? valid[0] : valid[1])
        case 1:
            return .exact(valid[0])
        default:
            let transition = zone.nextDaylightSavingTimeTransition(after: candidates[0]) ?? candidates[0]
            return .skipped(transition: transition)
        }
    }

    /// The wall-clock minutes since midnight shown at `instant` (01:30 whether lived once or twice).
    public static func minutes(of instant: Date, in zone: TimeZone) -> Int {
        let local = Int(instant.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: instant)
        return ((local % 86_400) + 86_400) % 86_400 / 60
    }
}

/// One local day in one zone, converting its wall-clock times to instants quickly: most days have one offset
/// from midnight to midnight, and only the two change days need the careful path.
struct LocalDay {
    let date: LocalDate
    let zone: TimeZone
    let start: Date
    let end: Date
    /// Set when the offset is the same all day: then instant = start + minutes.
    private let uniformStart: Date?

    init(_ date: LocalDate, zone: TimeZone) {
        self.date = date
        self.zone = zone
        let first = WallClock.resolve(date, minutes: 0, in: zone, ambiguity: .earlier).instant
        let last = WallClock.resolve(date.adding(days: 1), minutes: 0, in: zone, ambiguity: .earlier).instant
        start = first
        end = last
        let noChange = zone.nextDaylightSavingTimeTransition(after: first).map { $0 >= last } ?? true
        uniformStart = noChange && last.timeIntervalSince(first) == 86_400 ? first : nil
    }

    func instant(_ minutes: Int, ambiguity: AmbiguousTimePolicy) -> Date {
        if let uniformStart { return uniformStart.addingTimeInterval(TimeInterval(minutes * 60)) }
        if minutes >= 1440 { return end }
        return WallClock.resolve(date, minutes: minutes, in: zone, ambiguity: ambiguity).instant
    }

    /// The instants whose wall-clock time lies in [from, to): a range covers both passes of an hour lived twice.
    func interval(from: Int, to: Int) -> DateInterval? {
        let a = instant(from, ambiguity: .earlier)
        let b = instant(to, ambiguity: .later)
        return b > a ? DateInterval(start: a, end: b) : nil
    }
}
