import Foundation

/// A telephony event as the figures read it.
public struct TelephonyFact: Sendable, Equatable {
    public let providerCallID: String
    public let kind: TelephonyEventKind
    public let at: Date
    public let practiceID: UUID

    public init(providerCallID: String, kind: TelephonyEventKind, at: Date, practiceID: UUID) {
        self.providerCallID = providerCallID
        self.kind = kind
        self.at = at
        self.practiceID = practiceID
    }
}

/// A call of the journal as the figures read it: opened from a ringing call (`telephonyCallID`) or by hand.
public struct JournalCallFact: Sendable, Equatable {
    public let practiceID: UUID
    public let telephonyCallID: String?
    public let openedAt: Date
    public let closedAt: Date?

    public init(practiceID: UUID, telephonyCallID: String?, openedAt: Date, closedAt: Date?) {
        self.practiceID = practiceID
        self.telephonyCallID = telephonyCallID
        self.openedAt = openedAt
        self.closedAt = closedAt
    }
}

/// One call presented to the center, from its events and the journal call opened from it.
///
/// - presented: a ringing event (or, for a call opened by hand without telephony, its opening);
/// - answered: an answered event, or a journal call opened from it; a call opened by hand is answered, with no time to
///   answer;
/// - abandoned: ended without being answered; ended within `quickHangUp` (5 s) of ringing, it is a « raccroché
///   rapide », counted apart and left out of the answer rate;
/// - time to answer: ringing → answered; handling time: answered → the journal call's closing;
/// - rings: the time to answer ÷ `ringLength` (5 s); answered before the 4th ring: a time to answer under 15 s.
public struct CallTrace: Sendable, Equatable {
    public static let ringLength: TimeInterval = 5
    public static let quickHangUp: TimeInterval = 5

    public enum Outcome: String, Sendable, Equatable {
        case answered, abandoned, quickHangUp, ringing
    }

    public let practiceID: UUID
    public let presentedAt: Date
    public let answeredAt: Date?
    public let endedAt: Date?
    public let closedAt: Date?
    public let byHand: Bool

    public init(practiceID: UUID, presentedAt: Date, answeredAt: Date?, endedAt: Date?, closedAt: Date?, byHand: Bool) {
        self.practiceID = practiceID
        self.presentedAt = presentedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.closedAt = closedAt
        self.byHand = byHand
    }

    public var outcome: Outcome {
        if answeredAt != nil { return .answered }
        guard let endedAt else { return .ringing }
        return endedAt.timeIntervalSince(presentedAt) < Self.quickHangUp ? .quickHangUp : .abandoned
    }

    /// Ringing → answered; none for a call opened by hand.
    public var timeToAnswer: TimeInterval? {
        guard !byHand, let answeredAt else { return nil }
        return max(0, answeredAt.timeIntervalSince(presentedAt))
    }

    /// Answered → closed in the journal.
    public var handlingTime: TimeInterval? {
        guard let answeredAt, let closedAt else { return nil }
        return max(0, closedAt.timeIntervalSince(answeredAt))
    }

    /// How many rings the caller heard before the answer.
    public var rings: Double? { timeToAnswer.map { $0 / Self.ringLength } }

    /// The calls of these events and journal calls: one per provider call id (its first ringing, answered and ended
    /// events; the journal call opened from it), then one per journal call opened by hand.
    public static func traces(events: [TelephonyFact], calls: [JournalCallFact]) -> [CallTrace] {
        let journal = Dictionary(calls.compactMap { call in call.telephonyCallID.map { ($0, call) } }, uniquingKeysWith: { first, second in
            first.openedAt <= second.openedAt ? first : second
        })
        var traces: [CallTrace] = []
        for (id, facts) in Dictionary(grouping: events, by: \.providerCallID) {
            let sorted = facts.sorted { $0.at < $1.at }
            func first(_ kind: TelephonyEventKind) -> Date? { sorted.first { $0.kind == kind }?.at }
            guard let presented = first(.ringing) ?? sorted.first?.at else { continue }
            let call = journal[id]
            traces.append(CallTrace(practiceID: sorted[0].practiceID, presentedAt: presented, answeredAt: first(.answered) ?? call?.openedAt,
                                    endedAt: first(.ended), closedAt: call?.closedAt, byHand: false))
        }
        for call in calls where call.telephonyCallID == nil {
            traces.append(CallTrace(practiceID: call.practiceID, presentedAt: call.openedAt, answeredAt: call.openedAt, endedAt: nil,
                                    closedAt: call.closedAt, byHand: true))
        }
        return traces.sorted { $0.presentedAt < $1.presentedAt }
    }
}

/// Durations summed up: how many, their mean, median and 90th percentile (nearest rank), in seconds.
public struct DurationSummary: Sendable, Equatable, Codable {
    public let count: Int
    public let mean: Double?
    public let median: Double?
    public let p90: Double?
    public let total: Double

    public init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        total = sorted.reduce(0, +)
        mean = sorted.isEmpty ? nil : total / Double(sorted.count)
        median = Self.rank(sorted, 0.5)
        p90 = Self.rank(sorted, 0.9)
    }

    /// The nearest-rank percentile: the smallest value with at least `share` of the values at or under it.
    static func rank(_ sorted: [Double], _ share: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let index = Int((share * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(index, 0), sorted.count - 1)]
    }
}

/// What the center did with the calls presented to it over a period.
public struct CallFigures: Sendable, Equatable, Codable {
    public let presented: Int
    public let answered: Int
    /// Of the answered, those opened by hand (no telephony event, no time to answer).
    public let answeredByHand: Int
    public let abandoned: Int
    public let quickHangUps: Int
    /// Still ringing when the figures were made.
    public let ringing: Int
    /// Answered ÷ (presented − quick hang-ups − still ringing); none when nothing is left to divide.
    public let answerRate: Double?
    /// Of the calls answered with a time to answer, the share answered before the 4th ring (under 15 s).
    public let answeredBeforeFourthRing: Double?
    public let timeToAnswer: DurationSummary
    public let handlingTime: DurationSummary
    public let meanRings: Double?

    public init(_ traces: [CallTrace]) {
        presented = traces.count
        answered = traces.filter { $0.outcome == .answered }.count
        answeredByHand = traces.filter { $0.byHand }.count
        abandoned = traces.filter { $0.outcome == .abandoned }.count
        quickHangUps = traces.filter { $0.outcome == .quickHangUp }.count
        ringing = traces.filter { $0.outcome == .ringing }.count
        let counted = presented - quickHangUps - ringing
        answerRate = counted > 0 ? Double(answered) / Double(counted) : nil
        let waits = traces.compactMap(\.timeToAnswer)
        answeredBeforeFourthRing = waits.isEmpty ? nil
            : Double(waits.filter { $0 < 3 * CallTrace.ringLength }.count) / Double(waits.count)
        timeToAnswer = DurationSummary(waits)
        handlingTime = DurationSummary(traces.compactMap(\.handlingTime))
        meanRings = timeToAnswer.mean.map { $0 / CallTrace.ringLength }
    }
}

/// When the calls come and how long they wait and last: counts by weekday and hour (Monday first, 0–23 h in the
/// center's time zone), and the times to answer and handling times in bands.
public struct CallDistribution: Sendable, Equatable, Codable {
    /// The bands' upper bounds (exclusive), in seconds; the last band is open.
    public static let answerBands: [Double] = [5, 10, 15, 30, 60]
    public static let handlingBands: [Double] = [60, 120, 300, 600]

    /// `byWeekdayAndHour[weekday - 1][hour]`: the calls presented.
    public let byWeekdayAndHour: [[Int]]
    /// One count per band of `answerBands`, then those at or over the last bound.
    public let timeToAnswer: [Int]
    public let handlingTime: [Int]

    public init(_ traces: [CallTrace], in zone: TimeZone) {
        var grid = Array(repeating: Array(repeating: 0, count: 24), count: 7)
        for trace in traces {
            let date = LocalDate(trace.presentedAt, in: zone)
            grid[date.isoWeekday - 1][WallClock.minutes(of: trace.presentedAt, in: zone) / 60] += 1
        }
        byWeekdayAndHour = grid
        timeToAnswer = Self.bands(traces.compactMap(\.timeToAnswer), Self.answerBands)
        handlingTime = Self.bands(traces.compactMap(\.handlingTime), Self.handlingBands)
    }

    static func bands(_ values: [Double], _ bounds: [Double]) -> [Int] {
        var counts = Array(repeating: 0, count: bounds.count + 1)
        for value in values { counts[bounds.firstIndex { value < $0 } ?? bounds.count] += 1 }
        return counts
    }
}
