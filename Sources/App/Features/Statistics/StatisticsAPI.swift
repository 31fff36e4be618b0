import Domain
import Vapor

/// `GET /api/v1/statistics?practice=&from=&to=&granularity=hour|day|month`: the center's figures over a period
/// (the 30 days to today by day when not said), for one practice or, for a supervisor or an administrator, the whole
/// center. A practitioner sees her own practices only; a secretary none.
struct StatisticsAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("statistics", use: statistics)
        routes.get("practices", ":practiceID", "reports", ":month", use: report)
    }

    /// `GET /api/v1/practices/{id}/reports/{YYYY-MM}`: the practice's monthly report, in JSON, or in CSV when the
    /// request accepts `text/csv` and not JSON.
    @Sendable func report(req: Request) async throws -> Response {
        let (_, report, slug) = try await ReportsController.report(req)
        let accepted = req.headers.accept.mediaTypes
        if accepted.contains(where: { $0.type == "text" && $0.subType == "csv" }) && !accepted.contains(.json) {
            return report.csvResponse(slug: slug)
        }
        return try await report.encodeResponse(for: req)
    }

    @Sendable func statistics(req: Request) async throws -> StatisticsStore.Figures {
        let principal = try req.require(.viewStatistics)
        let period: StatisticsPeriod
        var problems: [FieldError] = []
        var practice: UUID?
        if let raw = req.query[String.self, at: "practice"], !raw.isEmpty {
            practice = UUID(fastString: raw)
            if practice == nil { problems.append(FieldError(field: "practice", reason: "identifiant de cabinet attendu")) }
        }
        do {
            period = try StatisticsPeriod(from: req.query[String.self, at: "from"], to: req.query[String.self, at: "to"],
                                          granularity: req.query[String.self, at: "granularity"], today: req.parisToday)
        } catch {
            throw AppError.validation(problems + error.list.map { FieldError(field: $0.field, reason: $0.reason) })
        }
        guard problems.isEmpty else { throw AppError.validation(problems) }
        let practices: [UUID]
        if let practice {
            practices = [try await req.authorize(practice: practice).id]
        } else if principal.role.seesEveryPractice {
            practices = []
        } else {
            // A practitioner's figures are those of her own practices (none: nothing to show, never the center's).
            practices = principal.assignedPractices.sorted { $0.uuidString < $1.uuidString }
            guard !practices.isEmpty else { throw AppError.forbiddenBecause("aucun cabinet n'est rattaché à ce compte") }
        }
        return try await StatisticsStore.figures(period, practices: practices, now: req.application.clock.now(), on: req.db)
    }
}
