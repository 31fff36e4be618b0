import Domain
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// `/r/{token}`: the page a reminder's link opens, without signing in. It shows the appointment's day, time and place
/// (never the motif) and offers « Annuler ce rendez-vous » and « Je viendrai ». The token is the credential: only its
/// hash is stored; a guessed, altered, expired (the appointment's start) or used one gets the same plain refusal,
/// naming nothing. A cancellation follows the practice's notice, is journaled as made by the patient, frees the slot
/// and turns the waiting list's matches into callbacks, as any cancellation does.
struct AppointmentLinks: RouteCollection {
    static let actorLabel = "patient:lien-rappel"

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.patientLink, use: show)
        routes.post(.patientLink, use: act)
    }

    struct Page: Encodable {
        let csrf: String
        let title: String
        /// Set when the link acts: the appointment as the patient may read it.
        var appointment: Shown? = nil
        var notice: String? = nil
        var done: String? = nil
        var mayCancel = false
    }

    struct Shown: Encodable {
        let day: String
        let time: String
        let practice: String
        let address: String
        let practitioner: String?
        let phone: String
    }

    /// What a link finds, or why it finds nothing a patient may act on.
    enum Found {
        case usable(AppointmentLinkRecord, AppointmentRecord, PracticeRecord, PracticeMessagingRecord, Shown)
        case refused(String, HTTPResponseStatus)
    }

    static let unknown = Found.refused("Ce lien n'est pas valable. Pour votre rendez-vous, appelez le cabinet.", .notFound)

    static func find(_ token: String, now: Date, on db: any Database) async throws -> Found {
        guard token.count >= 22, token.count <= 64, token.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }),
              let link = try await AppointmentLinkRecord.query(on: db).filter(\.$tokenHash == SecretToken.hash(token)).first(),
              let appointment = try await AppointmentRecord.find(link.appointmentID, on: db),
              let practice = try await PracticeRecord.find(link.$practice.id, on: db) else { return unknown }
        let settings = try await PatientMessages.settings(of: practice.id!, on: db) ?? .off(practice: practice.id!, now: now)
        let zone = TimeZone(identifier: practice.timeZone) ?? FrenchFormat.parisTimeZone
        let practitioner = settings.namesPractitioner ? try await PractitionerRecord.find(appointment.$practitioner.id, on: db) : nil
        let phone = FrenchFormat.phone(practice.phone)
        if let used = link.usedAt {
            let what = link.outcome == "cancelled" ? "Ce rendez-vous a été annulé par ce lien" : "Votre venue a été confirmée par ce lien"
            return .refused("\(what) le \(FrenchFormat.shortDate(used, in: zone)) à \(FrenchFormat.time(used, in: zone)) ; il ne sert qu'une fois. Pour toute autre demande, appelez le cabinet au \(phone).", .gone)
        }
        if now >= link.expiresAt { return .refused("Ce lien a expiré : il valait jusqu'à l'heure du rendez-vous. Appelez le cabinet au \(phone).", .gone) }
        if appointment.startsAt != link.appointmentStart || appointment.statusValue != .booked {
            return .refused("Ce rendez-vous a changé depuis ce rappel (déplacé ou annulé) : ce lien ne vaut plus. Appelez le cabinet au \(phone).", .gone)
        }
        let shown = Shown(day: FrenchFormat.dayAndMonth(appointment.startsAt, in: zone), time: FrenchFormat.spokenTime(appointment.startsAt, in: zone),
                          practice: practice.name, address: practice.address,
                          practitioner: practitioner.map { FrenchSpeech.practitioner(title: $0.title, lastName: $0.lastName) }, phone: phone)
        return .usable(link, appointment, practice, settings, shown)
    }

    /// Whether the practice's notice still lets the patient cancel here.
    static func noticeProblem(_ appointment: AppointmentRecord, settings: PracticeMessagingRecord, phone: String, now: Date) -> String? {
        let limit = appointment.startsAt.addingTimeInterval(-TimeInterval(settings.linkNoticeHours * 3_600))
        guard now >= limit else { return nil }
        return "Le cabinet demande d'annuler au moins \(settings.linkNoticeHours) h avant le rendez-vous : il est trop tard pour le faire ici. Appelez le cabinet au \(phone)."
    }

    @Sendable func show(req: Request) async throws -> Response {
        let now = req.application.clock.now()
        switch try await Self.find(req.parameters.get("token") ?? "", now: now, on: req.db) {
        case let .refused(reason, status):
            return try await render(req, Page(csrf: "", title: "Lien de rendez-vous", notice: reason), status: status)
        case let .usable(_, appointment, _, settings, shown):
            let problem = Self.noticeProblem(appointment, settings: settings, phone: shown.phone, now: now)
            return try await render(req, Page(csrf: "", title: "Votre rendez-vous", appointment: shown, notice: problem, mayCancel: problem == nil), status: .ok)
        }
    }

    struct Action: Content { var action: String? }

    @Sendable func act(req: Request) async throws -> Response {
        let now = req.application.clock.now()
        let token = req.parameters.get("token") ?? ""
        let action = try req.content.decode(Action.self).action
        guard action == "annuler" || action == "venir" else { throw AppError.invalid("action", "annuler ou venir") }
        guard case let .usable(link, appointment, practice, settings, shown) = try await Self.find(token, now: now, on: req.db) else {
            return try await show(req: req)
        }
        if action == "annuler", let problem = Self.noticeProblem(appointment, settings: settings, phone: shown.phone, now: now) {
            return try await render(req, Page(csrf: "", title: "Votre rendez-vous", appointment: shown, notice: problem), status: .conflict)
        }
        // The link is spent first, by a write that only one request wins: a second click finds it used.
        guard try await Self.claim(link, now: now, outcome: action == "annuler" ? "cancelled" : "confirmed", app: req.application) else {
            return try await show(req: req)
        }
        if action == "venir" {
            req.application.metrics.count("permanence_patient_links_total", [("outcome", "confirmed")])
            return try await render(req, Page(csrf: "", title: "Votre rendez-vous", appointment: shown,
                                               done: "Merci : votre venue est notée. En cas d'empêchement, appelez le cabinet au \(shown.phone)."), status: .ok)
        }
        let write = WriteContext(actor: AuditActor(userID: nil, label: Self.actorLabel), requestID: req.id, writer: req.application.writer,
                                 database: req.db, patientIndex: req.application.patientIndexCache, live: req.application.liveHub)
        let authorized = AuthorizedPractice.system(practice.id!)
        let app = req.application, db = req.db
        let ctx = BookingContext(practice: authorized, agenda: try await AgendaStore.agenda(authorized, app: app, on: db), now: now, write: write,
                                 cache: app.agendaCache, reload: { try await AgendaStore.agenda(authorized, app: app, on: db) }, live: app.liveHub)
        do {
            _ = try await AppointmentStore.cancel(appointment.id, CancelInput(party: "patient", reason: "Annulé par le patient (lien du rappel)", scope: nil), in: ctx, on: db)
        } catch {
            // Not cancelled: the link is given back, and the page says what happened.
            try await Self.release(link, app: app)
            throw error
        }
        app.metrics.count("permanence_patient_links_total", [("outcome", "cancelled")])
        return try await render(req, Page(csrf: "", title: "Rendez-vous annulé", appointment: shown,
                                           done: "Votre rendez-vous est annulé. Merci d'avoir prévenu : le créneau sera proposé à un autre patient."), status: .ok)
    }

    /// Marks the link used, unless another request did first; whether this one did.
    static func claim(_ link: AppointmentLinkRecord, now: Date, outcome: String, app: Application) async throws -> Bool {
        let won = NIOLockedValueBox(false)
        try await app.writer.unjournaled(on: app.db) { db in
            let rows = try await (db as! any SQLDatabase).update(AppointmentLinkRecord.schema)
                .set("used_at", to: SQLBind(now)).set("outcome", to: SQLBind(outcome))
                .where("id", .equal, SQLBind(link.id!)).where("used_at", .is, SQLLiteral.null)
                .returning("id").all()
            won.withLockedValue { $0 = !rows.isEmpty }
        }
        return won.withLockedValue { $0 }
    }

    static func release(_ link: AppointmentLinkRecord, app: Application) async throws {
        try await app.writer.unjournaled(on: app.db) { db in
            try await AppointmentLinkRecord.query(on: db).filter(\.$id == link.id!).set(\.$usedAt, to: nil).set(\.$outcome, to: nil).update()
        }
    }

    private func render(_ req: Request, _ page: Page, status: HTTPResponseStatus) async throws -> Response {
        let response = Response(status: status)
        var page = page
        page = Page(csrf: CSRFProtection.token(for: req, response: response), title: page.title, appointment: page.appointment,
                    notice: page.notice, done: page.done, mayCancel: page.mayCancel)
        let view = try await req.view.render("messages/link", page)
        response.headers.contentType = .html
        // Nothing of it kept by a shared computer's cache, nor sent on as a referrer.
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        response.body = .init(buffer: view.data)
        return response
    }
}
