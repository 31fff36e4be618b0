import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// Holds, bookings, moves, cancellations, statuses, series and the waiting list: validated against the agenda's rules
/// (Domain), written in one journaled transaction each, with the database refusing any overlap.
enum AppointmentStore {
    static let defaultHoldMinutes = 5

    // MARK: Reading

    static func appointment(_ id: UUID?, in practice: AuthorizedPractice, on db: any Database) async throws -> AppointmentRecord {
        try await AgendaStore.find(AppointmentRecord.self, id, in: practice, practiceKey: \.$practice, on: db, what: "Rendez-vous")
    }

    /// Each change with the person who made it (as people read names) and the values of its own time.
    static func history(of appointment: AppointmentRecord, zone: TimeZone, on db: any Database) async throws -> [AppointmentDetailDTO.Change] {
        let entries = try await AuditEntryRecord.query(on: db).filter(\.$entity == "appointment").filter(\.$entityID == appointment.id!.uuidString)
            .sort(\.$id).all()
        let names = try await PeopleNames.names(of: Set(entries.compactMap(\.actorID)), on: db)
        return entries.map {
            .init(at: ISOTimestamp.string($0.occurredAt, in: zone), by: PeopleNames.author(of: $0, names: names), action: $0.action,
                  before: $0.before, after: $0.after)
        }
    }

    // MARK: Validation helpers

    static func parseStart(_ text: String, field: String = "start") throws -> Date {
        guard let date = ISOTimestamp.parse(text) else { throw AppError.invalid(field, "date et heure ISO 8601 avec décalage attendues (2026-12-01T14:30:00+01:00)") }
        return date
    }

    static func patient(_ id: UUID, in practice: AuthorizedPractice, on db: any Database) async throws -> PatientRecord {
        guard let patient = try await PatientRecord.find(id, on: db), patient.$practice.id == practice.id else { throw unknownPatient }
        return patient
    }

    /// The booked appointments to come of these patients, soonest first (the screen pop, the record beside a call).
    static func upcoming(of patients: [UUID], in practice: AuthorizedPractice, after now: Date, on db: any Database) async throws -> [AppointmentRecord] {
        guard !patients.isEmpty else { return [] }
        return try await AppointmentRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$patient.$id ~~ patients)
            .filter(\.$startsAt > now).filter(\.$status == AppointmentStatus.booked.rawValue).sort(\.$startsAt).all()
    }

    static func practitioner(_ id: UUID, in practice: AuthorizedPractice, on db: any Database) async throws -> PractitionerRecord {
        guard let practitioner = try await PractitionerRecord.find(id, on: db), practitioner.$practice.id == practice.id else { throw unknownPractitioner }
        if practitioner.deactivatedAt != nil { throw deactivatedPractitioner }
        return practitioner
    }

    /// A booking's practitioner and patient checked in one read: both of this practice, the practitioner active (an
    /// attempt reads the database twice before its write — this, then the time in the way — and most attempts on a
    /// sought-after slot end at the second). The practitioner's fault is thrown here, the patient's by `requirePatient()`
    /// (after the motif's, the order in which a form's faults are told).
    static func parties(practitioner: UUID, patient: UUID?, in practice: AuthorizedPractice, on db: any Database) async throws -> Parties {
        let row = try await (db as! any SQLDatabase).raw("""
            SELECT pr.deactivated_at, pa.id AS patient FROM practitioners pr
            LEFT JOIN patients pa ON pa.id = \(bind: patient) AND pa.practice_id = pr.practice_id
            WHERE pr.id = \(bind: practitioner) AND pr.practice_id = \(bind: practice.id)
            """).first()
        guard let row else { throw unknownPractitioner }
        if try !row.decodeNil(column: "deactivated_at") { throw deactivatedPractitioner }
        return Parties(patientKnown: try patient == nil || !row.decodeNil(column: "patient"))
    }

    struct Parties {
        let patientKnown: Bool
        func requirePatient() throws { if !patientKnown { throw AppointmentStore.unknownPatient } }
    }

    static let unknownPatient = AppError.invalid("patientId", "patient inconnu dans ce cabinet")
    static let unknownPractitioner = AppError.invalid("practitionerId", "praticien inconnu dans ce cabinet")
    static let deactivatedPractitioner = AppError.invalid("practitionerId", "ce praticien est désactivé : il ne prend plus de rendez-vous")

    /// The motif checked for this practitioner (an archived one only for an appointment already booked with it); Domain
    /// refusals become field errors.
    static func motif(_ id: UUID, practitioner: UUID, forBookedAppointment: Bool = false, in ctx: BookingContext) throws -> Motif {
        do {
            return try ctx.agenda.bookableMotif(id, practitioner: practitioner, forBookedAppointment: forBookedAppointment)
        } catch {
            throw AppError.invalid(error.field, error.reason)
        }
    }

    /// The rules a time breaks; refused unless the secretary overrides them with a reason.
    static func checkRules(practitioner: UUID, motif: Motif, start: Date, urgent: Bool, override: OverrideInput?,
                           in ctx: BookingContext) throws -> [BookingRuleBreach] {
        let breaches: [BookingRuleBreach]
        do {
            breaches = try ctx.agenda.breaches(practitioner: practitioner, motif: motif, start: start, now: ctx.now, urgent: urgent)
        } catch {
            throw AppError.invalid(error.field, error.reason)
        }
        if let override, override.reason.trimmingCharacters(in: .whitespacesAndNewlines).count < 3 {
            throw AppError.invalid("override.reason", "motif de la dérogation obligatoire")
        }
        if !breaches.isEmpty && override == nil {
            throw AppError.validation(breaches.map {
                FieldError(field: "start", reason: "\($0.reason) ; réservable seulement avec une dérogation motivée")
            })
        }
        return breaches
    }

    static func end(of start: Date, motif: Motif) -> Date { start.addingTimeInterval(TimeInterval(motif.durationMinutes * 60)) }
    static func occupiedEnd(of start: Date, motif: Motif) -> Date { end(of: start, motif: motif).addingTimeInterval(TimeInterval(motif.bufferAfterMinutes * 60)) }

    // MARK: Holds

    static func hold(_ input: HoldInput, in ctx: BookingContext, on db: any Database) async throws -> HoldRecord {
        let start = try parseStart(input.start)
        let minutes = input.minutes ?? defaultHoldMinutes
        guard (1...30).contains(minutes) else { throw AppError.invalid("minutes", "de 1 à 30 minutes") }
        let parties = try await parties(practitioner: input.practitionerId, patient: input.patientId, in: ctx.practice, on: db)
        let motif = try motif(input.motifId, practitioner: input.practitionerId, in: ctx)
        try parties.requirePatient()
        // A hold is taken while the caller decides: the rules are checked as for a booking, without override.
        _ = try checkRules(practitioner: input.practitionerId, motif: motif, start: start, urgent: input.urgent ?? false, override: nil, in: ctx)
        let hold = HoldRecord()
        hold.id = UUID()
        hold.$practice.id = ctx.practice.id
        hold.practitionerID = input.practitionerId
        hold.motifID = motif.id
        hold.patientID = input.patientId
        hold.startsAt = start
        hold.endsAt = end(of: start, motif: motif)
        hold.expiresAt = ctx.now.addingTimeInterval(TimeInterval(minutes * 60))
        hold.heldBy = ctx.write.actor.userID
        hold.heldByLabel = ctx.write.actor.name
        hold.urgent = input.urgent ?? false
        hold.state = "active"
        let row = SlotOccupancyRecord(practice: ctx.practice.id, practitioner: hold.practitionerID, start: start,
                                      end: occupiedEnd(of: start, motif: motif), hold: hold.id, expiresAt: hold.expiresAt)
        try await SlotOccupancy.refusingOverlaps(practitioner: row.practitionerID, start: row.startsAt, end: row.endsAt, now: ctx.now, on: db) {
            try await ctx.transaction { tx, journal, changes in
                try await hold.create(on: tx)
                try await SlotOccupancy.take(row, now: ctx.now, on: tx, journal: journal, changes: changes)
                try await journal.record(.create, entity: "hold", entityID: hold.id!.uuidString, practiceID: ctx.practice.id,
                                         after: ["start": input.start, "practitionerId": hold.practitionerID.uuidString, "expiresAt": ISOTimestamp.string(hold.expiresAt, in: ctx.zone)])
            }
        }
        return hold
    }

    static func release(hold id: UUID?, in ctx: BookingContext, on db: any Database) async throws {
        let hold = try await AgendaStore.find(HoldRecord.self, id, in: ctx.practice, practiceKey: \.$practice, on: db, what: "Créneau retenu")
        guard hold.state == "active" else { throw AppError.conflict("Ce créneau n'est plus retenu (\(hold.state)).") }
        try await ctx.transaction { tx, journal, changes in
            try await SlotOccupancy.release(SlotOccupancyRecord.query(on: tx).filter(\.$holdID == hold.id!), changes: changes)
            hold.state = "released"
            try await hold.update(on: tx)
            try await journal.record(.update, entity: "hold", entityID: hold.id!.uuidString, practiceID: ctx.practice.id,
                                     before: ["state": "active"], after: ["state": "released"])
        }
    }

    // MARK: Booking

    static func book(_ input: BookingInput, in ctx: BookingContext, on db: any Database) async throws -> AppointmentRecord {
        let start = try parseStart(input.start)
        var errors: [FieldError] = []
        if let source = input.source, BookingSource(rawValue: source) == nil { errors.append(.init(field: "source", reason: "phone, practitioner ou online")) }
        if let level = input.urgencyLevel, !(1...5).contains(level) { errors.append(.init(field: "urgencyLevel", reason: "niveau de 1 à 5")) }
        if (input.notes ?? "").count > 2000 { errors.append(.init(field: "notes", reason: "2 000 caractères au plus")) }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let parties = try await parties(practitioner: input.practitionerId, patient: input.patientId, in: ctx.practice, on: db)
        let motif = try motif(input.motifId, practitioner: input.practitionerId, in: ctx)
        try parties.requirePatient()
        try await CallStore.requireCall(input.callId, in: ctx.practice, on: db)
        let urgent = (input.urgencyLevel ?? 5) <= 3
        var found: HoldRecord?
        if let holdID = input.holdId {
            guard let record = try await HoldRecord.find(holdID, on: db), record.$practice.id == ctx.practice.id else {
                throw AppError.invalid("holdId", "créneau retenu inconnu dans ce cabinet")
            }
            guard record.state == "active", record.expiresAt > ctx.now else { throw AppError.invalid("holdId", "ce créneau n'est plus retenu (\(record.state == "active" ? "expiré" : record.state))") }
            guard record.practitionerID == input.practitionerId, record.motifID == input.motifId, record.startsAt == start else {
                throw AppError.invalid("holdId", "le créneau retenu ne correspond pas au praticien, au motif ou à l'heure demandés")
            }
            found = record
        }
        let hold = found
        // A hold was checked when it was taken (urgent holds may sit in reserved time).
        let breaches = try checkRules(practitioner: input.practitionerId, motif: motif, start: start, urgent: urgent || (found?.urgent ?? false),
                                      override: input.override, in: ctx)
        let appointment = newAppointment(patient: input.patientId, practitioner: input.practitionerId, motif: motif, start: start,
                                         source: input.source, notes: input.notes, in: ctx)
        appointment.urgencyLevel = input.urgencyLevel
        appointment.overrideReason = breaches.isEmpty ? nil : input.override?.reason
        let row = SlotOccupancy.row(for: appointment, bufferMinutes: motif.bufferAfterMinutes)
        // Time already taken is refused by a read, beside the other readers: the write queue is for the writes that may
        // succeed (most attempts on a sought-after slot are refused). Without a hold only: a hold's own time is in the way.
        if hold == nil, let conflict = try await SlotOccupancy.conflict(practitioner: row.practitionerID, start: row.startsAt, end: row.endsAt,
                                                                        now: ctx.now, on: db) {
            throw AppError.slotTaken(conflict)
        }
        try await SlotOccupancy.refusingOverlaps(practitioner: row.practitionerID, start: row.startsAt, end: row.endsAt, now: ctx.now, on: db) {
            try await ctx.transaction { tx, journal, changes in
                if let hold {
                    // The hold gives its time to the appointment: its row goes first so the two never overlap.
                    let released = try await SlotOccupancy.release(SlotOccupancyRecord.query(on: tx).filter(\.$holdID == hold.id!), changes: changes)
                    guard released.count == 1 else { throw AppError.invalid("holdId", "ce créneau n'est plus retenu") }
                    hold.state = "confirmed"
                    hold.appointmentID = appointment.id
                    try await hold.update(on: tx)
                    try await journal.record(.update, entity: "hold", entityID: hold.id!.uuidString, practiceID: ctx.practice.id,
                                             before: ["state": "active"], after: ["state": "confirmed", "appointmentId": appointment.id!.uuidString])
                }
                try await appointment.insert(on: tx)
                try await SlotOccupancy.take(row, now: ctx.now, on: tx, journal: journal, changes: changes)
                try await CallStore.link(input.callId, act: .booked, target: appointment.id!, in: ctx.practice, now: ctx.now, on: tx, journal: journal)
                try await journal.record(.create, entity: "appointment", entityID: appointment.id!.uuidString, practiceID: ctx.practice.id,
                                         after: AppointmentSnapshot(appointment, overridden: breaches))
                try await PatientMessages.queue(.confirmation, about: [appointment], now: ctx.now, on: tx)
            }
        }
        return appointment
    }

    /// A booked appointment of `motif`, not yet saved.
    static func newAppointment(patient: UUID, practitioner: UUID, motif: Motif, start: Date, source: String?, notes: String?,
                                       in ctx: BookingContext) -> AppointmentRecord {
        let record = AppointmentRecord()
        record.id = UUID()
        record.$practice.id = ctx.practice.id
        record.$practitioner.id = practitioner
        record.$patient.id = patient
        record.startsAt = start
        record.endsAt = end(of: start, motif: motif)
        record.status = AppointmentStatus.booked.rawValue
        record.reason = motif.label
        record.motifID = motif.id
        record.source = source ?? BookingSource.phone.rawValue
        record.notes = notes
        record.bookedBy = ctx.write.actor.userID
        record.updatedAt = ctx.now
        return record
    }

    // MARK: Read-back

    static func readBackDetails(_ appointment: AppointmentRecord, in ctx: BookingContext, on db: any Database) async throws -> ReadBack.Appointment {
        // The practitioner with the practice's address, in one read.
        let practitioner = try await PractitionerRecord.query(on: db).filter(\.$id == appointment.$practitioner.id)
            .filter(\.$practice.$id == ctx.practice.id).join(PracticeRecord.self, on: \PractitionerRecord.$practice.$id == \PracticeRecord.$id).first()
        let address = try practitioner?.joined(PracticeRecord.self).address ?? ""
        let motif = appointment.motifID.flatMap { ctx.agenda.motif($0) }
        return ReadBack.Appointment(start: appointment.startsAt,
                                    practitioner: FrenchSpeech.practitioner(title: practitioner?.title ?? "", lastName: practitioner?.lastName ?? ""),
                                    motifLabel: appointment.reason, patientInstructions: motif?.patientInstructions ?? "", address: address)
    }
}
