import Domain
import Vapor

/// `/cabinets/{id}/rapports/{AAAA-MM}`: a practice's monthly report on a page that prints on A4, and its CSV; for
/// supervisors, administrators and the practice's practitioners.
struct ReportsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.monthlyReport, use: page)
        routes.get(.monthlyReportCSV, use: csv)
    }

    struct Page: Encodable {
        /// None in the file the command writes.
        let layout: PracticesController.Layout?
        let practiceID: UUID
        let report: MonthlyReport
        let lines: [Line]
        let previousMonth: String
        let nextMonth: String?
        let inlineStyle: String?
    }

    struct Line: Encodable { let label: String; let value: String }

    @Sendable func page(req: Request) async throws -> View {
        let (principal, report, _) = try await Self.report(req)
        return try await req.view.render("reports/monthly", Self.page(report, layout: .init(principal)))
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let (_, report, slug) = try await Self.report(req)
        return report.csvResponse(slug: slug)
    }

    static func page(_ report: MonthlyReport, layout: PracticesController.Layout?, inlineStyle: String? = nil) -> Page {
        let period = try? StatisticsPeriod(month: report.month)
        let previous = period.map { StatisticsPeriod.previousMonth(of: $0.from) } ?? report.month
        let next = period.map { String($0.to.adding(days: 1).description.prefix(7)) }
        return Page(layout: layout, practiceID: report.practiceId, report: report, lines: report.lines.map { Line(label: $0.label, value: $0.value) },
                    previousMonth: previous, nextMonth: next, inlineStyle: inlineStyle)
    }

    static func report(_ req: Request) async throws -> (Principal, MonthlyReport, String) {
        // Another practice is as if it did not exist (404) whatever the role; then the role (403).
        let practice = try await req.authorizePracticeParameter()
        let principal = try req.require(.viewStatistics)
        let record = try await PracticeStore.practice(practice, on: req.db)
        let report = try await MonthlyReport.make(practice, name: record.name, month: req.parameters.get("month") ?? "",
                                                  now: req.application.clock.now(), on: req.db)
        return (principal, report, record.slug)
    }
}
