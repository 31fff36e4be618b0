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
        let practice = routes.grouped("cabinets", ":practiceID")
        practice.get("rendez-vous", "nouveau", use: newAppointment)
        practice.post("rendez-vous", "retenir", use: hold)
        practice.post("rendez-vous", "derogation", use: bookWithOverride)
        practice.get("rendez-vous", "retenu", ":holdID", use: heldPage)
        practice.post("rendez-vous", "retenu", ":holdID", "confirmer", use: confirm)
        practice.post("rendez-vous", "retenu", ":holdID", "relacher", use: release)
        practice.get("rendez-vous", ":appointmentID", use: show)
        practice.post("rendez-vous", ":appointmentID", "deplacer", use: move)
        practice.post("rendez-vous", ":appointmentID", "annuler", use: cancel)
        practice.post("rendez-vous", ":appointmentID", "statut", use: status)
        practice.get("patients", use: patients)
        practice.get("patients", ":patientID", use: patient)
        practice.post("patients", ":patientID", "serie", use: series)
        practice.post("patients", ":patientID", "liste-attente", use: addToWaitingList)
        practice.post("patients", ":patientID", "fusionner", use: merge)
        practice.get("patients", "fusions", use: merges)
        practice.get("liste-attente", use: waitingList)
        practice.post("liste-attente", ":entryID", "cloturer", use: closeEntry)
    }

    // MARK: View models

    struct Option: Encodable { let value: String; let label: String; let selected: Bool }
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
        let motifs: [Option]
        let practitioners: [Option]
        let date: String
        let motifChosen: Bool
        let motifID: String
        let instructions: String
        let slots: [SlotRow]
        let errors: [String]
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
            return "/cabinets/\(practice)/rendez-vous/nouveau" + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
        }
    }

    // MARK: Booking: find a slot, hold it

    @Sendable func newAppointment(req: Request) async throws -> View {
        try await renderNew(req, query: BookingQuery(req), errors: [])
    }

    private func renderNew(_ req: Request, query: BookingQuery, errors: [String]) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let zone = agenda.timeZone, now = req.application.clock.now()
        let practitioners = try await PracticeStore.practitioners(of: practice, on: req.db)
        let names = Dictionary(uniqueKeysWithValues: practitioners.map { ($0.id!, $0.displayName) })
        let motifs = try await AgendaStore.motifs(of: practice, on: req.db).map(\.domain)
        var patient: PatientRow?
        if let id = query.patient { patient = try await Self.row(try await AppointmentStore.patient(id, in: practice, on: req.db), practice: practice.id, link: nil, on: req.db) }
        let matches = try await Self.search(query.search, in: practice, req: req) { query.link(practice.id, patient: $0) }
        let motif = query.motif.flatMap { id in motifs.first { $0.id == id } }
        var slots: [SlotRow] = []
        var problems = errors
        if let motif {
            let from = query.date.map { WallClock.resolve($0, minutes: 0, in: zone, ambiguity: .earlier).instant } ?? now
            do {
                slots = try Self.freeSlots(agenda, motif: motif.id, practitioner: query.practitioner, from: from, now: now, limit: 12, names: names)
            } catch {
                problems.append(error.reason)
            }
        }
        let taking = motif.map { Set($0.practitionerIDs) }
        return try await req.view.render("appointments/new", NewPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, patient: patient,
            query: query.search ?? "", matches: matches,
            motifs: motifs.map { Option(value: $0.id.uuidString, label: "\($0.label) (\($0.durationMinutes) min)", selected: $0.id == query.motif) },
            practitioners: practitioners.filter { taking?.contains($0.id!) ?? true }.map {
                Option(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id == query.practitioner)
            },
            date: (query.date ?? LocalDate(now, in: zone)).description,
            motifChosen: motif != nil, motifID: motif?.id.uuidString ?? "", instructions: motif?.patientInstructions ?? "", slots: slots, errors: problems,
            keep: query.link(practice.id), callID: query.call))
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
    }

    @Sendable func hold(req: Request) async throws -> Response {
        let form = try req.content.decode(HoldForm.self)
        let patient = form.patient.flatMap(UUID.init(uuidString:))
        var query = BookingQuery(req)
        query.patient = patient
        query.motif = form.motif
        return try await Self.refusals(req, back: { try await renderNew(req, query: query, errors: $0) }) {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            let held = try await AppointmentStore.hold(HoldInput(practitionerId: form.praticien, motifId: form.motif, start: form.debut,
                                                                 patientId: patient, urgent: nil, minutes: nil), in: ctx, on: req.db)
            let carried = [patient.map { "patient=\($0)" }, form.appel.map { "appel=\($0)" }].compactMap { $0 }
            return req.redirect(to: "/cabinets/\(ctx.practice.id)/rendez-vous/retenu/\(held.id!)" + (carried.isEmpty ? "" : "?" + carried.joined(separator: "&")))
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
        return try await Self.refusals(req, back: { try await renderNew(req, query: query, errors: $0) }) {
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
            return req.redirect(to: "/cabinets/\(ctx.practice.id)/rendez-vous/\(appointment.id!)?fait=reserve" + (form.appel.map { "&appel=\($0)" } ?? ""))
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
        let sources: [Option]
        let levels: [Option]
        let notes: String
        let errors: [String]
        let callID: UUID?
    }

    @Sendable func heldPage(req: Request) async throws -> View {
        try await renderHeld(req, errors: [], notes: "")
    }

    private func renderHeld(_ req: Request, errors: [String], notes: String) async throws -> View {
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
        if let patientID { patient = try await Self.row(try await AppointmentStore.patient(patientID, in: practice, on: req.db), practice: practice.id, link: nil, on: req.db) }
        let base = "/cabinets/\(practice.id)/rendez-vous/retenu/\(held.id!)"
        let call = AgendaController.uuid(req, "appel").map { "&appel=\($0)" } ?? ""
        let matches = try await Self.search(AgendaController.string(req, "q"), in: practice, req: req) { "\(base)?patient=\($0)\(call)" }
        let active = held.state == "active" && held.expiresAt > now
        let level = AgendaController.string(req, "urgence")
        return try await req.view.render("appointments/held", HeldPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, holdID: held.id!, active: active,
            state: active ? "retenu" : (held.state == "active" ? "expiré" : held.state == "confirmed" ? "confirmé" : held.state == "released" ? "relâché" : held.state),
            slot: "\(FrenchFormat.longDate(held.startsAt, in: zone)) de \(FrenchFormat.time(held.startsAt, in: zone)) à \(FrenchFormat.time(held.endsAt, in: zone))",
            practitioner: practitioner?.displayName ?? "", motif: motif?.label ?? "", instructions: motif?.patientInstructions ?? "",
            expires: FrenchFormat.time(held.expiresAt, in: zone), expiresISO: ISOTimestamp.string(held.expiresAt, in: zone),
            patient: patient, needsPatient: patient == nil, query: AgendaController.string(req, "q") ?? "", matches: matches,
            sources: [Option(value: "phone", label: "Téléphone (patient)", selected: true), Option(value: "practitioner", label: "Demande du praticien", selected: false)],
            levels: [Option(value: "", label: "Aucun (rendez-vous ordinaire)", selected: level == nil)]
                + (1...5).map { Option(value: "\($0)", label: "Niveau \($0) après régulation", selected: level == "\($0)") },
            notes: notes, errors: errors, callID: AgendaController.uuid(req, "appel")))
    }

    struct ConfirmForm: Content {
        let patient: String?
        let source: String?
        let urgence: String?
        let notes: String?
        let appel: UUID?
    }

    @Sendable func confirm(req: Request) async throws -> Response {
        let form = try req.content.decode(ConfirmForm.self)
        return try await Self.refusals(req, back: { try await renderHeld(req, errors: $0, notes: form.notes ?? "") }) {
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
            return req.redirect(to: "/cabinets/\(ctx.practice.id)/rendez-vous/\(appointment.id!)?fait=reserve" + (form.appel.map { "&appel=\($0)" } ?? ""))
        }
    }

    @Sendable func release(req: Request) async throws -> Response {
        let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
        let held = try await Self.hold(req, in: ctx.practice)
        if held.state == "active" { try await AppointmentStore.release(hold: held.id, in: ctx, on: req.db) }
        var query = BookingQuery(req)
        query.patient = held.patientID
        query.motif = held.motifID
        query.date = LocalDate(held.startsAt, in: ctx.zone)
        return req.redirect(to: query.link(ctx.practice.id))
    }

    // MARK: The appointment

    struct HistoryRow: Encodable { let at: String; let by: String; let action: String; let changes: String }
    struct Alternative: Encodable { let start: String; let practitionerID: UUID; let label: String }
    struct ShowPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let id: UUID
        let when: String
        let practitioner: String
        let patient: PatientRow
        let noShows: Int
        let motif: String
        let instructions: String
        let status: String
        let source: String
        let notes: String
        let urgency: String
        let overrideReason: String
        let cancellation: String
        let inSeries: Bool
        let readBack: String?
        let canMove: Bool
        let alternatives: [Alternative]
        let alternativesProblem: String?
        let practitioners: [Option]
        let date: String
        let time: String
        let statuses: [Option]
        /// Going back from arrived, seen or absent, the same day, with a reason.
        let undo: Option?
        let statusReason: String
        let history: [HistoryRow]
        let errors: [String]
        let section: String
        /// The call the appointment was booked in, to go back to it.
        let callID: UUID?
    }

    @Sendable func show(req: Request) async throws -> View {
        try await renderShow(req, errors: [], section: "")
    }

    private func renderShow(_ req: Request, errors: [String], section: String) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let ctx = try await BookingContext.make(req, practice: practice)
        let zone = ctx.zone
        let record = try await PracticeStore.practice(practice, on: req.db)
        let appointment = try await AppointmentStore.appointment(Self.appointmentID(req), in: practice, on: req.db)
        let practitioners = try await PracticeStore.practitioners(of: practice, on: req.db)
        let names = Dictionary(uniqueKeysWithValues: practitioners.map { ($0.id!, $0.displayName) })
        let patient = try await AppointmentStore.patient(appointment.$patient.id, in: practice, on: req.db)
        let motif = appointment.motifID.flatMap { ctx.agenda.motif($0) }
        let status = appointment.statusValue
        var readBack: String?
        switch AgendaController.string(req, "fait") {
        case "reserve": readBack = ReadBack.booking(try await AppointmentStore.readBackDetails(appointment, in: ctx, on: req.db), zone: zone, now: ctx.now).text
        case "annule": readBack = ReadBack.cancellation(try await AppointmentStore.readBackDetails(appointment, in: ctx, on: req.db), zone: zone, now: ctx.now).text
        case "deplace":
            if let from = AgendaController.string(req, "de").flatMap(ISOTimestamp.parse) {
                readBack = ReadBack.move(from: from, to: try await AppointmentStore.readBackDetails(appointment, in: ctx, on: req.db), zone: zone, now: ctx.now).text
            }
        default: break
        }
        let canMove = status.movable
        var alternatives: [Alternative] = []
        var alternativesProblem: String?
        if canMove, let motif {
            do {
                alternatives = try ctx.agenda.alternatives(to: appointment.startsAt, practitioner: appointment.$practitioner.id, motif: motif.id,
                                                           now: ctx.now, count: 5, urgent: (appointment.urgencyLevel ?? 5) <= 3).map {
                    Alternative(start: ISOTimestamp.string($0.start, in: zone), practitionerID: $0.practitionerID,
                                label: "\(FrenchFormat.longDate($0.start, in: zone)) à \(FrenchFormat.time($0.start, in: zone)) — \(names[$0.practitionerID] ?? "")")
                }
            } catch {
                alternativesProblem = error.reason
            }
        } else if canMove {
            alternativesProblem = "Ce rendez-vous n'a pas de motif : choisissez l'heure ci-dessous."
        }
        let statuses: [(AppointmentStatus, String)] = [(.arrived, "Patient arrivé"), (.fulfilled, "Consultation effectuée"), (.noshow, "Absent (non venu)")]
        let undo: (AppointmentStatus, String)? = switch status {
        case .arrived: (.booked, "Annuler « arrivé »")
        case .noshow: (.booked, "Annuler « absent »")
        case .fulfilled: (.arrived, "Annuler « consultation effectuée »")
        default: nil
        }
        let changedAt = appointment.statusChangedAt ?? appointment.updatedAt
        let noShows = try await AppointmentStore.recentNoShows(patient: patient.id!, in: practice, now: ctx.now, on: req.db)
        let history = try await AppointmentStore.history(of: appointment, zone: zone, on: req.db).map {
            HistoryRow(at: Self.historyDate($0.at), by: $0.by, action: Self.actionLabel($0.action),
                       changes: Self.changes(before: $0.before, after: $0.after, names: names, zone: zone))
        }
        var cancellation = ""
        if status == .cancelled {
            cancellation = [appointment.cancellationParty.flatMap(CancellationParty.init(rawValue:))?.label, appointment.cancellationReason]
                .compactMap { $0 }.joined(separator: " — ")
        }
        return try await req.view.render("appointments/show", ShowPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, id: appointment.id!,
            when: "\(FrenchFormat.longDate(appointment.startsAt, in: zone)) de \(FrenchFormat.time(appointment.startsAt, in: zone)) à \(FrenchFormat.time(appointment.endsAt, in: zone))",
            practitioner: names[appointment.$practitioner.id] ?? "", patient: try await Self.row(patient, practice: practice.id, link: nil, on: req.db),
            noShows: noShows, motif: appointment.reason, instructions: motif?.patientInstructions ?? "", status: status.label,
            source: BookingSource(rawValue: appointment.source ?? "")?.label ?? "", notes: appointment.notes ?? "",
            urgency: appointment.urgencyLevel.map { "Niveau \($0)" } ?? "", overrideReason: appointment.overrideReason ?? "",
            cancellation: cancellation, inSeries: appointment.seriesID != nil, readBack: readBack, canMove: canMove,
            alternatives: alternatives, alternativesProblem: alternativesProblem,
            practitioners: practitioners.filter { motif?.practitionerIDs.contains($0.id!) ?? true }.map {
                Option(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id == appointment.$practitioner.id)
            },
            date: LocalDate(appointment.startsAt, in: zone).description, time: FrenchFormat.time(appointment.startsAt, in: zone),
            statuses: statuses.filter { status.problem(changingTo: $0.0, start: appointment.startsAt, now: ctx.now, calendar: ctx.calendar) == nil }
                .map { Option(value: $0.0.rawValue, label: $0.1, selected: false) },
            undo: undo.flatMap { next, label in
                status.problem(changingTo: next, start: appointment.startsAt, now: ctx.now, calendar: ctx.calendar, changedAt: changedAt,
                               reason: "vérifié") == nil ? Option(value: next.rawValue, label: label, selected: false) : nil
            },
            statusReason: appointment.statusReason ?? "",
            history: history, errors: errors, section: section, callID: AgendaController.uuid(req, "appel") ?? (try? req.content.get(UUID.self, at: "appel"))))
    }

    struct MoveForm: Content {
        let debut: String?
        let date: String?
        let heure: String?
        let praticien: UUID?
        let raison: String?
        let portee: String?
        /// The call the move is made in: its page is offered again.
        let appel: UUID?
    }

    @Sendable func move(req: Request) async throws -> Response {
        let form = try req.content.decode(MoveForm.self)
        return try await Self.refusals(req, back: { try await renderShow(req, errors: $0, section: "move") }) {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            let start: String
            if let debut = form.debut, !debut.isEmpty {
                start = debut
            } else {
                start = ISOTimestamp.string(try AgendaController.localInstant(form.date, form.heure ?? "", zone: ctx.zone, field: "start"), in: ctx.zone)
            }
            let reason = form.raison?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let moved = try await AppointmentStore.move(Self.appointmentID(req), MoveInput(start: start, practitionerId: form.praticien,
                                                                                           override: reason.isEmpty ? nil : OverrideInput(reason: reason),
                                                                                           scope: form.portee, callId: form.appel), in: ctx, on: req.db)
            let (appointment, from) = moved[0]
            let back = ISOTimestamp.string(from, in: ctx.zone).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return req.redirect(to: "/cabinets/\(ctx.practice.id)/rendez-vous/\(appointment.id!)?fait=deplace&de=\(back)" + (form.appel.map { "&appel=\($0)" } ?? ""))
        }
    }

    struct CancelForm: Content {
        let partie: String?
        let raison: String?
        let portee: String?
        let appel: UUID?
    }

    @Sendable func cancel(req: Request) async throws -> Response {
        let form = try req.content.decode(CancelForm.self)
        return try await Self.refusals(req, back: { try await renderShow(req, errors: $0, section: "cancel") }) {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            let cancelled = try await AppointmentStore.cancel(Self.appointmentID(req), CancelInput(party: form.partie ?? "", reason: form.raison ?? "", scope: form.portee, callId: form.appel),
                                                              in: ctx, on: req.db)
            return req.redirect(to: "/cabinets/\(ctx.practice.id)/rendez-vous/\(cancelled[0].id!)?fait=annule" + (form.appel.map { "&appel=\($0)" } ?? ""))
        }
    }

    struct StatusForm: Content { let statut: String; let raison: String? }

    @Sendable func status(req: Request) async throws -> Response {
        let form = try req.content.decode(StatusForm.self)
        return try await Self.refusals(req, back: { try await renderShow(req, errors: $0, section: "status") }) {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            let appointment = try await AppointmentStore.setStatus(Self.appointmentID(req), StatusInput(status: form.statut, reason: form.raison), in: ctx, on: req.db)
            return req.redirect(to: "/cabinets/\(ctx.practice.id)/rendez-vous/\(appointment.id!)")
        }
    }

    // MARK: Patients

    struct PatientsPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let query: String
        let matches: [PatientRow]
        let canImport: Bool
    }

    @Sendable func patients(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let query = AgendaController.string(req, "q")
        let matches = try await Self.search(query, in: practice, req: req) { "/cabinets/\(practice.id)/patients/\($0)" }
        return try await req.view.render("appointments/patients", PatientsPage(layout: .init(principal), practiceID: practice.id,
                                                                                practiceName: record.name, query: query ?? "", matches: matches,
                                                                                canImport: AccessPolicy.role(principal.role, has: .managePatientFiles)))
    }

    struct WaitingRow: Encodable {
        let id: UUID; let patient: String; let patientLink: String; let phone: String; let motif: String; let practitioners: String
        let window: String; let priority: String; let waiting: String; let state: String; let toCall: Bool; let matched: String; let bookLink: String
        let notes: String
    }

    struct SeriesFailure: Encodable { let start: String; let reasons: String; let alternatives: [String] }

    struct PatientPage: Encodable {
        let layout: PracticesController.Layout
        let practiceID: UUID
        let practiceName: String
        let patient: PatientRow
        let record: PatientRecordDTO
        let consultations: [String]
        let noShows: Int
        let upcoming: [AppointmentRow]
        let past: [AppointmentRow]
        let waiting: [WaitingRow]
        let motifs: [Option]
        let practitioners: [Option]
        let today: String
        let inThreeMonths: String
        let notice: String?
        let errors: [String]
        let section: String
        let mergeQuery: String
        let mergeCandidates: [PatientRow]
        let mergedInto: PatientRow?
        let canMerge: Bool
        /// Whether this user may erase or anonymise the record, and why the retention rules refuse it now (nil: allowed).
        let canErase: Bool
        let erasureRefusal: String?
        let anonymised: Bool
        let seriesReadBack: String?
        let seriesBooked: [AppointmentRow]
        let seriesFailures: [SeriesFailure]
        /// Calls, appointment changes, transmissions, triages and tasks, newest first.
        let timeline: [Timeline.Row]
    }

    /// What a series booking brings back to the patient's page.
    struct SeriesOutcome {
        var readBack: String
        var booked: [AppointmentRow]
        var failures: [SeriesFailure]
    }

    @Sendable func patient(req: Request) async throws -> View {
        try await renderPatient(req, errors: [], section: "", series: nil)
    }

    func renderPatient(_ req: Request, errors: [String], section: String, series: SeriesOutcome?) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        let agenda = try await AgendaStore.agenda(practice, app: req.application, on: req.db)
        let zone = agenda.timeZone, now = req.application.clock.now()
        let patient = try await Self.patientParameter(req, in: practice)
        let practitioners = try await PracticeStore.practitioners(of: practice, on: req.db)
        let names = Dictionary(uniqueKeysWithValues: practitioners.map { ($0.id!, $0.displayName) })
        let appointments = try await AppointmentRecord.query(on: req.db).filter(\.$practice.$id == practice.id).filter(\.$patient.$id == patient.id!)
            .sort(\.$startsAt, .descending).limit(200).all()
        let name = patient.displayName
        let rows = appointments.map { Self.appointmentRow($0, patient: name, names: names, zone: zone) }
        let upcoming = zip(appointments, rows).filter { $0.0.startsAt >= now }.map(\.1).reversed()
        let past = zip(appointments, rows).filter { $0.0.startsAt < now }.map(\.1)
        let motifs = try await AgendaStore.motifs(of: practice, on: req.db).map(\.domain)
        let entries = try await AppointmentStore.waitingList(of: practice, state: nil, on: req.db).filter { $0.patientID == patient.id }
        let today = LocalDate(now, in: zone)
        let opened = try await PatientStore.open(patient.id, in: practice, context: try req.writeContext(), on: req.db)
        let mergeQuery = AgendaController.string(req, "fusion") ?? ""
        // Without a search, the records this one looks like are offered first.
        var mergeCandidates = try await Self.search(mergeQuery, in: practice, req: req) { "/cabinets/\(practice.id)/patients/\($0)" }
            .filter { $0.id != patient.id }
        if mergeQuery.isEmpty, patient.mergedIntoID == nil {
            let ownPhones = (try await PatientSearch.phones(of: [patient.id!], on: req.db)[patient.id!] ?? []).map(\.number)
            for candidate in try await PatientStore.duplicates(of: patient.traits(phones: ownPhones), in: practice, excluding: patient.id, on: req.db) {
                guard let record = try await PatientRecord.find(candidate.id, on: req.db) else { continue }
                mergeCandidates.append(try await Self.row(record, practice: practice.id, link: nil, on: req.db))
            }
        }
        let canErase = AccessPolicy.role(principal.role, has: .managePatientFiles) && patient.mergedIntoID == nil && patient.anonymisedAt == nil
        var mergedInto: PatientRow?
        if let target = patient.mergedIntoID, let kept = try await PatientRecord.find(target, on: req.db) {
            mergedInto = try await Self.row(kept, practice: practice.id, link: nil, on: req.db)
        }
        return try await req.view.render("appointments/patient", PatientPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name,
            patient: try await Self.row(patient, practice: practice.id, link: nil, on: req.db),
            record: opened, consultations: (opened.consultedBy ?? []).map { "\(Self.historyDate($0.at)) — \($0.by)" },
            noShows: try await AppointmentStore.recentNoShows(patient: patient.id!, in: practice, now: now, on: req.db),
            upcoming: Array(upcoming), past: Array(past.prefix(30)),
            waiting: try await Self.waitingRows(entries, practice: practice, agenda: agenda, names: names, now: now, on: req.db),
            motifs: motifs.map { Option(value: $0.id.uuidString, label: "\($0.label) (\($0.durationMinutes) min)", selected: false) },
            practitioners: practitioners.map { Option(value: $0.id!.uuidString, label: $0.displayName, selected: false) },
            today: today.description, inThreeMonths: today.adding(days: 91).description,
            notice: AgendaController.string(req, "ok"), errors: errors, section: section,
            mergeQuery: mergeQuery, mergeCandidates: mergeCandidates, mergedInto: mergedInto,
            canMerge: patient.mergedIntoID == nil && patient.anonymisedAt == nil,
            canErase: canErase, erasureRefusal: canErase ? try await PatientRights.refusal(of: patient, in: practice, now: now, on: req.db) : nil,
            anonymised: patient.anonymisedAt != nil,
            seriesReadBack: series?.readBack, seriesBooked: series?.booked ?? [], seriesFailures: series?.failures ?? [],
            timeline: try await Timeline.entries(of: patient, in: practice, limit: 30, on: req.db).map(Timeline.Row.init)))
    }

    struct SeriesForm: Content {
        let motif: UUID?
        let praticien: UUID?
        let date: String?
        let heure: String?
        let nombre: String?
        let intervalle: String?
        let notes: String?
    }

    @Sendable func series(req: Request) async throws -> Response {
        let form = try req.content.decode(SeriesForm.self)
        do {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            let patient = try await Self.patientParameter(req, in: ctx.practice)
            var errors: [FieldError] = []
            if form.motif == nil { errors.append(.init(field: "motif", reason: "choisissez le motif")) }
            if form.praticien == nil { errors.append(.init(field: "praticien", reason: "choisissez le praticien")) }
            let count = Int(form.nombre ?? ""), interval = Int(form.intervalle ?? "1")
            if count == nil { errors.append(.init(field: "count", reason: "nombre de séances attendu")) }
            if interval == nil { errors.append(.init(field: "intervalWeeks", reason: "nombre de semaines attendu")) }
            let first = try AgendaController.localInstant(form.date, form.heure ?? "", zone: ctx.zone, field: "firstStart")
            if !errors.isEmpty { throw AppError.validation(errors) }
            let result = try await AppointmentStore.series(
                SeriesInput(patientId: patient.id!, practitionerId: form.praticien!, motifId: form.motif!, firstStart: ISOTimestamp.string(first, in: ctx.zone),
                            count: count!, intervalWeeks: interval, source: BookingSource.phone.rawValue, notes: form.notes),
                in: ctx, on: req.db)
            var details: [ReadBack.Appointment] = []
            for record in result.booked { details.append(try await AppointmentStore.readBackDetails(record, in: ctx, on: req.db)) }
            let names = try await PracticeStore.practitionerNames(of: ctx.practice, on: req.db)
            let outcome = SeriesOutcome(
                readBack: ReadBack.series(details, zone: ctx.zone, now: ctx.now).text,
                booked: result.booked.map { Self.appointmentRow($0, patient: patient.displayName, names: names, zone: ctx.zone) },
                failures: result.failed.map { failure in
                    SeriesFailure(start: Self.spoken(failure.start, zone: ctx.zone), reasons: failure.reasons.joined(separator: " ; "),
                                  alternatives: failure.alternatives.map { Self.spoken($0, zone: ctx.zone) })
                })
            let response = try await renderPatient(req, errors: [], section: "series", series: outcome).encodeResponse(for: req)
            response.status = HTTPResponseStatus.created
            return response
        } catch let error as AppError {
            guard let messages = Self.messages(error) else { throw error }
            let response = try await renderPatient(req, errors: messages, section: "series", series: nil).encodeResponse(for: req)
            response.status = error.status
            return response
        }
    }

    struct WaitingForm: Content {
        let motif: UUID?
        let praticiens: [UUID]?
        let du: String?
        let au: String?
        let priorite: String?
        let notes: String?
    }

    @Sendable func addToWaitingList(req: Request) async throws -> Response {
        let form = try req.content.decode(WaitingForm.self)
        return try await Self.refusals(req, back: { try await renderPatient(req, errors: $0, section: "waiting", series: nil) }) {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            let patient = try await Self.patientParameter(req, in: ctx.practice)
            guard let motif = form.motif else { throw AppError.invalid("motifId", "choisissez le motif") }
            let from = try AgendaController.localInstant(form.du, "00:00", zone: ctx.zone, field: "from")
            let until = try AgendaController.localInstant(LocalDate(iso: form.au ?? "")?.adding(days: 1).description, "00:00", zone: ctx.zone, field: "until")
            _ = try await AppointmentStore.addToWaitingList(
                WaitingListInput(patientId: patient.id!, motifId: motif, practitionerIds: form.praticiens?.isEmpty == false ? form.praticiens : nil,
                                 from: ISOTimestamp.string(from, in: ctx.zone), until: ISOTimestamp.string(until, in: ctx.zone),
                                 priority: form.priorite, notes: form.notes),
                in: ctx, on: req.db)
            let ok = "Inscrit en liste d'attente".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return req.redirect(to: "/cabinets/\(ctx.practice.id)/patients/\(patient.id!)?ok=\(ok)")
        }
    }

    struct MergeForm: Content { let cible: UUID?; let raison: String? }

    /// Merges this record into the one chosen: a person's decision, with its reason; then opens the record kept.
    @Sendable func merge(req: Request) async throws -> Response {
        let form = try req.content.decode(MergeForm.self)
        return try await Self.refusals(req, back: { try await renderPatient(req, errors: $0, section: "merge", series: nil) }) {
            let practice = try await req.authorizePracticeParameter()
            let kept = try await PatientStore.merge(req.parameters.get("patientID").flatMap { UUID(fastString: $0) }, into: form.cible,
                                                    reason: form.raison ?? "", in: practice, context: try req.writeContext(), on: req.db)
            let ok = "Dossiers fusionnés : ce dossier reprend les rendez-vous du doublon".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return req.redirect(to: "/cabinets/\(practice.id)/patients/\(kept.id!)?ok=\(ok)")
        }
    }

    struct MergeRow: Encodable { let at: String; let by: String; let duplicate: String; let duplicateLink: String; let kept: String; let keptLink: String; let reason: String }
    struct MergesPage: Encodable { let layout: PracticesController.Layout; let practiceID: UUID; let practiceName: String; let merges: [MergeRow] }

    /// The practice's merges, newest first, for review.
    @Sendable func merges(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        let practice = try await req.authorizePracticeParameter()
        let record = try await PracticeStore.practice(practice, on: req.db)
        struct After: Decodable { let mergedInto: String; let kept: String; let reason: String }
        let rows = try await PatientStore.merges(in: practice, on: req.db).compactMap { entry -> MergeRow? in
            guard let data = entry.after?.data(using: .utf8), let after = try? JSONDecoder().decode(After.self, from: data) else { return nil }
            let duplicateName = try? JSONDecoder().decode([String: String].self, from: Data((entry.before ?? "{}").utf8))["name"]
            return MergeRow(at: "\(FrenchFormat.shortDate(entry.occurredAt)) \(FrenchFormat.time(entry.occurredAt))", by: entry.actorLabel,
                            duplicate: duplicateName ?? "Dossier fusionné", duplicateLink: "/cabinets/\(practice.id)/patients/\(entry.entityID)",
                            kept: after.kept, keptLink: "/cabinets/\(practice.id)/patients/\(after.mergedInto)", reason: after.reason)
        }
        return try await req.view.render("patients/merges", MergesPage(layout: .init(principal), practiceID: practice.id, practiceName: record.name, merges: rows))
    }

    // MARK: The waiting list

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
        return req.redirect(to: "/cabinets/\(ctx.practice.id)/liste-attente?ok=\(ok)")
    }

    // MARK: Helpers

    /// Runs a form's write; a refusal (bad field, slot taken, forbidden change) shows the page again with the reasons.
    /// Runs a form's write; a refusal shows the form again (`back`) with its sentences and the refusal's status.
    static func refusals(_ req: Request, back: ([String]) async throws -> View, _ write: () async throws -> Response) async throws -> Response {
        do {
            return try await write()
        } catch let error as AppError {
            guard let messages = Self.messages(error) else { throw error }
            let response = try await back(messages).encodeResponse(for: req)
            response.status = error.status
            return response
        }
    }

    /// The sentences a refusal shows on a form; nil for errors that are not the form's (not found, forbidden…).
    static func messages(_ error: AppError) -> [String]? {
        switch error {
        case .validation(let errors): return errors.map { "\(fieldLabel($0.field)) : \($0.reason)" }
        case .conflict(let message): return [message]
        case .slotTaken(let conflict):
            let zone = FrenchFormat.parisTimeZone
            let what = conflict.kind == "hold" ? "un créneau retenu par un(e) collègue" : "un autre rendez-vous"
            return ["Ce créneau est déjà pris par \(what) (\(FrenchFormat.shortDate(conflict.start, in: zone)) \(FrenchFormat.time(conflict.start, in: zone))–\(FrenchFormat.time(conflict.end, in: zone))) : proposez un autre créneau."]
        default: return nil
        }
    }

    static func fieldLabel(_ field: String) -> String {
        let labels = ["start": "Heure", "firstStart": "Première séance", "patientId": "Patient", "patient": "Patient", "practitionerId": "Praticien",
                      "praticien": "Praticien", "motifId": "Motif", "motif": "Motif", "override.reason": "Raison de la dérogation",
                      "holdId": "Créneau retenu", "callerName": "Nom de l'appelant", "ageMonths": "Âge", "party": "Annulé par", "reason": "Raison", "scope": "Portée", "status": "Statut",
                      "count": "Nombre de séances", "intervalWeeks": "Intervalle", "from": "Du", "until": "Au", "priority": "Priorité",
                      "urgencyLevel": "Niveau d'urgence", "notes": "Notes", "date": "Date", "source": "Origine", "practitionerIds": "Praticiens",
                      "birthName": "Nom de naissance", "firstNames": "Prénom(s)", "usedName": "Nom d'usage", "birthDate": "Date de naissance",
                      "sex": "Sexe", "birthplaceCode": "Lieu de naissance", "nir": "INS", "identityStatus": "Statut de l'identité",
                      "phones[0].number": "Téléphone", "phones[1].number": "Autre téléphone", "email": "E-mail", "address": "Adresse",
                      "flags.interpreterLanguage": "Interprète", "into": "Dossier à conserver", "mode": "Action",
                      "level": "Niveau retenu", "action": "Suite donnée",
                      "callerNumber": "Numéro de l'appelant", "reasons": "Motifs", "outcome": "Issue de l'appel", "subject": "Objet",
                      "message": "Message", "callbackNumber": "Numéro de rappel", "text": "Texte", "answer": "Réponse", "title": "Intitulé",
                      "phone": "Téléphone", "dueAt": "Échéance", "details": "Détails", "expiresAt": "Valable jusqu'au", "practiceId": "Cabinet",
                      "kind": "Type", "cabinet": "Cabinet", "item": "Élément"]
        return labels[field] ?? field
    }

    private static func appointmentID(_ req: Request) -> UUID? { req.parameters.get("appointmentID").flatMap { UUID(fastString: $0) } }

    private static func patientParameter(_ req: Request, in practice: AuthorizedPractice) async throws -> PatientRecord {
        try await AgendaStore.find(PatientRecord.self, req.parameters.get("patientID").flatMap { UUID(fastString: $0) }, in: practice,
                                   practiceKey: \.$practice, on: req.db, what: "Patient")
    }

    private static func hold(_ req: Request, in practice: AuthorizedPractice) async throws -> HoldRecord {
        try await AgendaStore.find(HoldRecord.self, req.parameters.get("holdID").flatMap { UUID(fastString: $0) }, in: practice,
                                   practiceKey: \.$practice, on: req.db, what: "Créneau retenu")
    }

    /// The patients answering what was typed, best first, as rows linking to `link(id)`.
    static func search(_ text: String?, in practice: AuthorizedPractice, req: Request, link: (UUID) -> String) async throws -> [PatientRow] {
        guard let text, !text.isEmpty else { return [] }
        let today = req.parisToday
        return try await PatientSearch.search(text, in: practice, today: today, cache: req.application.patientIndexCache, on: req.db).map {
            PatientRow(id: $0.id, name: $0.displayName, birth: $0.birthDate.frenchNumeric,
                       phone: Self.phoneList($0.phones.map { ($0.number, $0.label) }), link: link($0.id))
        }
    }

    /// A patient's row, with their phone numbers read.
    static func row(_ patient: PatientRecord, practice: UUID, link: String?, on db: any Database) async throws -> PatientRow {
        row(patient, phones: try await PatientSearch.phones(of: [patient.id!], on: db)[patient.id!] ?? [],
            link: link ?? "/cabinets/\(practice)/patients/\(patient.id!)")
    }

    static func row(_ patient: PatientRecord, phones: [PatientPhoneRecord], link: String) -> PatientRow {
        let birth = LocalDate(iso: patient.birthDate)?.frenchNumeric ?? patient.birthDate
        return PatientRow(id: patient.id!, name: patient.displayName, birth: birth, phone: phoneList(phones.map { ($0.number, $0.label) }), link: link)
    }

    /// "06 12 34 56 78 (portable), 01 45 00 00 01 (fixe)".
    static func phoneList(_ phones: [(PhoneNumber, String)]) -> String {
        phones.map { "\($0.0.display) (\($0.1))" }.joined(separator: ", ")
    }

    static func appointmentRow(_ record: AppointmentRecord, patient: String, names: [UUID: String], zone: TimeZone) -> AppointmentRow {
        AppointmentRow(id: record.id!, when: "\(FrenchFormat.shortDate(record.startsAt, in: zone)) \(FrenchFormat.time(record.startsAt, in: zone))",
                       practitioner: names[record.$practitioner.id] ?? "", patient: patient, motif: record.reason,
                       status: record.statusValue.label, statusCode: record.status)
    }

    static func waitingRows(_ entries: [WaitingListEntryRecord], practice: AuthorizedPractice, agenda: PracticeAgenda, names: [UUID: String],
                            now: Date, on db: any Database) async throws -> [WaitingRow] {
        let zone = agenda.timeZone
        let ids = Array(Set(entries.map(\.patientID)))
        let patients = ids.isEmpty ? [] : try await PatientRecord.query(on: db).filter(\.$id ~~ ids).all()
        let byID = Dictionary(uniqueKeysWithValues: patients.map { ($0.id!, $0) })
        let phones = try await PatientSearch.phones(of: ids, on: db)
        return entries.map { record in
            let entry = record.domain
            let patient = byID[record.patientID]
            let practitioners = CommaList.uuids(record.practitionerIDs)
            let days = max(0, Int(now.timeIntervalSince(record.createdAt) / 86_400))
            var book = "/cabinets/\(practice.id)/rendez-vous/nouveau?patient=\(record.patientID)&motif=\(record.motifID)"
            if let start = record.matchedStart { book += "&date=\(LocalDate(start, in: zone))" }
            if let practitioner = record.matchedPractitionerID { book += "&praticien=\(practitioner)" }
            return WaitingRow(
                id: record.id!, patient: patient?.displayName ?? "", patientLink: "/cabinets/\(practice.id)/patients/\(record.patientID)",
                phone: phones[record.patientID]?.first?.number.display ?? "", motif: agenda.motif(record.motifID)?.label ?? "",
                practitioners: practitioners.isEmpty ? "Indifférent" : practitioners.compactMap { names[$0] }.joined(separator: ", "),
                window: "du \(FrenchFormat.shortDate(record.windowStart, in: zone)) au \(FrenchFormat.shortDate(record.windowEnd.addingTimeInterval(-1), in: zone))",
                priority: entry.priority.label, waiting: days == 0 ? "inscrit aujourd'hui" : "attend depuis \(days) jour\(days > 1 ? "s" : "")",
                state: record.state, toCall: record.state == "to-call",
                matched: record.matchedStart.map { "Créneau libéré : \(FrenchFormat.longDate($0, in: zone)) à \(FrenchFormat.time($0, in: zone))" + (record.matchedPractitionerID.flatMap { names[$0] }.map { " avec \($0)" } ?? "") } ?? "",
                bookLink: book, notes: record.notes)
        }
    }

    /// An ISO time of the API as the secretary reads it.
    static func spoken(_ iso: String, zone: TimeZone) -> String {
        guard let instant = ISOTimestamp.parse(iso) else { return iso }
        return "\(FrenchFormat.longDate(instant, in: zone)) à \(FrenchFormat.time(instant, in: zone))"
    }

    static func historyDate(_ iso: String) -> String {
        guard let instant = ISOTimestamp.parse(iso) else { return iso }
        return "\(FrenchFormat.shortDate(instant)) \(FrenchFormat.time(instant))"
    }

    static func actionLabel(_ action: String) -> String {
        ["create": "Création", "update": "Modification", "delete": "Suppression", "read": "Consultation"][action] ?? action
    }

    /// The fields a change touched, "Champ : avant → après" in the secretary's words, from the journal's JSON snapshots.
    static func changes(before: String?, after: String?, names: [UUID: String], zone: TimeZone) -> String {
        func object(_ text: String?) -> [String: String] {
            guard let data = text?.data(using: .utf8), let value = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            return value.compactMapValues { $0 is NSNull ? nil : "\($0)" }
        }
        let labels: [(key: String, label: String)] = [
            ("start", "Début"), ("practitionerId", "Praticien"), ("status", "Statut"), ("source", "Origine"), ("notes", "Notes"),
            ("urgencyLevel", "Urgence"), ("overrideReason", "Dérogation"), ("cancellationParty", "Annulation"),
            ("cancellationReason", "Motif d'annulation"), ("state", "État"),
        ]
        func spoken(_ key: String, _ value: String?) -> String {
            guard let value else { return "—" }
            switch key {
            case "start":
                guard let instant = ISOTimestamp.parse(value) else { return value }
                return "\(FrenchFormat.shortDate(instant, in: zone)) \(FrenchFormat.time(instant, in: zone))"
            case "practitionerId": return UUID(uuidString: value).flatMap { names[$0] } ?? value
            case "status": return AppointmentStatus(rawValue: value)?.label ?? value
            case "source": return BookingSource(rawValue: value)?.label ?? value
            case "cancellationParty": return CancellationParty(rawValue: value)?.label ?? value
            default: return value
            }
        }
        let old = object(before), new = object(after)
        return labels.filter { old[$0.key] != new[$0.key] }.map { key, label in
            before == nil ? "\(label) : \(spoken(key, new[key]))" : "\(label) : \(spoken(key, old[key])) → \(spoken(key, new[key]))"
        }.joined(separator: " ; ")
    }
}
