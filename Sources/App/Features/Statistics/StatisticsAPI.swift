import Domain
import Vapor

/// `GET /api/v1/statistics?practice=&from=&to=&granularity=hour|day|month`: the center's figures over a period
/// (the 30 days to today by day when not said), for one practice or, for a supervisor or an administrator, the whole
/// center. A practitioner sees her own practices only; a secretary none.
struct StatisticsAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("statistics", use: statistics)
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
