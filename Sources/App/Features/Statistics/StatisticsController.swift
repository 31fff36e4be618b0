import Domain
import Vapor

/// `/statistiques?cabinet=&du=&au=&par=heure|jour|mois`: the figures of a period for a practice or the whole center,
/// with their charts drawn as SVG on the server (no script) and each chart's data in a table beside it. Supervisors
/// and administrators see any practice or the center; practitioners their own practices; secretaries none.
struct StatisticsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.statistics, use: page)
    }

    struct Chart: Encodable {
        let id: String
        let title: String
        let svg: String
        let head: [String]
        let rows: [[String]]
    }

    struct Page: Encodable {
        let layout: PracticesController.Layout
        let practices: [Choice]
        let wholeCenter: Bool
        let from: String
        let to: String
        let granularities: [Choice]
        let errors: [FormFault]
        let summary: [ReportsController.Line]
        let charts: [Chart]
        let reportLink: String?
    }

    /// The form's words for the period's fields.
    static let fields = ["from": "du", "to": "au", "granularity": "par", "practice": "cabinet"]
    static let granularities: [(value: String, label: String, raw: StatisticsPeriod.Granularity)] = [("heure", "Heure", .hour), ("jour", "Jour", .day), ("mois", "Mois", .month)]

    @Sendable func page(req: Request) async throws -> Response {
        let principal = try req.require(.viewStatistics)
        let visible = try await PracticeStore.visible(to: principal, on: req.db)
        let wanted = AgendaController.string(req, "cabinet")
        let chosen = wanted.flatMap { raw in visible.first { $0.id?.uuidString == raw.uppercased() } }
        var errors: [FieldError] = []
        if let wanted, !wanted.isEmpty, chosen == nil { errors.append(FieldError(field: "cabinet", reason: "un de vos cabinets attendu")) }
        // A practitioner's figures are those of one of her practices; a supervisor may ask for the whole center.
        let practice = chosen ?? (principal.role.seesEveryPractice ? nil : visible.first)
        let by = AgendaController.string(req, "par") ?? "jour"
        let granularity = Self.granularities.first { $0.value == by }?.raw.rawValue ?? by
        var period: StatisticsPeriod?
        do {
            period = try StatisticsPeriod(from: AgendaController.string(req, "du"), to: AgendaController.string(req, "au"),
                                          granularity: granularity, today: req.parisToday)
        } catch {
            errors += error.list.map { FieldError(field: Self.fields[$0.field] ?? $0.field, reason: $0.reason) }
        }
        var summary: [ReportsController.Line] = [], charts: [Chart] = []
        if errors.isEmpty, let period {
            if practice == nil && !principal.role.seesEveryPractice { throw AppError.forbiddenBecause("aucun cabinet n'est rattaché à ce compte") }
            let figures = try await StatisticsStore.figures(period, practices: practice.map { [$0.id!] } ?? [], now: req.application.clock.now(), on: req.db)
            (summary, charts) = Self.present(figures)
            let messages = try await MessageFiguresStore.figures(period, practices: practice.map { [$0.id!] } ?? [], on: req.db)
            summary += messages.lines.map { ReportsController.Line(label: $0.0, value: $0.1) }
        }
        let view = try await req.view.render("statistics/page", Page(
            layout: .init(principal),
            practices: visible.map { Choice(value: $0.id!.uuidString, label: $0.name, selected: $0.id == practice?.id) },
            wholeCenter: principal.role.seesEveryPractice,
            from: period?.from.description ?? AgendaController.string(req, "du") ?? "",
            to: period?.to.description ?? AgendaController.string(req, "au") ?? "",
            granularities: Self.granularities.map { Choice(value: $0.value, label: $0.label, selected: $0.raw == period?.granularity ?? .day) },
            errors: FormRefusal.faults(errors, labels: ["du": "Du", "au": "Au", "par": "Par", "cabinet": "Cabinet"]),
            summary: summary, charts: charts,
            reportLink: practice.map { SitePath.monthlyReport.link($0.id!, StatisticsPeriod.previousMonth(of: req.parisToday)) }))
        let response = try await view.encodeResponse(for: req)
        if !errors.isEmpty { response.status = .unprocessableEntity }
        return response
    }

    static let weekdays = ["Lun", "Mar", "Mer", "Jeu", "Ven", "Sam", "Dim"]

    /// The figures as the page reads them: the summary lines, then each chart with its table.
    static func present(_ figures: StatisticsStore.Figures) -> ([ReportsController.Line], [Chart]) {
        let calls = figures.calls
        let summary: [(String, String)] = [
            ("Appels présentés", String(calls.presented)), ("Appels répondus", String(calls.answered)),
            ("dont ouverts à la main", String(calls.answeredByHand)), ("Appels perdus (plus de 5 s)", String(calls.abandoned)),
            ("Raccrochés rapides (moins de 5 s)", String(calls.quickHangUps)), ("Taux de réponse", FrenchFormat.percent(calls.answerRate)),
            ("Répondus avant la 4e sonnerie", FrenchFormat.percent(calls.answeredBeforeFourthRing)),
            ("Délai de réponse médian", FrenchFormat.seconds(calls.timeToAnswer.median)), ("Délai de réponse (9 appels sur 10 sous)", FrenchFormat.seconds(calls.timeToAnswer.p90)),
            ("Durée de traitement médiane", FrenchFormat.seconds(calls.handlingTime.median)),
            ("Rendez-vous pris / déplacés / annulés par le centre",
             "\(figures.appointments.booked.center) / \(figures.appointments.moved.center) / \(figures.appointments.cancelled.center)"),
            ("Absences non excusées", FrenchFormat.percent(figures.appointments.noShowRate)),
            ("Tâches faites à temps", FrenchFormat.percent(figures.tasks.onTimeRate)),
        ]
        var charts: [Chart] = []
        let series = figures.series
        charts.append(Chart(
            id: "volume", title: "Appels présentés par \(["hour": "heure", "day": "jour", "month": "mois"][figures.granularity] ?? "période")",
            svg: SVGChart.bars(series.map { SVGChart.Bar(label: Self.short($0.bucket), value: Double($0.presented), text: String($0.presented)) },
                               id: "volume", title: "Appels présentés", labelEvery: max(1, series.count / 12)),
            head: ["Période", "Présentés", "Répondus", "Perdus", "Taux de réponse", "Délai médian"],
            rows: series.map { [$0.bucket, String($0.presented), String($0.answered), String($0.abandoned), FrenchFormat.percent($0.answerRate), FrenchFormat.seconds($0.medianSecondsToAnswer)] }))
        let hours = (0..<24).map { String(format: "%02d h", $0) }
        let grid = figures.distribution.byWeekdayAndHour
        // The table keeps the hours with at least one call.
        let shown = hours.indices.filter { hour in grid.contains { $0[hour] > 0 } }
        charts.append(Chart(
            id: "heures", title: "Appels présentés par jour de la semaine et par heure",
            svg: SVGChart.heatMap(grid, rows: weekdays, columns: hours.map { String($0.prefix(2)) }, id: "heures",
                                  title: "Appels par jour de la semaine et par heure"),
            head: ["Jour"] + shown.map { hours[$0] },
            rows: weekdays.indices.map { day in [weekdays[day]] + shown.map { String(grid[day][$0]) } }))
        let answerBands = ["< 5 s", "5–10 s", "10–15 s", "15–30 s", "30–60 s", "≥ 60 s"]
        charts.append(band(id: "delai", title: "Délai de réponse", labels: answerBands, counts: figures.distribution.timeToAnswer))
        charts.append(band(id: "traitement", title: "Durée de traitement", labels: ["< 1 min", "1–2 min", "2–5 min", "5–10 min", "≥ 10 min"],
                           counts: figures.distribution.handlingTime))
        let colours = ["#b3261e", "#b54708", "#8a6100", "#1f5fa8", "#5f6b7a"]
        let levels = UrgencyLevel.allCases.map { ($0, figures.triages.byLevel[$0.rawValue] ?? 0) }
        charts.append(Chart(
            id: "niveaux", title: "Évaluations de l'urgence par niveau",
            svg: SVGChart.bars(levels.map { SVGChart.Bar(label: "Niveau \($0.0.rawValue)", value: Double($0.1), text: String($0.1), colour: colours[$0.0.rawValue - 1]) },
                               id: "niveaux", title: "Évaluations par niveau"),
            head: ["Niveau", "Évaluations"], rows: levels.map { ["\($0.0.rawValue) — \($0.0.name)", String($0.1)] }))
        return (summary.map { ReportsController.Line(label: $0.0, value: $0.1) }, charts)
    }

    static func band(id: String, title: String, labels: [String], counts: [Int]) -> Chart {
        Chart(id: id, title: title,
              svg: SVGChart.bars(zip(labels, counts).map { SVGChart.Bar(label: $0.0, value: Double($0.1), text: String($0.1)) }, id: id, title: title),
              head: ["Tranche", "Appels"], rows: zip(labels, counts).map { [$0.0, String($0.1)] })
    }

    /// « 2026-11-24T09 » → « 9 h », « 2026-11-24 » → « 24/11 », « 2026-11 » → « 11/2026 ».
    static func short(_ bucket: String) -> String {
        if let hour = bucket.split(separator: "T").dropFirst().first { return "\(Int(hour) ?? 0) h" }
        let parts = bucket.split(separator: "-")
        return parts.count == 3 ? "\(parts[2])/\(parts[1])" : parts.count == 2 ? "\(parts[1])/\(parts[0])" : bucket
    }
}
