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

    /// A call ringing near the end of the period is answered or closed after it: its events are read this much past.
    static let lateEvents: TimeInterval = 3 * 3600

    static func figures(_ period: StatisticsPeriod, practices: [UUID], now: Date, on db: any Database) async throws -> Figures {
        let zone = FrenchFormat.parisTimeZone
        let interval = period.interval(in: zone)
        let sql = db as! any SQLDatabase
        func within(_ column: String = "practice_id") -> SQLQueryString { Self.within(practices, column) }
        let (start, end) = (interval.start, interval.end)
        let traces = try await Self.traces(in: interval, practices: practices, on: sql)

        let changes = try await appointmentChanges(within: within("e.practice_id"), start: start, end: end, on: sql)
        struct StatusRow: Decodable { let status: String }
        let statuses = try await sql.raw("""
            SELECT status FROM appointments WHERE \(within()) AND starts_at >= \(bind: start) AND starts_at < \(bind: end) AND ends_at <= \(bind: now)
            """).all(decoding: StatusRow.self).compactMap { AppointmentStatus(rawValue: $0.status) }

        struct TriageRow: Decodable { let computed_level: Int; let final_level: Int; let orientation: String }
        let triages = try await sql.raw("""
            SELECT computed_level, final_level, orientation FROM triage_evaluations
            WHERE \(within()) AND created_at >= \(bind: start) AND created_at < \(bind: end)
            """).all(decoding: TriageRow.self).compactMap { row -> TriageFact? in
                guard let computed = UrgencyLevel(rawValue: row.computed_level), let final = UrgencyLevel(rawValue: row.final_level) else { return nil }
                return TriageFact(computedLevel: computed, finalLevel: final, orientation: row.orientation)
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

        let byBucket = Dictionary(grouping: traces) { period.bucket(of: $0.presentedAt, in: zone) }
        let series = period.buckets.map { bucket in
            let figures = CallFigures(byBucket[bucket] ?? [])
            return Bucket(bucket: bucket, presented: figures.presented, answered: figures.answered, abandoned: figures.abandoned,
                          quickHangUps: figures.quickHangUps, answerRate: figures.answerRate, medianSecondsToAnswer: figures.timeToAnswer.median)
        }
        return Figures(from: period.from.description, to: period.to.description, granularity: period.granularity.rawValue, practices: practices,
                       calls: CallFigures(traces), distribution: CallDistribution(traces, in: zone), appointments: AppointmentFigures(changes: changes, statuses: statuses),
                       triages: TriageFigures(triages), transmissions: TransmissionFigures(transmissions), tasks: TaskFigures(tasks, now: now),
                       series: series)
    }

    /// The practices named, else every one: the condition on a table's practice column.
    static func within(_ practices: [UUID], _ column: String = "practice_id") -> SQLQueryString {
        practices.isEmpty ? "1 = 1" : "\(unsafeRaw: column) IN (\(binds: practices))"
    }

    /// The calls presented in `interval` (of these practices, or all), from their events and the journal calls opened
    /// from them or by hand; their later events (answered, ended, closed) read up to `lateEvents` past the end.
    static func traces(in interval: DateInterval, practices: [UUID], on sql: any SQLDatabase) async throws -> [CallTrace] {
        let (start, late) = (interval.start, interval.end.addingTimeInterval(lateEvents))
        struct EventRow: Decodable { let provider_call_id: String; let kind: String; let received_at: Date; let practice_id: UUID }
        let events = try await sql.raw("""
            SELECT provider_call_id, kind, received_at, practice_id FROM telephony_events
            WHERE \(within(practices)) AND received_at >= \(bind: start) AND received_at < \(bind: late)
            """).all(decoding: EventRow.self).compactMap { row in
                TelephonyEventKind(rawValue: row.kind).map { TelephonyFact(providerCallID: row.provider_call_id, kind: $0, at: row.received_at, practiceID: row.practice_id) }
            }
        struct CallRow: Decodable { let practice_id: UUID; let telephony_call_id: String?; let opened_at: Date; let closed_at: Date? }
        let calls = try await sql.raw("""
            SELECT practice_id, telephony_call_id, opened_at, closed_at FROM calls
            WHERE \(within(practices)) AND opened_at >= \(bind: start) AND opened_at < \(bind: late)
            """).all(decoding: CallRow.self).map {
                JournalCallFact(practiceID: $0.practice_id, telephonyCallID: $0.telephony_call_id, openedAt: $0.opened_at, closedAt: $0.closed_at)
            }
        return CallTrace.traces(events: events, calls: calls).filter { interval.start <= $0.presentedAt && $0.presentedAt < interval.end }
    }

    /// The appointments' bookings, moves and cancellations of the period, from their journal entries: a creation is a
    /// booking; a change of start a move; a change of status to cancelled a cancellation. The author is the center
    /// (a secretary or supervisor), the practice (a practitioner) or other (the system, an integration, an
    /// administrator).
    static func appointmentChanges(within: SQLQueryString, start: Date, end: Date, on sql: any SQLDatabase) async throws -> [AppointmentChangeFact] {
        struct Row: Decodable { let action: String; let occurred_at: Date; let before: String?; let after: String?; let role: String? }
        let rows = try await sql.raw("""
            SELECT e.action, e.occurred_at, e.before, e.after, CAST(u.role AS TEXT) AS role FROM audit_entries e
            LEFT JOIN users u ON u.id = e.actor_id
            WHERE e.entity = 'appointment' AND e.action IN ('create', 'update') AND e.occurred_at >= \(bind: start) AND e.occurred_at < \(bind: end)
              AND \(within)
            """).all(decoding: Row.self)
        return rows.compactMap { row -> AppointmentChangeFact? in
            let after = row.after.flatMap { try? Journal.decoder.decode(AppointmentSnapshot.self, from: Data($0.utf8)) }
            let before = row.before.flatMap { try? Journal.decoder.decode(AppointmentSnapshot.self, from: Data($0.utf8)) }
            let author: AppointmentChangeFact.Author = switch row.role.flatMap(Role.init(rawValue:)) {
            case .secretary, .supervisor: .center
            case .practitioner: .practice
            default: .other
            }
            if row.action == AuditAction.create.rawValue, let after {
                return AppointmentChangeFact(kind: .booked, at: row.occurred_at, author: author, slotStart: after.start)
            }
            guard let before, let after else { return nil }
            if after.status == AppointmentStatus.cancelled.rawValue && before.status != AppointmentStatus.cancelled.rawValue {
                return AppointmentChangeFact(kind: .cancelled, at: row.occurred_at, author: author, slotStart: before.start)
            }
            if after.start != before.start { return AppointmentChangeFact(kind: .moved, at: row.occurred_at, author: author, slotStart: before.start) }
            return nil
        }
    }
}
