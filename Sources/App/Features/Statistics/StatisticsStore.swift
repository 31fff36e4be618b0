import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// The center's figures over a period, for some practices (or all): the raw facts read from the tables — telephony
/// events, the call journal, the appointments' journal entries, triages, transmissions, tasks — and counted by the
/// Domain's definitions (`CallFigures`, `AppointmentFigures`…), whole and cut into buckets (hour, day, month).
enum StatisticsStore {
    struct Bucket: Content {
        let bucket: String
        let presented: Int
        let answered: Int
        let abandoned: Int
        let quickHangUps: Int
        let answerRate: Double?
        let medianSecondsToAnswer: Double?
    }

    struct Figures: Content {
        let from: String
        let to: String
        let granularity: String
        /// The practices counted (every practice of the center when none was named).
        let practices: [UUID]
        let calls: CallFigures
        let distribution: CallDistribution
        let appointments: AppointmentFigures
        let triages: TriageFigures
        let transmissions: TransmissionFigures
        let tasks: TaskFigures
        let series: [Bucket]
    }

    static func figures(_ period: StatisticsPeriod, practices: [UUID], now: Date, on db: any Database) async throws -> Figures {
        let zone = FrenchFormat.parisTimeZone
        let interval = period.interval(in: zone)
        let sql = db as! any SQLDatabase
        func within(_ column: String = "practice_id") -> SQLQueryString { Self.within(practices, column) }
        let (start, end) = (interval.start, interval.end)
        let calls = try await tallies(period, practices: practices, on: sql)

        // Counted by author account, then each account's role read once (a join would look up the account of every row).
        struct KindRow: Decodable { let kind: String; let actor_id: UUID?; let n: Int }
        let kinds = try await sql.raw("""
            SELECT kind, actor_id, COUNT(*) AS n FROM appointment_changes
            WHERE \(within()) AND occurred_at >= \(bind: start) AND occurred_at < \(bind: end) AND kind <> 'cancelled'
            GROUP BY kind, actor_id
            """).all(decoding: KindRow.self)
        struct CancellationRow: Decodable { let occurred_at: Date; let slot_start: Date; let actor_id: UUID? }
        let cancelled = try await sql.raw("""
            SELECT occurred_at, slot_start, actor_id FROM appointment_changes
            WHERE \(within()) AND occurred_at >= \(bind: start) AND occurred_at < \(bind: end) AND kind = 'cancelled'
            """).all(decoding: CancellationRow.self)
        let roles = try await Self.roles(of: Set(kinds.compactMap(\.actor_id) + cancelled.compactMap(\.actor_id)), on: sql)
        var counts: [AppointmentChangeFact.Kind: [AppointmentChangeFact.Author: Int]] = [:]
        for row in kinds {
            guard let kind = AppointmentChangeFact.Kind(rawValue: row.kind) else { continue }
            counts[kind, default: [:]][author(row.actor_id.flatMap { roles[$0] }), default: 0] += row.n
        }
        let cancellations = cancelled.map {
            AppointmentChangeFact(kind: .cancelled, at: $0.occurred_at, author: author($0.actor_id.flatMap { roles[$0] }), slotStart: $0.slot_start)
        }
        for cancellation in cancellations { counts[.cancelled, default: [:]][cancellation.author, default: 0] += 1 }
        struct StatusRow: Decodable { let status: String; let n: Int }
        let statuses = try await sql.raw("""
            SELECT status, COUNT(*) AS n FROM appointments
            WHERE \(within()) AND starts_at >= \(bind: start) AND starts_at < \(bind: end) AND ends_at <= \(bind: now) GROUP BY status
            """).all(decoding: StatusRow.self).reduce(into: [AppointmentStatus: Int]()) { statuses, row in
                if let status = AppointmentStatus(rawValue: row.status) { statuses[status, default: 0] += row.n }
            }

        struct TriageRow: Decodable { let computed_level: Int; let final_level: Int; let orientation: String; let n: Int }
        let triages = try await sql.raw("""
            SELECT computed_level, final_level, orientation, COUNT(*) AS n FROM triage_evaluations
            WHERE \(within()) AND created_at >= \(bind: start) AND created_at < \(bind: end) GROUP BY computed_level, final_level, orientation
            """).all(decoding: TriageRow.self).flatMap { row -> [TriageFact] in
                guard let computed = UrgencyLevel(rawValue: row.computed_level), let final = UrgencyLevel(rawValue: row.final_level) else { return [] }
                return Array(repeating: TriageFact(computedLevel: computed, finalLevel: final, orientation: row.orientation), count: row.n)
            }
        struct TransmissionRow: Decodable { let priority: String; let sent_at: Date; let acknowledged_at: Date?; let escalation_step: Int }
        let transmissions = try await sql.raw("""
            SELECT priority, sent_at, acknowledged_at, escalation_step FROM transmissions
            WHERE \(within()) AND sent_at >= \(bind: start) AND sent_at < \(bind: end)
            """).all(decoding: TransmissionRow.self).map {
                TransmissionFact(priority: TransmissionPriority(rawValue: $0.priority) ?? .normal, sentAt: $0.sent_at, acknowledgedAt: $0.acknowledged_at,
                                 escalationStep: $0.escalation_step)
            }
        struct TaskRow: Decodable { let due_at: Date?; let closed_at: Date? }
        let tasks = try await sql.raw("""
            SELECT due_at, closed_at FROM tasks WHERE \(within()) AND created_at >= \(bind: start) AND created_at < \(bind: end)
            """).all(decoding: TaskRow.self).map { TaskFact(dueAt: $0.due_at, closedAt: $0.closed_at) }

        let series = period.buckets.map { bucket in
            let figures = CallFigures(calls.byBucket[bucket] ?? CallTally())
            return Bucket(bucket: bucket, presented: figures.presented, answered: figures.answered, abandoned: figures.abandoned,
                          quickHangUps: figures.quickHangUps, answerRate: figures.answerRate, medianSecondsToAnswer: figures.timeToAnswer.median)
        }
        return Figures(from: period.from.description, to: period.to.description, granularity: period.granularity.rawValue, practices: practices,
                       calls: CallFigures(calls.whole), distribution: CallDistribution(grid: calls.grid, tally: calls.whole),
                       appointments: AppointmentFigures(counts: counts, cancellations: cancellations, statuses: statuses),
                       triages: TriageFigures(triages), transmissions: TransmissionFigures(transmissions), tasks: TaskFigures(tasks, now: now),
                       series: series)
    }

    /// The role of each of these accounts.
    static func roles(of accounts: Set<UUID>, on sql: any SQLDatabase) async throws -> [UUID: String] {
        guard !accounts.isEmpty else { return [:] }
        struct Row: Decodable { let id: UUID; let role: String }
        return Dictionary(try await sql.raw("SELECT id, CAST(role AS TEXT) AS role FROM users WHERE id IN (\(binds: Array(accounts)))")
            .all(decoding: Row.self).map { ($0.id, $0.role) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whose change it was, from the role of its author's account: the center (a secretary or supervisor), the
    /// practice (a practitioner) or other (the system, an integration, an administrator).
    static func author(_ role: String?) -> AppointmentChangeFact.Author {
        switch role.flatMap(Role.init(rawValue:)) {
        case .secretary, .supervisor: .center
        case .practitioner: .practice
        default: .other
        }
    }

    /// The calls presented in the period, from their traces: tallied whole, by the period's buckets, and counted by
    /// weekday and hour — three grouped reads of `call_traces`.
    struct CallTallies {
        var whole = CallTally()
        var byBucket: [String: CallTally] = [:]
        var grid = CallDistribution.emptyGrid
    }

    static func tallies(_ period: StatisticsPeriod, practices: [UUID], on sql: any SQLDatabase) async throws -> CallTallies {
        let days: SQLQueryString = "\(within(practices)) AND local_date >= \(bind: period.from.description) AND local_date <= \(bind: period.to.description)"
        // The buckets' columns: an hour needs its day and hour, a day its day, a month the first 7 letters of its day.
        let key: SQLQueryString = switch period.granularity {
        case .hour: "local_date AS d, local_hour AS h"
        case .day: "local_date AS d, 0 AS h"
        case .month: "substr(local_date, 1, 7) AS d, 0 AS h"
        }
        let group: SQLQueryString = switch period.granularity {
        case .hour: "local_date, local_hour"
        case .day: "local_date"
        case .month: "substr(local_date, 1, 7)"
        }
        func bucket(_ d: String, _ h: Int) -> String {
            LocalDate(iso: d).map { period.bucket(day: $0, hour: h) } ?? d
        }
        var tallies = CallTallies()
        struct OutcomeRow: Decodable { let local_date: String; let local_hour: Int; let outcome: String; let by_hand: Bool; let n: Int }
        for row in try await sql.raw("""
            SELECT local_date, local_hour, outcome, by_hand, COUNT(*) AS n FROM call_traces WHERE \(days)
            GROUP BY local_date, local_hour, outcome, by_hand
            """).all(decoding: OutcomeRow.self) {
            guard let outcome = CallTrace.Outcome(rawValue: row.outcome), let day = LocalDate(iso: row.local_date) else { continue }
            tallies.byBucket[period.bucket(day: day, hour: row.local_hour), default: CallTally()].add(outcome, byHand: row.by_hand, count: row.n)
            tallies.grid[day.isoWeekday - 1][row.local_hour] += row.n
        }
        struct WaitRow: Decodable { let d: String; let h: Int; let s: Int; let n: Int }
        for row in try await sql.raw("""
            SELECT \(key), wait_seconds AS s, COUNT(*) AS n FROM call_traces WHERE \(days) AND wait_seconds IS NOT NULL
            GROUP BY \(group), wait_seconds
            """).all(decoding: WaitRow.self) {
            tallies.byBucket[bucket(row.d, row.h), default: CallTally()].add(wait: row.s, count: row.n)
        }
        tallies.whole = tallies.byBucket.values.reduce(CallTally(), +)
        struct HandlingRow: Decodable { let s: Int; let n: Int }
        for row in try await sql.raw("""
            SELECT handling_seconds AS s, COUNT(*) AS n FROM call_traces WHERE \(days) AND handling_seconds IS NOT NULL GROUP BY handling_seconds
            """).all(decoding: HandlingRow.self) {
            tallies.whole.add(handling: row.s, count: row.n)
        }
        return tallies
    }

    /// Each practice's calls of `day` tallied (outcomes and times to answer): the live board's figures of the day.
    static func tallies(of day: LocalDate, on sql: any SQLDatabase) async throws -> [UUID: CallTally] {
        var tallies: [UUID: CallTally] = [:]
        struct OutcomeRow: Decodable { let practice_id: UUID; let outcome: String; let by_hand: Bool; let n: Int }
        for row in try await sql.raw("""
            SELECT practice_id, outcome, by_hand, COUNT(*) AS n FROM call_traces WHERE local_date = \(bind: day.description)
            GROUP BY practice_id, outcome, by_hand
            """).all(decoding: OutcomeRow.self) {
            guard let outcome = CallTrace.Outcome(rawValue: row.outcome) else { continue }
            tallies[row.practice_id, default: CallTally()].add(outcome, byHand: row.by_hand, count: row.n)
        }
        struct WaitRow: Decodable { let practice_id: UUID; let s: Int; let n: Int }
        for row in try await sql.raw("""
            SELECT practice_id, wait_seconds AS s, COUNT(*) AS n FROM call_traces WHERE local_date = \(bind: day.description)
              AND wait_seconds IS NOT NULL GROUP BY practice_id, wait_seconds
            """).all(decoding: WaitRow.self) {
            tallies[row.practice_id, default: CallTally()].add(wait: row.s, count: row.n)
        }
        return tallies
    }

    /// The practices named, else every one: the condition on a table's practice column.
    static func within(_ practices: [UUID], _ column: String = "practice_id") -> SQLQueryString {
        practices.isEmpty ? "1 = 1" : "\(unsafeRaw: column) IN (\(binds: practices))"
    }
}
