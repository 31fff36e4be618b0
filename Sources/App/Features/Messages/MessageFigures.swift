import Domain
import Fluent
import Foundation
import SQLKit

/// The patients' messages counted for a practice and a period (the monthly report, the statistics): reminders by
/// what became of them, cancellations through a link, and the no-show rate with and without a reminder handed over.
enum MessageFiguresStore {
    static func figures(_ period: StatisticsPeriod, practices: [UUID], on db: any Database) async throws -> PatientMessageFigures {
        let interval = period.interval(in: FrenchFormat.parisTimeZone)
        let sql = db as! any SQLDatabase
        let within = StatisticsStore.within(practices, "practice_id")
        struct StateRow: Decodable { let state: String; let n: Int }
        // Reminders by the moment they were due (their sending time), whatever became of them.
        let states = try await sql.raw("""
            SELECT state, COUNT(*) AS n FROM outbox_messages
            WHERE \(within) AND kind = 'reminder' AND next_attempt_at >= \(bind: interval.start) AND next_attempt_at < \(bind: interval.end)
            GROUP BY state
            """).all(decoding: StateRow.self)
        let count = Dictionary(states.map { ($0.state, $0.n) }, uniquingKeysWith: +)
        struct CountRow: Decodable { let n: Int }
        let links = try await sql.raw("""
            SELECT COUNT(*) AS n FROM appointment_links
            WHERE \(within) AND outcome = 'cancelled' AND used_at >= \(bind: interval.start) AND used_at < \(bind: interval.end)
            """).first(decoding: CountRow.self)?.n ?? 0
        // Each appointment of the period whose outcome is known, and whether a reminder of its time was handed over.
        struct OutcomeRow: Decodable { let status: String; let reminded: Int }
        let outcomes = try await sql.raw("""
            SELECT a.status AS status, CASE WHEN EXISTS (
                SELECT 1 FROM outbox_messages m WHERE m.appointment_id = a.id AND m.kind = 'reminder'
                AND m.state IN ('sent', 'delivered') AND m.appointment_start = a.starts_at) THEN 1 ELSE 0 END AS reminded
            FROM appointments a
            WHERE \(StatisticsStore.within(practices, "a.practice_id")) AND a.starts_at >= \(bind: interval.start) AND a.starts_at < \(bind: interval.end)
            AND a.status IN ('fulfilled', 'arrived', 'noshow')
            """).all(decoding: OutcomeRow.self)
        let attendance = PatientMessageFigures.attendance(outcomes.map { (noShow: $0.status == "noshow", reminded: $0.reminded == 1) })
        return PatientMessageFigures(remindersSent: (count["sent"] ?? 0) + (count["delivered"] ?? 0), remindersDelivered: count["delivered"] ?? 0,
                                     remindersFailed: count["failed"] ?? 0, linkCancellations: links,
                                     withReminder: attendance.with, withoutReminder: attendance.without)
    }
}

extension PatientMessageFigures {
    /// The figures as the statistics and the monthly report print them.
    var lines: [(String, String)] {
        func attendance(_ a: Attendance) -> String { "\(FrenchFormat.percent(a.noShowRate)) (\(a.noShows) sur \(a.appointments))" }
        return [
            ("Rappels envoyés aux patients", String(remindersSent)),
            ("Rappels remis (accusé de réception)", String(remindersDelivered)),
            ("Rappels en échec", String(remindersFailed)),
            ("Annulations par le lien du rappel", String(linkCancellations)),
            ("Absences (rendez-vous avec rappel)", attendance(withReminder)),
            ("Absences (rendez-vous sans rappel)", attendance(withoutReminder)),
        ]
    }
}
