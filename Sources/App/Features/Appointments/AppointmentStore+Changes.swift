import Domain
import Fluent
import Foundation
import Vapor

/// Moving, cancelling and setting the status of appointments.
extension AppointmentStore {
    /// Moves an appointment (and, with scope `following`, the later occurrences of its series by the same step).
    /// Returns the moved appointments, the one asked for first, with their former starts.
    static func move(_ id: UUID?, _ input: MoveInput, in ctx: BookingContext, on db: any Database) async throws -> [(AppointmentRecord, from: Date)] {
        let appointment = try await appointment(id, in: ctx.practice, on: db)
        try await CallStore.requireCall(input.callId, in: ctx.practice, on: db)
        let newStart = try parseStart(input.start)
        let following = try scopeIsFollowing(input.scope)
        guard appointment.statusValue.movable else {
            throw AppError.conflict("Un rendez-vous « \(appointment.statusValue.label) » ne se déplace pas.")
        }
        let practitionerID = input.practitionerId ?? appointment.$practitioner.id
        if input.practitionerId != nil { _ = try await practitioner(practitionerID, in: ctx.practice, on: db) }
        guard let motifID = appointment.motifID else { throw AppError.conflict("Ce rendez-vous n'a pas de motif : annulez-le et reprenez-en un nouveau.") }
        let motif = try motif(motifID, practitioner: practitionerID, forBookedAppointment: true, in: ctx)
        // The same step in local days and wall-clock time for every occurrence moved.
        let dayStep = LocalDate(newStart, in: ctx.zone).daysSince(LocalDate(appointment.startsAt, in: ctx.zone))
        let newMinutes = WallClock.minutes(of: newStart, in: ctx.zone)
        var targets = [appointment]
        if following, let series = appointment.seriesID {
            targets += try await AppointmentRecord.query(on: db).filter(\.$practice.$id == ctx.practice.id).filter(\.$seriesID == series)
                .filter(\.$startsAt > appointment.startsAt).filter(\.$status ~~ ["booked", "pending", "proposed"]).sort(\.$startsAt).all()
        }
        var plans: [(record: AppointmentRecord, from: Date, to: Date, breaches: [BookingRuleBreach])] = []
        for target in targets {
            let to = target.id == appointment.id ? newStart
                : WallClock.resolve(LocalDate(target.startsAt, in: ctx.zone).adding(days: dayStep), minutes: newMinutes, in: ctx.zone, ambiguity: .earlier).instant
            let breaches = try checkRules(practitioner: practitionerID, motif: motif, start: to, urgent: (target.urgencyLevel ?? 5) <= 3,
                                          override: input.override, in: ctx)
            plans.append((target, target.startsAt, to, breaches))
        }
        let planned = plans
        let freed = plans.map { (practitioner: $0.record.$practitioner.id, interval: DateInterval(start: $0.record.startsAt, end: $0.record.endsAt)) }
        try await SlotOccupancy.refusingOverlaps(practitioner: practitionerID, start: newStart, end: occupiedEnd(of: newStart, motif: motif), now: ctx.now, on: db) {
            try await ctx.transaction { tx, journal, changes in
                // Give back every old time first, so that a series moved by less than its length never meets itself.
                let ids = planned.map { $0.record.id! }
                try await SlotOccupancy.release(SlotOccupancyRecord.query(on: tx).filter(\.$appointmentID ~~ ids), changes: changes)
                for plan in planned {
                    let before = AppointmentSnapshot(plan.record)
                    plan.record.$practitioner.id = practitionerID
                    plan.record.startsAt = plan.to
                    plan.record.endsAt = end(of: plan.to, motif: motif)
                    if !plan.breaches.isEmpty { plan.record.overrideReason = input.override?.reason }
                    plan.record.calendarSequence = (plan.record.calendarSequence ?? 0) + 1
                    plan.record.updatedAt = ctx.now
                    try await plan.record.update(on: tx)
                    try await SlotOccupancy.take(SlotOccupancy.row(for: plan.record, bufferMinutes: motif.bufferAfterMinutes), now: ctx.now, on: tx, journal: journal, changes: changes)
                    try await journal.record(.update, entity: "appointment", entityID: plan.record.id!.uuidString, practiceID: ctx.practice.id,
                                             before: before, after: AppointmentSnapshot(plan.record, overridden: plan.breaches))
                }
                try await CallStore.link(input.callId, act: .moved, target: appointment.id!, in: ctx.practice, now: ctx.now, on: tx, journal: journal)
                try await PatientMessages.withdrawReminders(of: planned.map { $0.record.id! }, reason: "rendez-vous déplacé : un rappel de la nouvelle heure suit", on: tx)
                try await PatientMessages.queue(.moved, about: planned.map(\.record), now: ctx.now, on: tx)
                try await matchWaitingList(freed: freed, in: ctx, on: tx, journal: journal)
            }
        }
        return plans.map { ($0.record, $0.from) }
    }

    private static func scopeIsFollowing(_ scope: String?) throws -> Bool {
        switch scope ?? "this" {
        case "this": return false
        case "following": return true
        default: throw AppError.invalid("scope", "this ou following")
        }
    }

    // MARK: Cancelling and statuses

    static func cancel(_ id: UUID?, _ input: CancelInput, in ctx: BookingContext, on db: any Database) async throws -> [AppointmentRecord] {
        let appointment = try await appointment(id, in: ctx.practice, on: db)
        try await CallStore.requireCall(input.callId, in: ctx.practice, on: db)
        var errors: [FieldError] = []
        if CancellationParty(rawValue: input.party) == nil { errors.append(.init(field: "party", reason: "patient ou practice")) }
        if input.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors.append(.init(field: "reason", reason: "motif d'annulation obligatoire")) }
        let following = try scopeIsFollowing(input.scope)
        if !errors.isEmpty { throw AppError.validation(errors) }
        if let problem = appointment.statusValue.problem(changingTo: .cancelled, start: appointment.startsAt, now: ctx.now, calendar: ctx.calendar) {
            throw AppError.conflict("Annulation impossible : \(problem).")
        }
        var targets = [appointment]
        if following, let series = appointment.seriesID {
            targets += try await AppointmentRecord.query(on: db).filter(\.$practice.$id == ctx.practice.id).filter(\.$seriesID == series)
                .filter(\.$startsAt > appointment.startsAt).filter(\.$status ~~ ["booked", "pending", "proposed"]).sort(\.$startsAt).all()
        }
        let cancelled = targets
        try await ctx.transaction { tx, journal, changes in
            for target in cancelled {
                let before = AppointmentSnapshot(target)
                target.status = AppointmentStatus.cancelled.rawValue
                target.cancellationParty = input.party
                target.cancellationReason = input.reason
                target.calendarSequence = (target.calendarSequence ?? 0) + 1
                target.updatedAt = ctx.now
                try await target.update(on: tx)
                try await SlotOccupancy.release(SlotOccupancyRecord.query(on: tx).filter(\.$appointmentID == target.id!), changes: changes)
                try await journal.record(.update, entity: "appointment", entityID: target.id!.uuidString, practiceID: ctx.practice.id,
                                         before: before, after: AppointmentSnapshot(target))
            }
            try await CallStore.link(input.callId, act: .cancelled, target: appointment.id!, in: ctx.practice, now: ctx.now, on: tx, journal: journal)
            try await PatientMessages.withdrawReminders(of: cancelled.map { $0.id! }, reason: "rendez-vous annulé", on: tx)
            try await PatientMessages.queue(.cancelled, about: cancelled, now: ctx.now, on: tx)
            try await matchWaitingList(freed: cancelled.map { ($0.$practitioner.id, DateInterval(start: $0.startsAt, end: $0.endsAt)) }, in: ctx, on: tx, journal: journal)
        }
        return targets
    }

    static func setStatus(_ id: UUID?, _ input: StatusInput, in ctx: BookingContext, on db: any Database) async throws -> AppointmentRecord {
        let appointment = try await appointment(id, in: ctx.practice, on: db)
        guard let next = AppointmentStatus(rawValue: input.status), next != .cancelled else {
            throw AppError.invalid("status", "arrived, fulfilled, noshow, entered-in-error, ou booked pour revenir en arrière (l'annulation passe par …/cancel)")
        }
        let reason = input.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if (reason ?? "").count > 500 { throw AppError.invalid("reason", "500 caractères au plus") }
        if let problem = appointment.statusValue.problem(changingTo: next, start: appointment.startsAt, now: ctx.now, calendar: ctx.calendar,
                                                         changedAt: appointment.statusChangedAt ?? appointment.updatedAt, reason: reason) {
            throw AppError.conflict("Changement impossible : \(problem).")
        }
        let wasOccupying = appointment.statusValue.occupiesTime
        let buffer = appointment.motifID.flatMap { ctx.agenda.motif($0)?.bufferAfterMinutes } ?? 0
        let row = SlotOccupancy.row(for: appointment, bufferMinutes: buffer)
        try await SlotOccupancy.refusingOverlaps(practitioner: row.practitionerID, start: row.startsAt, end: row.endsAt, now: ctx.now, on: db) {
            try await ctx.transaction { tx, journal, changes in
                let before = AppointmentSnapshot(appointment)
                appointment.status = next.rawValue
                appointment.statusChangedAt = ctx.now
                appointment.statusReason = reason?.isEmpty == false ? reason : nil
                appointment.updatedAt = ctx.now
                try await appointment.update(on: tx)
                if wasOccupying && !next.occupiesTime {
                    try await SlotOccupancy.release(SlotOccupancyRecord.query(on: tx).filter(\.$appointmentID == appointment.id!), changes: changes)
                } else if !wasOccupying && next.occupiesTime {
                    // A patient marked absent who came after all takes the time back, if it is still free.
                    try await SlotOccupancy.take(row, now: ctx.now, excludingAppointment: appointment.id, on: tx, journal: journal, changes: changes)
                }
                try await journal.record(.update, entity: "appointment", entityID: appointment.id!.uuidString, practiceID: ctx.practice.id,
                                         before: before, after: AppointmentSnapshot(appointment))
            }
        }
        return appointment
    }

    static func recentNoShows(patient: UUID, in practice: AuthorizedPractice, now: Date, on db: any Database) async throws -> Int {
        try await AppointmentRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$patient.$id == patient)
            .filter(\.$status == AppointmentStatus.noshow.rawValue).filter(\.$startsAt >= now.addingTimeInterval(-365 * 86_400)).count()
    }
}
