import Foundation

/// The period of a statistics request: its first and last days (inclusive, in the center's time zone) and how its
/// figures are cut (by hour, day or month). A period ends on or after its start and spans two years at most.
public struct StatisticsPeriod: Sendable, Equatable {
    public enum Granularity: String, Sendable, CaseIterable, Codable { case hour, day, month }

    public let from: LocalDate
    public let to: LocalDate
    public let granularity: Granularity

    /// Reads `from`, `to` (AAAA-MM-JJ) and `granularity`; without them: the 30 days to `today`, by day. Every problem
    /// is named at once.
    public init(from rawFrom: String?, to rawTo: String?, granularity rawGranularity: String?, today: LocalDate) throws(FieldProblems) {
        var problems: [FieldProblem] = []
        func date(_ raw: String?, _ field: String) -> LocalDate? {
            guard let raw, !raw.isEmpty else { return nil }
            if let date = LocalDate(iso: raw) { return date }
            problems.append(FieldProblem(field: field, reason: "date AAAA-MM-JJ attendue"))
            return nil
        }
        let to = date(rawTo, "to") ?? today
        let from = date(rawFrom, "from") ?? to.adding(days: -29)
        var granularity = Granularity.day
        if let rawGranularity, !rawGranularity.isEmpty {
            if let chosen = Granularity(rawValue: rawGranularity) { granularity = chosen } else {
                problems.append(FieldProblem(field: "granularity", reason: "hour, day ou month"))
            }
        }
        if problems.isEmpty {
            if to < from {
                problems.append(FieldProblem(field: "to", reason: "la fin de la période (\(to)) précède son début (\(from))"))
            } else if to >= Self.twoYears(after: from) {
                problems.append(FieldProblem(field: "to", reason: "une période de deux ans au plus"))
            }
        }
        guard problems.isEmpty else { throw FieldProblems(problems) }
        self.from = from
        self.to = to
        self.granularity = granularity
    }

    /// The same day two years later (a 29 February: the 1st of March).
    static func twoYears(after date: LocalDate) -> LocalDate {
        LocalDate(checkedYear: date.year + 2, month: date.month, day: date.day) ?? LocalDate(year: date.year + 2, month: 3, day: 1)
    }

    /// From the first day's midnight to the midnight after the last day, in `zone`.
    public func interval(in zone: TimeZone) -> DateInterval {
        let start = WallClock.resolve(from, minutes: 0, in: zone, ambiguity: .earlier).instant
        let end = WallClock.resolve(to.adding(days: 1), minutes: 0, in: zone, ambiguity: .earlier).instant
        return DateInterval(start: start, end: end)
    }

    /// The bucket of `instant` at this period's granularity: « 2026-11-24T09 », « 2026-11-24 » or « 2026-11 ».
    public func bucket(of instant: Date, in zone: TimeZone) -> String {
        let date = LocalDate(instant, in: zone)
        switch granularity {
        case .hour: return "\(date)T" + String(format: "%02d", WallClock.minutes(of: instant, in: zone) / 60)
        case .day: return date.description
        case .month: return String(date.description.prefix(7))
        }
    }
}
