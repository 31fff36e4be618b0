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
    public let id: UUID
    public let practiceID: UUID
    public let telephonyCallID: String?
    public let openedAt: Date
    public let closedAt: Date?

    public init(id: UUID, practiceID: UUID, telephonyCallID: String?, openedAt: Date, closedAt: Date?) {
        self.id = id
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
/// - time to answer: ringing → answered; handling time: answered → the journal call's closing; both in whole seconds
///   (the part of a second left over is dropped), as a phone system's call records count them;
/// - rings: the time to answer ÷ `ringLength` (5 s); answered before the 4th ring: a time to answer under 15 s.
public struct CallTrace: Sendable, Equatable {
    public static let ringLength: TimeInterval = 5
    public static let quickHangUp: TimeInterval = 5

    public enum Outcome: String, Sendable, Equatable {
        case answered, abandoned, quickHangUp, ringing
    }

    /// The phone system's id of the call; for a call opened by hand, its journal call's id.
    public let callID: String
    public let practiceID: UUID
    public let presentedAt: Date
    public let answeredAt: Date?
    public let endedAt: Date?
    public let closedAt: Date?
    public let byHand: Bool

    public init(callID: String, practiceID: UUID, presentedAt: Date, answeredAt: Date?, endedAt: Date?, closedAt: Date?, byHand: Bool) {
        self.callID = callID
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

    /// Ringing → answered, in whole seconds; none for a call opened by hand.
    public var timeToAnswer: TimeInterval? {
        guard !byHand, let answeredAt else { return nil }
        return Self.wholeSeconds(answeredAt.timeIntervalSince(presentedAt))
    }

    /// Answered → closed in the journal, in whole seconds.
    public var handlingTime: TimeInterval? {
        guard let answeredAt, let closedAt else { return nil }
        return Self.wholeSeconds(closedAt.timeIntervalSince(answeredAt))
    }

    static func wholeSeconds(_ interval: TimeInterval) -> TimeInterval { max(0, interval.rounded(.down)) }

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
            traces.append(CallTrace(callID: id, practiceID: sorted[0].practiceID, presentedAt: presented, answeredAt: first(.answered) ?? call?.openedAt,
                                    endedAt: first(.ended), closedAt: call?.closedAt, byHand: false))
        }
        for call in calls where call.telephonyCallID == nil {
            traces.append(CallTrace(callID: call.id.uuidString, practiceID: call.practiceID, presentedAt: call.openedAt, answeredAt: call.openedAt, endedAt: nil,
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
        self.init(counts: values.reduce(into: [:]) { counts, value in counts[value, default: 0] += 1 })
    }

    /// From each value and how many times it was seen (the figures read from the database come so, already counted).
    public init(counts: [Double: Int]) {
        let sorted = counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        count = sorted.reduce(0) { $0 + $1.value }
        total = sorted.reduce(0) { $0 + $1.key * Double($1.value) }
        mean = count == 0 ? nil : total / Double(count)
        median = Self.rank(sorted, count, 0.5)
        p90 = Self.rank(sorted, count, 0.9)
    }

    /// The nearest-rank percentile: the smallest value with at least `share` of the values at or under it.
    static func rank(_ sorted: [(key: Double, value: Int)], _ count: Int, _ share: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((share * Double(count)).rounded(.up)))
        var seen = 0
        for (value, times) in sorted {
            seen += times
            if seen >= rank { return value }
        }
        return sorted.last?.key
    }
}

/// Calls counted by outcome, with their times to answer and handling times counted by whole second: what the figures
/// of a period (or of one of its hours, days or months) are made from. Tallies add up: a month is the sum of its days.
public struct CallTally: Sendable, Equatable {
    public private(set) var outcomes: [CallTrace.Outcome: Int] = [:]
    public private(set) var byHand = 0
    /// Seconds → calls.
    public private(set) var waits: [Int: Int] = [:]
    public private(set) var handlings: [Int: Int] = [:]

    public init() {}

    public init(_ traces: [CallTrace]) {
        for trace in traces {
            add(trace.outcome, byHand: trace.byHand)
            if let wait = trace.timeToAnswer { add(wait: Int(wait)) }
            if let handling = trace.handlingTime { add(handling: Int(handling)) }
        }
    }

    public mutating func add(_ outcome: CallTrace.Outcome, byHand: Bool, count: Int = 1) {
        outcomes[outcome, default: 0] += count
        if byHand { self.byHand += count }
    }

    public mutating func add(wait seconds: Int, count: Int = 1) { waits[seconds, default: 0] += count }
    public mutating func add(handling seconds: Int, count: Int = 1) { handlings[seconds, default: 0] += count }

    public static func + (lhs: CallTally, rhs: CallTally) -> CallTally {
        var sum = lhs
        sum.outcomes.merge(rhs.outcomes, uniquingKeysWith: +)
        sum.byHand += rhs.byHand
        sum.waits.merge(rhs.waits, uniquingKeysWith: +)
        sum.handlings.merge(rhs.handlings, uniquingKeysWith: +)
        return sum
    }

    func count(_ outcome: CallTrace.Outcome) -> Int { outcomes[outcome] ?? 0 }
    var waitSummary: DurationSummary { DurationSummary(counts: Self.seconds(waits)) }
    var handlingSummary: DurationSummary { DurationSummary(counts: Self.seconds(handlings)) }

    static func seconds(_ counts: [Int: Int]) -> [Double: Int] {
        Dictionary(uniqueKeysWithValues: counts.map { (Double($0.key), $0.value) })
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

    public init(_ traces: [CallTrace]) { self.init(CallTally(traces)) }

    public init(_ tally: CallTally) {
        answered = tally.count(.answered)
        abandoned = tally.count(.abandoned)
        quickHangUps = tally.count(.quickHangUp)
        ringing = tally.count(.ringing)
        presented = answered + abandoned + quickHangUps + ringing
        answeredByHand = tally.byHand
        let counted = presented - quickHangUps - ringing
        answerRate = counted > 0 ? Double(answered) / Double(counted) : nil
        timeToAnswer = tally.waitSummary
        let beforeFourthRing = tally.waits.filter { Double($0.key) < 3 * CallTrace.ringLength }.reduce(0) { $0 + $1.value }
        answeredBeforeFourthRing = timeToAnswer.count == 0 ? nil : Double(beforeFourthRing) / Double(timeToAnswer.count)
        handlingTime = tally.handlingSummary
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
        var grid = Self.emptyGrid
        for trace in traces {
            let date = LocalDate(trace.presentedAt, in: zone)
            grid[date.isoWeekday - 1][WallClock.minutes(of: trace.presentedAt, in: zone) / 60] += 1
        }
        self.init(grid: grid, tally: CallTally(traces))
    }

    /// `grid[weekday - 1][hour]`: the calls presented; `tally`: the whole period's.
    public init(grid: [[Int]], tally: CallTally) {
        byWeekdayAndHour = grid
        timeToAnswer = Self.bands(tally.waits, Self.answerBands)
        handlingTime = Self.bands(tally.handlings, Self.handlingBands)
    }

    public static var emptyGrid: [[Int]] { Array(repeating: Array(repeating: 0, count: 24), count: 7) }

    static func bands(_ counts: [Int: Int], _ bounds: [Double]) -> [Int] {
        var bands = Array(repeating: 0, count: bounds.count + 1)
        for (value, count) in counts { bands[bounds.firstIndex { Double(value) < $0 } ?? bounds.count] += count }
        return bands
    }
}
