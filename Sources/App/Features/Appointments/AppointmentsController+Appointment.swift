import Domain
import Fluent
import Foundation
import Vapor

/// The appointment page: its history, moving it among the alternatives, cancelling it, its status.
extension AppointmentsController {
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
        let practitioners: [Choice]
        let date: String
        let time: String
        let statuses: [Choice]
        /// Going back from arrived, seen or absent, the same day, with a reason.
        let undo: Choice?
        let statusReason: String
        let history: [HistoryRow]
        let errors: [FormFault]
        let section: String
        /// The call the appointment was booked in, to go back to it.
        let callID: UUID?
    }

    @Sendable func show(req: Request) async throws -> View {
        try await renderShow(req, errors: [], section: "")
    }

    private func renderShow(_ req: Request, errors: [FormFault], section: String) async throws -> View {
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
        // A refused move keeps what was asked beside its reason (a drop on 07:15 shows 07:15, not the current time).
        let asked = section == "move" && !errors.isEmpty ? try? req.content.decode(MoveForm.self) : nil
        return try await req.view.render("appointments/show", ShowPage(
            layout: .init(principal), practiceID: practice.id, practiceName: record.name, id: appointment.id!,
            when: "\(FrenchFormat.longDate(appointment.startsAt, in: zone)) de \(FrenchFormat.time(appointment.startsAt, in: zone)) à \(FrenchFormat.time(appointment.endsAt, in: zone))",
            practitioner: names[appointment.$practitioner.id] ?? "", patient: try await Self.row(patient, practice: practice.id, link: nil, req: req),
            noShows: noShows, motif: appointment.reason, instructions: motif?.patientInstructions ?? "", status: status.label,
            source: BookingSource(rawValue: appointment.source ?? "")?.label ?? "", notes: appointment.notes ?? "",
            urgency: appointment.urgencyLevel.map { "Niveau \($0)" } ?? "", overrideReason: appointment.overrideReason ?? "",
            cancellation: cancellation, inSeries: appointment.seriesID != nil, readBack: readBack, canMove: canMove,
            alternatives: alternatives, alternativesProblem: alternativesProblem,
            practitioners: practitioners.filter { motif?.practitionerIDs.contains($0.id!) ?? true }.map {
                Choice(value: $0.id!.uuidString, label: $0.displayName, selected: $0.id == (asked?.praticien ?? appointment.$practitioner.id))
            },
            date: asked?.date ?? LocalDate(appointment.startsAt, in: zone).description,
            time: asked?.heure ?? FrenchFormat.time(appointment.startsAt, in: zone),
            statuses: statuses.filter { status.problem(changingTo: $0.0, start: appointment.startsAt, now: ctx.now, calendar: ctx.calendar) == nil }
                .map { Choice(value: $0.0.rawValue, label: $0.1, selected: false) },
            undo: undo.flatMap { next, label in
                status.problem(changingTo: next, start: appointment.startsAt, now: ctx.now, calendar: ctx.calendar, changedAt: changedAt,
                               reason: "vérifié") == nil ? Choice(value: next.rawValue, label: label, selected: false) : nil
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
        return try await FormRefusal.run(req, back: { try await renderShow(req, errors: $0, section: "move") }) {
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
            return req.redirect(to: SitePath.appointment.link(ctx.practice.id, appointment.id!, query: "fait=deplace&de=\(back)") + (form.appel.map { "&appel=\($0)" } ?? ""))
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
        return try await FormRefusal.run(req, back: { try await renderShow(req, errors: $0, section: "cancel") }) {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            let cancelled = try await AppointmentStore.cancel(Self.appointmentID(req), CancelInput(party: form.partie ?? "", reason: form.raison ?? "", scope: form.portee, callId: form.appel),
                                                              in: ctx, on: req.db)
            return req.redirect(to: SitePath.appointment.link(ctx.practice.id, cancelled[0].id!, query: "fait=annule") + (form.appel.map { "&appel=\($0)" } ?? ""))
        }
    }

    struct StatusForm: Content { let statut: String; let raison: String? }

    @Sendable func status(req: Request) async throws -> Response {
        let form = try req.content.decode(StatusForm.self)
        return try await FormRefusal.run(req, back: { try await renderShow(req, errors: $0, section: "status") }) {
            let ctx = try await BookingContext.make(req, practice: try await req.authorizePracticeParameter())
            let appointment = try await AppointmentStore.setStatus(Self.appointmentID(req), StatusInput(status: form.statut, reason: form.raison), in: ctx, on: req.db)
            return req.redirect(to: SitePath.appointment.link(ctx.practice.id, appointment.id!))
        }
    }
}
