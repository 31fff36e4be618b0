import Domain
import Fluent
import Foundation
import Vapor

/// Weekly series and the waiting list.
extension AppointmentStore {
    static func series(_ input: SeriesInput, in ctx: BookingContext, on db: any Database) async throws -> (id: UUID, booked: [AppointmentRecord], failed: [SeriesResult.Failure]) {
        let first = try parseStart(input.firstStart, field: "firstStart")
        let plan = SeriesPlan(firstStart: first, count: input.count, intervalWeeks: input.intervalWeeks ?? 1)
        var errors = plan.problems().map { FieldError(field: $0.field, reason: $0.reason) }
        if let source = input.source, BookingSource(rawValue: source) == nil { errors.append(.init(field: "source", reason: "phone, practitioner ou online")) }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let parties = try await parties(practitioner: input.practitionerId, patient: input.patientId, in: ctx.practice, on: db)
        let motif = try motif(input.motifId, practitioner: input.practitionerId, in: ctx)
        try parties.requirePatient()
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
            // One confirmation for the series: its first session's day and time.
            try await PatientMessages.queue(.confirmation, about: taken.filter { conflicts[$0.id!] == nil }, now: ctx.now, on: tx)
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
        guard let wanted = ctx.agenda.motif(input.motifId) else { throw AppError.invalid("motifId", "motif inconnu dans ce cabinet") }
        if wanted.archived { throw AppError.invalid("motifId", Motif.archivedReason) }
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
        var matched: [WaitingListEntryRecord] = []
        for record in waiting {
            let entry = record.domain
            // An archived motif is no longer offered: its entries wait for a secretary, not for a freed slot.
            guard let motif = ctx.agenda.motif(entry.motifID), !motif.archived,
                  let match = freed.first(where: { entry.matches(freed: $0.interval, practitioner: $0.practitioner, motif: motif, now: ctx.now) }) else { continue }
            record.state = "to-call"
            record.matchedStart = max(match.interval.start, ctx.now)
            record.matchedPractitionerID = match.practitioner
            record.matchedAt = ctx.now
            try await record.update(on: tx)
            try await journal.record(.update, entity: "waiting-list-entry", entityID: record.id!.uuidString, practiceID: ctx.practice.id,
                                     before: ["state": "waiting"], after: ["state": "to-call", "matchedStart": ISOTimestamp.string(record.matchedStart!, in: ctx.zone)])
            matched.append(record)
        }
        try await PatientMessages.queueOffers(matched, now: ctx.now, on: tx)
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
}
