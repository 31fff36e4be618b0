import Domain
import Fluent
import Foundation
import Vapor

/// The secretary's appointment screens: take a slot (held while the caller decides, then confirmed with the read-back),
/// book outside the hours with a reason, the appointment with its history, move among alternatives, cancel, statuses;
/// the patient with their appointments, no-shows, series and waiting-list entries; the practice's waiting list.
/// Every write goes through `AppointmentStore`, exactly as the API's do.
struct AppointmentsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.newAppointment, use: newAppointment)
        routes.post(.hold, use: hold)
        routes.post(.forcedBooking, use: bookWithOverride)
        routes.get(.held, use: heldPage)
        routes.post(.heldConfirm, use: confirm)
        routes.post(.heldRelease, use: release)
        routes.get(.appointment, use: show)
        routes.post(.appointmentMove, use: move)
        routes.post(.appointmentCancel, use: cancel)
        routes.post(.appointmentStatus, use: status)
        routes.get(.patients, use: patients)
        routes.get(.patient, use: patient)
        routes.post(.patientSeries, use: series)
        routes.post(.patientWaitingList, use: addToWaitingList)
        routes.post(.patientMerge, use: merge)
        routes.get(.merges, use: merges)
        routes.get(.waitingList, use: waitingList)
        routes.post(.waitingListClose, use: closeEntry)
    }

    // MARK: View models

    struct PatientRow: Encodable { let id: UUID; let name: String; let birth: String; let phone: String; let link: String }
    struct SlotRow: Encodable {
        let start: String; let practitionerID: UUID; let label: String; let practitioner: String; let urgent: Bool
        /// "mer. 02/12 08:30", where room is short.
        let short: String
    }
    struct AppointmentRow: Encodable {
        let id: UUID; let when: String; let practitioner: String; let patient: String; let motif: String; let status: String; let statusCode: String
    }

    struct NewPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let patient: PatientRow?
        let query: String
        let matches: [PatientRow]
        let motifs: [Choice]
        let practitioners: [Choice]
        let date: String
        let motifChosen: Bool
        let motifID: String
        let instructions: String
        let slots: [SlotRow]
        let errors: [FormFault]
        let keep: String
        /// The call the booking is made in, carried to the confirmation.
        let callID: UUID?
    }

    /// Query parameters of the booking page, carried from one step to the next.
    struct BookingQuery {
        var patient: UUID?
        var practitioner: UUID?
        var motif: UUID?
        var date: LocalDate?
        var search: String?
        var call: UUID?

        /// Nothing chosen yet (a link built from elsewhere: the day's grid).
        init() {}

        init(_ req: Request) {
            call = AgendaController.uuid(req, "appel")
            patient = AgendaController.uuid(req, "patient")
            practitioner = AgendaController.uuid(req, "praticien")
            motif = AgendaController.uuid(req, "motif")
            date = AgendaController.string(req, "date").flatMap(LocalDate.init(iso:))
            search = AgendaController.string(req, "q")
        }

        func link(_ practice: UUID, patient: UUID? = nil) -> String {
            var items: [String] = []
            if let id = patient ?? self.patient { items.append("patient=\(id)") }
            if let practitioner { items.append("praticien=\(practitioner)") }
            if let motif { items.append("motif=\(motif)") }
            if let date { items.append("date=\(date)") }
            if let call { items.append("appel=\(call)") }
            return SitePath.newAppointment.link(practice) + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
        }
    }

    // MARK: Booking: find a slot, hold it

    @Sendable func newAppointment(req: Request) async throws -> View {
        try await renderNew(req, query: BookingQuery(req), errors: [])
    }

    private func renderNew(_ req: Request, query: BookingQuery, errors: [FormFault]) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let zone = agenda.timeZone, now = req.application.clock.now()
        let practitioners = try await PracticeStore.practitioners(of: practice, on: req.db)
        let names = Dictionary(uniqueKeysWithValues: practitioners.map { ($0.id!, $0.displayName) })
        let motifs = try await AgendaStore.motifs(of: practice, on: req.db).map(\.domain)
        var patient: PatientRow?
        if let id = query.patient { patient = try await Self.row(try await AppointmentStore.patient(id, in: practice, on: req.db), practice: practice.id, link: nil, req: req) }
        let matches = try await Self.search(query.search, in: practice, req: req) { query.link(practice.id, patient: $0) }
        let motif = query.motif.flatMap { id in motifs.first { $0.id == id } }
        var slots: [SlotRow] = []
        var problems = errors
        if let motif {
            let from = query.date.map { WallClock.resolve($0, minutes: 0, in: zone, ambiguity: .earlier).instant } ?? now
            do {
                slots = try Self.freeSlots(agenda, motif: motif.id, practitioner: query.practitioner, from: from, now: now, limit: 12, names: names)
            } catch {
                problems.append(FormFault(field: "date", message: error.reason))
            }
        }
        let taking = motif.map { Set($0.practitionerIDs) }
        return try await req.view.render("appointments/new", NewPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, patient: patient,
            query: query.search ?? "", matches: matches,
            motifs: Self.motifOptions(motifs, selected: query.motif),
            practitioners: practitioners.filter { taking?.contains($0.id!) ?? true }.map {
                Choice(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id == query.practitioner)
            },
            date: (query.date ?? LocalDate(now, in: zone)).description,
            motifChosen: motif != nil, motifID: motif?.id.uuidString ?? "", instructions: motif?.patientInstructions ?? "", slots: slots, errors: problems,
            keep: query.link(practice.id), callID: query.call))
    }

    /// The motifs a secretary may choose for a new booking: the archived ones are left out.
    static func motifOptions(_ motifs: [Motif], selected: UUID?) -> [Choice] {
        motifs.filter { !$0.archived }.map { Choice(value: $0.id.uuidString, label: "\($0.label) (\($0.durationMinutes) min)", selected: $0.id == selected) }
    }

    /// The first free slots for a motif (with one practitioner or any), as the booking page and the call panel offer them.
    static func freeSlots(_ agenda: PracticeAgenda, motif: UUID, practitioner: UUID?, from: Date, now: Date, limit: Int,
                          names: [UUID: String]) throws(SlotSearchError) -> [SlotRow] {
        let zone = agenda.timeZone
        return try agenda.freeSlots(SlotQuery(motifID: motif, practitionerID: practitioner, from: from, limit: limit), now: now).map {
            SlotRow(start: ISOTimestamp.string($0.start, in: zone), practitionerID: $0.practitionerID,
                    label: "\(FrenchFormat.longDate($0.start, in: zone)) à \(FrenchFormat.time($0.start, in: zone))",
                    practitioner: names[$0.practitionerID] ?? "", urgent: $0.reservedForUrgent,
                    short: "\(FrenchFormat.shortDate($0.start, in: zone)) \(FrenchFormat.time($0.start, in: zone))")
        }
    }

    struct HoldForm: Content {
        let praticien: UUID
        let motif: UUID
        let debut: String
        let patient: String?
        let appel: UUID?
        /// « appel »: held from the call's page (its finder), where the confirmation then waits.
        let retour: String?
    }

    @Sendable func hold(req: Request) async throws -> Response {
        let form = try req.content.decode(HoldForm.self)
        let patient = form.patient.flatMap(UUID.init(uuidString:))
        var query = BookingQuery(req)
        query.patient = patient
        query.motif = form.motif
        return try await FormRefusal.run(req, back: { try await renderNew(req, query: query, errors: $0) }) {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            let held = try await AppointmentStore.hold(HoldInput(practitionerId: form.praticien, motifId: form.motif, start: form.debut,
                                                                 patientId: patient, urgent: nil, minutes: nil), in: ctx, on: req.db)
            // From the call's page, when its patient is known, the confirmation waits there, beside the slot held.
            if let call = form.appel, patient != nil, form.retour == "appel" {
                return req.redirect(to: SitePath.call.link(ctx.practice.id, call, query: "retenu=\(held.id!)&motif=\(form.motif)&jour=\(LocalDate(held.startsAt, in: ctx.zone))"))
            }
            let carried = [patient.map { "patient=\($0)" }, form.appel.map { "appel=\($0)" }].compactMap { $0 }
            return req.redirect(to: SitePath.held.link(ctx.practice.id, held.id!) + (carried.isEmpty ? "" : "?" + carried.joined(separator: "&")))
        }
    }

    struct OverrideForm: Content {
        let patient: UUID?
        let praticien: UUID?
        let motif: UUID?
        let date: String?
        let heure: String?
        let raison: String?
        let notes: String?
        let appel: UUID?
    }

    /// A booking outside the hours (or in reserved time): only with a reason, which the appointment keeps.
    @Sendable func bookWithOverride(req: Request) async throws -> Response {
        let form = try req.content.decode(OverrideForm.self)
        var query = BookingQuery(req)
        query.patient = form.patient
        query.motif = form.motif
        return try await FormRefusal.run(req, back: { try await renderNew(req, query: query, errors: $0) }) {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            var errors: [FieldError] = []
            if form.patient == nil { errors.append(.init(field: "patient", reason: "choisissez d'abord le patient")) }
            if form.praticien == nil { errors.append(.init(field: "praticien", reason: "choisissez le praticien")) }
            if form.motif == nil { errors.append(.init(field: "motif", reason: "choisissez le motif")) }
            let start = try AgendaController.localInstant(form.date, form.heure ?? "", zone: ctx.zone, field: "date")
            if !errors.isEmpty { throw AppError.validation(errors) }
            let appointment = try await AppointmentStore.book(
                BookingInput(patientId: form.patient!, practitionerId: form.praticien!, motifId: form.motif!, start: ISOTimestamp.string(start, in: ctx.zone),
                             source: BookingSource.phone.rawValue, notes: form.notes, urgencyLevel: nil, holdId: nil,
                             override: OverrideInput(reason: form.raison ?? ""), callId: form.appel),
                in: ctx, on: req.db)
            return req.redirect(to: SitePath.appointment.link(ctx.practice.id, appointment.id!, query: "fait=reserve") + (form.appel.map { "&appel=\($0)" } ?? ""))
        }
    }

    // MARK: The held slot: confirm or release

    struct HeldPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let holdID: UUID
        let active: Bool
        let state: String
        let slot: String
        let practitioner: String
        let motif: String
        let instructions: String
        let expires: String
        let expiresISO: String
        let patient: PatientRow?
        let needsPatient: Bool
        let query: String
        let matches: [PatientRow]
        let sources: [Choice]
        let levels: [Choice]
        let notes: String
        let errors: [FormFault]
        let callID: UUID?
    }

    @Sendable func heldPage(req: Request) async throws -> View {
        try await renderHeld(req, errors: [], notes: "")
    }

    private func renderHeld(_ req: Request, errors: [FormFault], notes: String) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let zone = agenda.timeZone, now = req.application.clock.now()
        let held = try await Self.hold(req, in: practice)
        let practitioner = try await PractitionerRecord.find(held.practitionerID, on: req.db)
        let motif = agenda.motif(held.motifID)
        let patientID = AgendaController.uuid(req, "patient") ?? held.patientID
        var patient: PatientRow?
        if let patientID { patient = try await Self.row(try await AppointmentStore.patient(patientID, in: practice, on: req.db), practice: practice.id, link: nil, req: req) }
        let call = AgendaController.uuid(req, "appel").map { "&appel=\($0)" } ?? ""
        let matches = try await Self.search(AgendaController.string(req, "q"), in: practice, req: req) {
            SitePath.held.link(practice.id, held.id!, query: "patient=\($0)\(call)")
        }
        let active = held.isActive(at: now)
        let level = AgendaController.string(req, "urgence")
        return try await req.view.render("appointments/held", HeldPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, holdID: held.id!, active: active,
            state: held.stateLabel(at: now),
            slot: "\(FrenchFormat.longDate(held.startsAt, in: zone)) de \(FrenchFormat.time(held.startsAt, in: zone)) à \(FrenchFormat.time(held.endsAt, in: zone))",
            practitioner: practitioner?.displayName ?? "", motif: motif?.label ?? "", instructions: motif?.patientInstructions ?? "",
            expires: FrenchFormat.time(held.expiresAt, in: zone), expiresISO: ISOTimestamp.string(held.expiresAt, in: zone),
            patient: patient, needsPatient: patient == nil, query: AgendaController.string(req, "q") ?? "", matches: matches,
            sources: [Choice(value: "phone", label: "Téléphone (patient)", selected: true), Choice(value: "practitioner", label: "Demande du praticien", selected: false)],
            levels: [Choice(value: "", label: "Aucun (rendez-vous ordinaire)", selected: level == nil)]
                + (1...5).map { Choice(value: "\($0)", label: "Niveau \($0) après régulation", selected: level == "\($0)") },
            notes: notes, errors: errors, callID: AgendaController.uuid(req, "appel")))
    }

    struct ConfirmForm: Content {
        let patient: String?
        let source: String?
        let urgence: String?
        let notes: String?
        let appel: UUID?
        /// « appel »: confirmed from the call's page, whose read-back shows there.
        let retour: String?
    }

    @Sendable func confirm(req: Request) async throws -> Response {
        let form = try req.content.decode(ConfirmForm.self)
        return try await FormRefusal.run(req, back: { try await renderHeld(req, errors: $0, notes: form.notes ?? "") }) {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            let held = try await Self.hold(req, in: ctx.practice)
            guard let patient = form.patient.flatMap(UUID.init(uuidString:)) ?? held.patientID else {
                throw AppError.invalid("patient", "cherchez et choisissez le patient avant de confirmer")
            }
            var level: Int?
            if let raw = form.urgence, !raw.isEmpty {
                guard let value = Int(raw) else { throw AppError.invalid("urgencyLevel", "niveau de 1 à 5") }
                level = value
            }
            let appointment = try await AppointmentStore.book(
                BookingInput(patientId: patient, practitionerId: held.practitionerID, motifId: held.motifID, start: ISOTimestamp.string(held.startsAt, in: ctx.zone),
                             source: form.source, notes: form.notes, urgencyLevel: level, holdId: held.id, override: nil, callId: form.appel),
                in: ctx, on: req.db)
            if let call = form.appel, form.retour == "appel" {
                return req.redirect(to: SitePath.call.link(ctx.practice.id, call, query: "fait=reserve&rdv=\(appointment.id!)"))
            }
            return req.redirect(to: SitePath.appointment.link(ctx.practice.id, appointment.id!, query: "fait=reserve") + (form.appel.map { "&appel=\($0)" } ?? ""))
        }
    }

    struct ReleaseForm: Content { let appel: UUID? }

    @Sendable func release(req: Request) async throws -> Response {
        let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
        let held = try await Self.hold(req, in: ctx.practice)
        if held.state == "active" { try await AppointmentStore.release(hold: held.id, in: ctx, on: req.db) }
        if let call = try req.content.decode(ReleaseForm.self).appel {
            return req.redirect(to: SitePath.call.link(ctx.practice.id, call, query: "motif=\(held.motifID)"))
        }
        var query = BookingQuery(req)
        query.patient = held.patientID
        query.motif = held.motifID
        query.date = LocalDate(held.startsAt, in: ctx.zone)
        return req.redirect(to: query.link(ctx.practice.id))
    }
}
