import Domain
import Fluent
import Foundation
import Vapor

/// Everything a booking operation needs, read once per request.
struct BookingContext: Sendable {
    let practice: AuthorizedPractice
    let agenda: PracticeAgenda
    let now: Date
    let write: WriteContext
    let cache: AgendaCache
    /// The agenda as it is after this request's writes.
    let reload: @Sendable () async throws -> PracticeAgenda
    /// Told of each committed change, so that every console showing the agenda updates.
    var live: LiveHub? = nil

    var zone: TimeZone { agenda.timeZone }

    /// The practice's calendar: what "the appointment's day" means.
    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// One journaled transaction of this request; once it commits, the cached agenda takes the occupied time it changed.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database, Journal, OccupancyChanges) async throws -> T) async throws -> T {
        let changes = OccupancyChanges()
        let result = try await write.writer.transaction(on: write.database, actor: write.actor, requestID: write.requestID) { tx, journal in
            try await body(tx, journal, changes)
        }
        cache.apply(changes, to: practice.id)
        await live?.publish(LiveEvent(kind: .agenda, practiceID: practice.id))
        return result
    }

    static func make(_ req: Request, practice: AuthorizedPractice) async throws -> BookingContext {
        let app = req.application, db = req.db
        return BookingContext(practice: practice, agenda: try await AgendaStore.agenda(practice, app: app, on: db),
                              now: app.clock.now(), write: try req.writeContext(), cache: app.agendaCache,
                              reload: { try await AgendaStore.agenda(practice, app: app, on: db) }, live: app.liveHub)
    }
}

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
        guard let patient = try await PatientRecord.find(id, on: db), patient.$practice.id == practice.id else {
            throw AppError.invalid("patientId", "patient inconnu dans ce cabinet")
        }
        return patient
    }

    /// The booked appointments to come of these patients, soonest first (the screen pop, the record beside a call).
    static func upcoming(of patients: [UUID], in practice: AuthorizedPractice, after now: Date, on db: any Database) async throws -> [AppointmentRecord] {
        guard !patients.isEmpty else { return [] }
        return try await AppointmentRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$patient.$id ~~ patients)
            .filter(\.$startsAt > now).filter(\.$status == AppointmentStatus.booked.rawValue).sort(\.$startsAt).all()
    }

    static func practitioner(_ id: UUID, in practice: AuthorizedPractice, on db: any Database) async throws -> PractitionerRecord {
        guard let practitioner = try await PractitionerRecord.find(id, on: db), practitioner.$practice.id == practice.id else {
            throw AppError.invalid("practitionerId", "praticien inconnu dans ce cabinet")
        }
        return practitioner
    }

    /// The motif checked for this practitioner; Domain refusals become field errors.
    static func motif(_ id: UUID, practitioner: UUID, in ctx: BookingContext) throws -> Motif {
        do { return try ctx.agenda.bookableMotif(id, practitioner: practitioner) } catch { throw AppError.invalid(error.field, error.reason) }
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
                FieldError(field: "start", reason: "\($0.reason) ; réservable seulement avec une dérogation motivée (override.reason)")
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
        _ = try await practitioner(input.practitionerId, in: ctx.practice, on: db)
        let motif = try motif(input.motifId, practitioner: input.practitionerId, in: ctx)
        if let patientID = input.patientId { _ = try await patient(patientID, in: ctx.practice, on: db) }
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
        _ = try await practitioner(input.practitionerId, in: ctx.practice, on: db)
        let motif = try motif(input.motifId, practitioner: input.practitionerId, in: ctx)
        _ = try await patient(input.patientId, in: ctx.practice, on: db)
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
                try await appointment.create(on: tx)
                try await SlotOccupancy.take(row, now: ctx.now, on: tx, journal: journal, changes: changes)
                try await CallStore.link(input.callId, kind: .appointment, target: appointment.id!, in: ctx.practice, now: ctx.now, on: tx)
                try await journal.record(.create, entity: "appointment", entityID: appointment.id!.uuidString, practiceID: ctx.practice.id,
                                         after: AppointmentSnapshot(appointment, overridden: breaches))
            }
        }
        return appointment
    }

    /// A booked appointment of `motif`, not yet saved.
    private static func newAppointment(patient: UUID, practitioner: UUID, motif: Motif, start: Date, source: String?, notes: String?,
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

    // MARK: Moving

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
        let motif = try motif(motifID, practitioner: practitionerID, in: ctx)
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
                    plan.record.updatedAt = ctx.now
                    try await plan.record.update(on: tx)
                    try await SlotOccupancy.take(SlotOccupancy.row(for: plan.record, bufferMinutes: motif.bufferAfterMinutes), now: ctx.now, on: tx, journal: journal, changes: changes)
                    try await journal.record(.update, entity: "appointment", entityID: plan.record.id!.uuidString, practiceID: ctx.practice.id,
                                             before: before, after: AppointmentSnapshot(plan.record, overridden: plan.breaches))
                }
                try await CallStore.link(input.callId, kind: .appointment, target: appointment.id!, in: ctx.practice, now: ctx.now, on: tx)
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
                target.updatedAt = ctx.now
                try await target.update(on: tx)
                try await SlotOccupancy.release(SlotOccupancyRecord.query(on: tx).filter(\.$appointmentID == target.id!), changes: changes)
                try await journal.record(.update, entity: "appointment", entityID: target.id!.uuidString, practiceID: ctx.practice.id,
                                         before: before, after: AppointmentSnapshot(target))
            }
            try await CallStore.link(input.callId, kind: .appointment, target: appointment.id!, in: ctx.practice, now: ctx.now, on: tx)
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

    // MARK: Series

    static func series(_ input: SeriesInput, in ctx: BookingContext, on db: any Database) async throws -> (id: UUID, booked: [AppointmentRecord], failed: [SeriesResult.Failure]) {
        let first = try parseStart(input.firstStart, field: "firstStart")
        let plan = SeriesPlan(firstStart: first, count: input.count, intervalWeeks: input.intervalWeeks ?? 1)
        var errors = plan.problems().map { FieldError(field: $0.field, reason: $0.reason) }
        if let source = input.source, BookingSource(rawValue: source) == nil { errors.append(.init(field: "source", reason: "phone, practitioner ou online")) }
        if !errors.isEmpty { throw AppError.validation(errors) }
        _ = try await practitioner(input.practitionerId, in: ctx.practice, on: db)
        let motif = try motif(input.motifId, practitioner: input.practitionerId, in: ctx)
        _ = try await patient(input.patientId, in: ctx.practice, on: db)
        let seriesID = UUID()
        var candidates: [AppointmentRecord] = []
        var failed: [(start: Date, reasons: [String])] = []
        for start in plan.starts(in: ctx.zone) {
            let breaches: [BookingRuleBreach]
            do {
                breaches = try ctx.agenda.breaches(practitioner: input.practitionerId, motif: motif, start: start, now: ctx.now, urgent: false)
            } catch {
                failed.append((start, [error.reason]))
                continue
            }
            if !breaches.isEmpty { failed.append((start, breaches.map(\.reason))); continue }
            let record = newAppointment(patient: input.patientId, practitioner: input.practitionerId, motif: motif, start: start,
                                        source: input.source, notes: input.notes, in: ctx)
            record.seriesID = seriesID
            candidates.append(record)
        }
        let taken = candidates
        let conflicts = try await ctx.transaction { tx, journal, changes in
            var conflicts: [UUID: SlotConflict] = [:]
            for record in taken {
                let row = SlotOccupancy.row(for: record, bufferMinutes: motif.bufferAfterMinutes)
                if let conflict = try await SlotOccupancy.conflict(practitioner: row.practitionerID, start: row.startsAt, end: row.endsAt, now: ctx.now, on: tx) {
                    conflicts[record.id!] = conflict
                    continue
                }
                try await record.create(on: tx)
                try await SlotOccupancy.take(row, now: ctx.now, on: tx, journal: journal, changes: changes)
                try await journal.record(.create, entity: "appointment", entityID: record.id!.uuidString, practiceID: ctx.practice.id,
                                         after: AppointmentSnapshot(record))
            }
            return conflicts
        }
        for record in candidates { if conflicts[record.id!] != nil { failed.append((record.startsAt, ["le créneau est déjà pris"])) } }
        let booked = candidates.filter { conflicts[$0.id!] == nil }
        // Alternatives come from the agenda as it is now, the series included.
        let agenda = try await ctx.reload()
        let failures = failed.sorted { $0.start < $1.start }.map { failure in
            let alternatives = (try? agenda.alternatives(to: failure.start, practitioner: input.practitionerId, motif: motif.id, now: ctx.now, count: 3)) ?? []
            return SeriesResult.Failure(start: ISOTimestamp.string(failure.start, in: ctx.zone), reasons: failure.reasons,
                                        alternatives: alternatives.map { ISOTimestamp.string($0.start, in: ctx.zone) })
        }
        return (seriesID, booked, failures)
    }

    // MARK: Waiting list

    static func addToWaitingList(_ input: WaitingListInput, in ctx: BookingContext, on db: any Database) async throws -> WaitingListEntryRecord {
        var errors: [FieldError] = []
        let from = ISOTimestamp.parse(input.from)
        let until = ISOTimestamp.parse(input.until)
        if from == nil { errors.append(.init(field: "from", reason: "date et heure ISO 8601 avec décalage attendues")) }
        if until == nil { errors.append(.init(field: "until", reason: "date et heure ISO 8601 avec décalage attendues")) }
        if let from, let until, until <= from { errors.append(.init(field: "until", reason: "la fin de la période doit suivre son début")) }
        if let until, until <= ctx.now { errors.append(.init(field: "until", reason: "la période est déjà passée")) }
        let priority = WaitingPriority(apiName: input.priority ?? "normal")
        if priority == nil { errors.append(.init(field: "priority", reason: "high, normal ou low")) }
        if !errors.isEmpty { throw AppError.validation(errors) }
        guard ctx.agenda.motif(input.motifId) != nil else { throw AppError.invalid("motifId", "motif inconnu dans ce cabinet") }
        for practitionerID in input.practitionerIds ?? [] {
            _ = try await practitioner(practitionerID, in: ctx.practice, on: db)
            _ = try motif(input.motifId, practitioner: practitionerID, in: ctx)
        }
        _ = try await patient(input.patientId, in: ctx.practice, on: db)
        let entry = WaitingListEntryRecord()
        entry.id = UUID()
        entry.$practice.id = ctx.practice.id
        entry.patientID = input.patientId
        entry.motifID = input.motifId
        entry.practitionerIDs = CommaList.join((input.practitionerIds ?? []).map(\.uuidString))
        entry.windowStart = from!
        entry.windowEnd = until!
        entry.priority = priority!.rawValue
        entry.notes = input.notes ?? ""
        entry.state = "waiting"
        entry.createdByLabel = ctx.write.actor.name
        entry.createdAt = ctx.now
        try await ctx.transaction { tx, journal, _ in
            try await entry.create(on: tx)
            try await journal.record(.create, entity: "waiting-list-entry", entityID: entry.id!.uuidString, practiceID: ctx.practice.id,
                                     after: WaitingListEntryDTO(entry, zone: ctx.zone))
        }
        return entry
    }

    /// Waiting patients who could take the freed time become callback items (`to-call`).
    static func matchWaitingList(freed: [(practitioner: UUID, interval: DateInterval)], in ctx: BookingContext, on tx: any Database, journal: Journal) async throws {
        let waiting = try await WaitingListEntryRecord.query(on: tx).filter(\.$practice.$id == ctx.practice.id).filter(\.$state == "waiting").all()
        guard !waiting.isEmpty else { return }
        for record in waiting {
            let entry = record.domain
            guard let motif = ctx.agenda.motif(entry.motifID),
                  let match = freed.first(where: { entry.matches(freed: $0.interval, practitioner: $0.practitioner, motif: motif, now: ctx.now) }) else { continue }
            record.state = "to-call"
            record.matchedStart = max(match.interval.start, ctx.now)
            record.matchedPractitionerID = match.practitioner
            record.matchedAt = ctx.now
            try await record.update(on: tx)
            try await journal.record(.update, entity: "waiting-list-entry", entityID: record.id!.uuidString, practiceID: ctx.practice.id,
                                     before: ["state": "waiting"], after: ["state": "to-call", "matchedStart": ISOTimestamp.string(record.matchedStart!, in: ctx.zone)])
        }
    }

    /// The waiting list, callbacks first, each group by priority then waiting time.
    static func waitingList(of practice: AuthorizedPractice, state: String?, on db: any Database) async throws -> [WaitingListEntryRecord] {
        var query = WaitingListEntryRecord.query(on: db).filter(\.$practice.$id == practice.id)
        if let state { query = query.filter(\.$state == state) } else { query = query.filter(\.$state ~~ ["waiting", "to-call"]) }
        let records = try await query.all()
        return records.sorted { a, b in
            if a.state != b.state { return a.state == "to-call" }
            return WaitingListEntry.callbackOrder(a.domain, b.domain)
        }
    }

    static func closeWaitingListEntry(_ id: UUID?, state: String, in ctx: BookingContext, on db: any Database) async throws -> WaitingListEntryRecord {
        let entry = try await AgendaStore.find(WaitingListEntryRecord.self, id, in: ctx.practice, practiceKey: \.$practice, on: db, what: "Inscription en liste d'attente")
        guard ["waiting", "to-call"].contains(entry.state) else { throw AppError.conflict("Cette inscription est déjà close (\(entry.state)).") }
        let before = entry.state
        try await ctx.transaction { tx, journal, _ in
            entry.state = state
            try await entry.update(on: tx)
            try await journal.record(.update, entity: "waiting-list-entry", entityID: entry.id!.uuidString, practiceID: ctx.practice.id,
                                     before: ["state": before], after: ["state": state])
        }
        return entry
    }

    // MARK: Read-back

    static func readBackDetails(_ appointment: AppointmentRecord, in ctx: BookingContext, on db: any Database) async throws -> ReadBack.Appointment {
        let practitioner = try await PractitionerRecord.find(appointment.$practitioner.id, on: db)
        let practice = try await PracticeStore.practice(ctx.practice, on: db)
        let motif = appointment.motifID.flatMap { ctx.agenda.motif($0) }
        return ReadBack.Appointment(start: appointment.startsAt,
                                    practitioner: FrenchSpeech.practitioner(title: practitioner?.title ?? "", lastName: practitioner?.lastName ?? ""),
                                    motifLabel: appointment.reason, patientInstructions: motif?.patientInstructions ?? "", address: practice.address)
    }
}
