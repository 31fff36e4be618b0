import Domain
import Fluent
import Foundation
import Vapor

/// A practice's month, for the practice and for invoicing: calls presented and answered, the answer rate, the time to
/// answer, the minutes handled, the appointments the center made, moved and cancelled, the transmissions and how soon
/// they were acknowledged, the urgent calls by level. The same figures as `/api/v1/statistics` (the Domain's
/// definitions), for one practice and one calendar month; in JSON, in CSV and on a printable page.
struct MonthlyReport: Content {
    struct TransmissionLine: Content { let priority: String; let label: String; let sent: Int; let acknowledged: Int; let medianMinutes: Double? }
    struct LevelLine: Content { let level: Int; let name: String; let count: Int }

    let practiceId: UUID
    let practiceName: String
    let month: String
    let monthLabel: String
    let callsPresented: Int
    let callsAnswered: Int
    let callsAbandoned: Int
    let quickHangUps: Int
    let answerRate: Double?
    let medianSecondsToAnswer: Double?
    let answeredBeforeFourthRing: Double?
    let minutesHandled: Double
    let appointmentsBooked: Int
    let appointmentsMoved: Int
    let appointmentsCancelled: Int
    let transmissions: [TransmissionLine]
    let urgentCallsByLevel: [LevelLine]
    let patientMessages: PatientMessageFigures

    static func make(_ practice: AuthorizedPractice, name: String, month raw: String, now: Date, on db: any Database) async throws -> MonthlyReport {
        let period: StatisticsPeriod
        do { period = try StatisticsPeriod(month: raw) } catch {
            throw AppError.validation(error.list.map { FieldError(field: $0.field, reason: $0.reason) })
        }
        let figures = try await StatisticsStore.figures(period, practices: [practice.id], now: now, on: db)
        return MonthlyReport(
            practiceId: practice.id, practiceName: name, month: period.month, monthLabel: period.monthLabel,
            callsPresented: figures.calls.presented, callsAnswered: figures.calls.answered, callsAbandoned: figures.calls.abandoned,
            quickHangUps: figures.calls.quickHangUps, answerRate: figures.calls.answerRate, medianSecondsToAnswer: figures.calls.timeToAnswer.median,
            answeredBeforeFourthRing: figures.calls.answeredBeforeFourthRing, minutesHandled: (figures.calls.handlingTime.total / 60).rounded(),
            appointmentsBooked: figures.appointments.booked.center, appointmentsMoved: figures.appointments.moved.center,
            appointmentsCancelled: figures.appointments.cancelled.center,
            transmissions: TransmissionPriority.allCases.map { priority in
                let of = figures.transmissions.byPriority[priority.rawValue]
                return TransmissionLine(priority: priority.rawValue, label: priority.label, sent: of?.sent ?? 0, acknowledged: of?.acknowledged ?? 0,
                                        medianMinutes: of?.minutesToAcknowledgement.median)
            },
            urgentCallsByLevel: UrgencyLevel.allCases.map { LevelLine(level: $0.rawValue, name: $0.name, count: figures.triages.byLevel[$0.rawValue] ?? 0) },
            patientMessages: try await MessageFiguresStore.figures(period, practices: [practice.id], on: db))
    }

    /// The report's lines as they are read and printed: a label and its value, in French.
    var lines: [(label: String, value: String)] {
        var lines: [(String, String)] = [
            ("Appels présentés", String(callsPresented)),
            ("Appels répondus", String(callsAnswered)),
            ("Appels perdus (plus de 5 s)", String(callsAbandoned)),
            ("Raccrochés rapides (moins de 5 s)", String(quickHangUps)),
            ("Taux de réponse", FrenchFormat.percent(answerRate)),
            ("Délai de réponse médian", medianSecondsToAnswer.map { "\(FrenchFormat.number($0)) s" } ?? "—"),
            ("Répondus avant la 4e sonnerie", FrenchFormat.percent(answeredBeforeFourthRing)),
            ("Minutes traitées", FrenchFormat.number(minutesHandled)),
            ("Rendez-vous pris par le centre", String(appointmentsBooked)),
            ("Rendez-vous déplacés par le centre", String(appointmentsMoved)),
            ("Rendez-vous annulés par le centre", String(appointmentsCancelled)),
        ]
        for line in transmissions {
            lines.append(("Transmissions « \(line.label) » envoyées", String(line.sent)))
            lines.append(("Transmissions « \(line.label) » accusées", String(line.acknowledged)))
            lines.append(("Délai médian d'accusé « \(line.label) »", line.medianMinutes.map { "\(FrenchFormat.number($0)) min" } ?? "—"))
        }
        for level in urgentCallsByLevel { lines.append(("Évaluations niveau \(level.level) — \(level.name)", String(level.count))) }
        lines += patientMessages.lines
        return lines
    }

    /// The CSV for a spreadsheet in French: « ; » between the columns, a decimal comma, UTF-8 with its byte-order mark.
    var csv: String {
        let quoted = { (text: String) in "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var rows = ["\(quoted("Cabinet"));\(quoted(practiceName))", "\(quoted("Mois"));\(quoted(month))", "\(quoted("Indicateur"));\(quoted("Valeur"))"]
        rows += lines.map { "\(quoted($0.label));\(quoted($0.value))" }
        return "\u{FEFF}" + rows.joined(separator: "\r\n") + "\r\n"
    }

    /// The answer to a request that asked for CSV (`text/csv`), named for the practice and the month.
    func csvResponse(slug: String) -> Response {
        let response = Response(status: .ok, body: .init(string: csv))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"rapport-\(slug)-\(month).csv\"")
        return response
    }
}
