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
            } else if granularity == .hour && to > from.adding(days: Self.longestByHour - 1) {
                problems.append(FieldProblem(field: "granularity", reason: "par heure : \(Self.longestByHour) jours au plus"))
            }
        }
        guard problems.isEmpty else { throw FieldProblems(problems) }
        self.from = from
        self.to = to
        self.granularity = granularity
    }

    /// A calendar month, « 2026-11 », by day: the period of a monthly report.
    public init(month raw: String) throws(FieldProblems) {
        let parts = raw.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
              let first = LocalDate(checkedYear: year, month: month, day: 1), year >= 2000 else {
            throw FieldProblems([FieldProblem(field: "month", reason: "mois AAAA-MM attendu (2026-11)")])
        }
        let next = month == 12 ? LocalDate(year: year + 1, month: 1, day: 1) : LocalDate(year: year, month: month + 1, day: 1)
        from = first
        to = next.adding(days: -1)
        granularity = .day
    }

    /// « novembre 2026 » for a month's period.
    public var monthLabel: String { "\(FrenchSpeech.months[from.month - 1]) \(from.year)" }

    /// « 2026-11 ».
    public var month: String { String(from.description.prefix(7)) }

    /// The month before the one of `date`, « 2026-11 » on any day of December 2026: the last report to read.
    public static func previousMonth(of date: LocalDate) -> String { String(date.adding(days: -date.day).description.prefix(7)) }

    /// A series by hour covers a month at most (744 buckets).
    public static let longestByHour = 31

    /// Every bucket of the period in order, those without a call included.
    public var buckets: [String] {
        var buckets: [String] = []
        var day = from
        while day <= to {
            switch granularity {
            case .hour: buckets += (0..<24).map { "\(day)T" + String(format: "%02d", $0) }
            case .day: buckets.append(day.description)
            case .month: if buckets.last != String(day.description.prefix(7)) { buckets.append(String(day.description.prefix(7))) }
            }
            day = day.adding(days: 1)
        }
        return buckets
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
        bucket(day: LocalDate(instant, in: zone), hour: WallClock.minutes(of: instant, in: zone) / 60)
    }

    /// The bucket of an hour of a day (local to the center).
    public func bucket(day: LocalDate, hour: Int) -> String {
        switch granularity {
        case .hour: "\(day)T" + String(format: "%02d", hour)
        case .day: day.description
        case .month: String(day.description.prefix(7))
        }
    }
}
