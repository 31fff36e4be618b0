import Domain
import Fluent
import Foundation
import Vapor

/// The practice's waiting list.
extension AppointmentsController {
    struct WaitingPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let toCall: [WaitingRow]
        let waiting: [WaitingRow]
        let notice: String?
    }

    @Sendable func waitingList(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let names = try await PracticeStore.practitionerNames(of: practice, on: req.db)
        let rows = try await Self.waitingRows(try await AppointmentStore.waitingList(of: practice, state: nil, on: req.db), practice: practice, agenda: agenda,
                                              names: names, now: req.application.clock.now(), on: req.db)
        return try await req.view.render("appointments/waiting", WaitingPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name,
            toCall: rows.filter(\.toCall), waiting: rows.filter { !$0.toCall }, notice: AgendaController.string(req, "ok")))
    }

    struct CloseForm: Content { let etat: String }

    @Sendable func closeEntry(req: Request) async throws -> Response {
        let form = try req.content.decode(CloseForm.self)
        guard ["booked", "withdrawn"].contains(form.etat) else { throw AppError.invalid("etat", "booked ou withdrawn") }
        let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
        _ = try await AppointmentStore.closeWaitingListEntry(req.parameters.get("entryID").flatMap { UUID(fastString: $0) }, state: form.etat, in: ctx, on: req.db)
        let ok = (form.etat == "booked" ? "Inscription close : rendez-vous pris" : "Inscription retirée").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return req.redirect(to: SitePath.waitingList.link(ctx.practice.id, query: "ok=\(ok)"))
    }
}
