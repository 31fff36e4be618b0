import Domain
import Fluent
import Foundation
import Vapor

/// A practice's practitioners as the center reaches them: their numbers and the address of the escalation notices, for
/// the center only (never read to a patient). Everyone who answers for the practice sees them; practitioners,
/// supervisors and administrators change them.
struct PractitionersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.practitioners, use: list)
        routes.post(.practitionerContact, use: setContact)
    }

    struct Row: Encodable {
        let id: UUID
        let name: String
        let profession: String
        let mobile: String
        let direct: String
        let noticeEmail: String
        /// Where the notices go, or that none can go (the ladder then phones at once).
        let notices: String
        let editing: Bool
        let errors: [FormFault]
    }

    struct Page: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let rows: [Row]
        let mayEdit: Bool
        let notice: String?
    }

    @Sendable func list(req: Request) async throws -> View {
        try await render(req, editing: nil, form: nil, errors: [])
    }

    struct ContactForm: Content { let portable: String?; let ligne: String?; let avis: String? }

    @Sendable func setContact(req: Request) async throws -> Response {
        let practice = try await req.authorizePracticeParameter()
        _ = try req.require(.editAgenda)
        let practitioner = try await PracticeStore.practitioner(req.parameters.get("practitionerID", as: UUID.self), of: practice, on: req.db)
        let form = try req.content.decode(ContactForm.self)
        return try await FormRefusal.run(req, back: { try await render(req, editing: practitioner.id, form: form, errors: $0) }) {
            try await PracticeStore.setContact(of: practitioner, mobilePhone: form.portable, directPhone: form.ligne, noticeEmail: form.avis,
                                               in: practice, context: try req.writeContext())
            return req.redirect(to: SitePath.practitioners.link(practice.id, query: "ok=1#praticien-\(practitioner.id!)"))
        }
    }

    private func render(_ req: Request, editing: UUID?, form: ContactForm?, errors: [FormFault]) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let practitioners = try await PracticeStore.practitioners(of: practice, on: req.db)
        let recipients = try await Outbox.recipients(of: practitioners.map { $0.id! }, on: req.db)
        let rows = practitioners.map { practitioner in
            let shown = practitioner.id == editing ? form : nil
            let addresses = recipients[practitioner.id!] ?? []
            return Row(id: practitioner.id!, name: practitioner.displayName, profession: practitioner.profession,
                       mobile: shown?.portable ?? FrenchFormat.phone(practitioner.mobilePhone),
                       direct: shown?.ligne ?? FrenchFormat.phone(practitioner.directPhone),
                       noticeEmail: shown?.avis ?? practitioner.noticeEmail ?? "",
                       notices: addresses.isEmpty ? "Aucun avis possible (ni adresse d'avis ni compte) : une transmission urgente fait aussitôt appeler le praticien."
                           : "Avis envoyés à " + addresses.joined(separator: ", "),
                       editing: practitioner.id == editing, errors: practitioner.id == editing ? errors : [])
        }
        return try await req.view.render("practices/practitioners", Page(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, rows: rows,
            mayEdit: AccessPolicy.role(principal.role, has: .editAgenda), notice: req.query[String.self, at: "ok"] != nil ? "Coordonnées enregistrées." : nil))
    }
}
