import Domain
import Fluent
import Foundation
import Vapor

/// `/portail`: the practitioner's own page: her day (and the way to her week), her absences to come and a form to add
/// one, the transmissions waiting for her (live), and her practice's sheet and triage criteria to edit.
struct PortalController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.portal, use: portal)
    }

    struct PracticeTab: Encodable { let id: UUID; let name: String; let selected: Bool }

    struct Page: Encodable {
        let layout: PracticesController.Layout
        let practitionerName: String
        /// Her practices; one is shown at a time (`?cabinet=`).
        let practices: [PracticeTab]
        let practiceID: UUID
        let practiceName: String
        let practitionerID: UUID
        let weekLink: String
        let day: AgendaDay
        let absences: [String]
        let today: String
        let notice: String?
        /// Her practice's report of the month gone by.
        let reportMonth: String
    }

    @Sendable func portal(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        guard principal.role == .practitioner, let practitionerID = principal.practitionerID else {
            throw AppError.forbiddenBecause("le portail est celui des praticiens")
        }
        let now = req.application.clock.now()
        var mine: [(practice: PracticeRecord, authorized: AuthorizedPractice, name: String)] = []
        for practice in try await PracticeStore.visible(to: principal, on: req.db) {
            let authorized = try await req.authorize(practice: practice.id!)
            if let me = try await PracticeStore.practitioners(of: authorized, on: req.db).first(where: { $0.id == practitionerID }) {
                mine.append((practice, authorized, me.displayName))
            }
        }
        let wanted = AgendaController.uuid(req, "cabinet")
        guard let shown = mine.first(where: { $0.authorized.id == wanted }) ?? mine.first else {
            throw AppError.notFound(what: "Cabinet")
        }
        let zone = TimeZone(identifier: shown.practice.timeZone) ?? FrenchFormat.parisTimeZone
        let day = try await AgendaDay.make(req, practice: shown.authorized, date: try AgendaDay.requested(req),
                                           only: [practitionerID], page: SitePath.portal.link(query: "cabinet=\(shown.authorized.id)"))
        let absences = try await AgendaStore.exceptions(of: shown.authorized, on: req.db)
            .filter { $0.$practitioner.id == practitionerID && $0.kind == "absence" && $0.endsAt > now }
            .map { "du \(FrenchFormat.shortDate($0.startsAt, in: zone)) \(FrenchFormat.time($0.startsAt, in: zone)) au \(FrenchFormat.shortDate($0.endsAt, in: zone)) \(FrenchFormat.time($0.endsAt, in: zone))" + ($0.reason.isEmpty ? "" : " — \($0.reason)") }
        return try await req.view.render("portal/portal", Page(
            layout: .init(principal), practitionerName: shown.name,
            practices: mine.map { PracticeTab(id: $0.authorized.id, name: $0.practice.name, selected: $0.authorized.id == shown.authorized.id) },
            practiceID: shown.authorized.id, practiceName: shown.practice.name, practitionerID: practitionerID,
            weekLink: SitePath.agenda.link(shown.authorized.id, query: "praticien=\(practitionerID)"), day: day, absences: absences,
            today: LocalDate(now, in: zone).description, notice: AgendaController.string(req, "ok"),
            reportMonth: StatisticsPeriod.previousMonth(of: LocalDate(now, in: zone))))
    }
}
