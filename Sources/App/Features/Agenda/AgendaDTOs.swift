import Domain
import Foundation
import Vapor

/// A consultation type as the API and the forms carry it.
struct MotifDTO: Content {
    var id: UUID?
    var label: String
    var durationMinutes: Int
    var bufferAfterMinutes: Int?
    var practitionerIds: [UUID]
    var newPatientsAllowed: Bool?
    var minimumNoticeMinutes: Int?
    var horizonDays: Int?
    var patientInstructions: String?
    var bookableBy: [String]?
    var colour: String?
    /// Read only: set by the archive and unarchive routes, ignored in a body.
    var archived: Bool?

    init(_ motif: Motif) {
        id = motif.id
        label = motif.label
        durationMinutes = motif.durationMinutes
        bufferAfterMinutes = motif.bufferAfterMinutes
        practitionerIds = motif.practitionerIDs
        newPatientsAllowed = motif.newPatientsAllowed
        minimumNoticeMinutes = motif.minimumNoticeMinutes
        horizonDays = motif.horizonDays
        patientInstructions = motif.patientInstructions
        bookableBy = BookingChannel.allCases.filter(motif.bookableBy.contains).map(\.rawValue)
        colour = motif.colour
        archived = motif.archived
    }

    /// The motif, or every problem at once, each with its field; `archived` is kept from the stored motif.
    func validated(id: UUID, practitioners: Set<UUID>, archived: Bool) throws -> Motif {
        var errors: [FieldError] = []
        var channels = Set<BookingChannel>()
        for (index, raw) in (bookableBy ?? ["secretary"]).enumerated() {
            if let channel = BookingChannel(rawValue: raw) { channels.insert(channel) } else {
                errors.append(FieldError(field: "bookableBy[\(index)]", reason: "canal inconnu (secretary ou online)"))
            }
        }
        for (index, practitioner) in practitionerIds.enumerated() where !practitioners.contains(practitioner) {
            errors.append(FieldError(field: "practitionerIds[\(index)]", reason: "praticien inconnu dans ce cabinet"))
        }
        let motif = Motif(id: id, label: label.trimmingCharacters(in: .whitespaces), durationMinutes: durationMinutes,
                          bufferAfterMinutes: bufferAfterMinutes ?? 0, practitionerIDs: practitionerIds,
                          newPatientsAllowed: newPatientsAllowed ?? true, minimumNoticeMinutes: minimumNoticeMinutes ?? 0,
                          horizonDays: horizonDays ?? 90, patientInstructions: patientInstructions ?? "", bookableBy: channels,
                          colour: colour ?? "#1F5F99", archived: archived)
        errors += motif.problems().map { FieldError(field: $0.field, reason: $0.reason) }
        if !errors.isEmpty { throw AppError.validation(errors) }
        return motif
    }
}

/// One opening range: `{"weekday":1,"start":"09:00","end":"12:00","weeks":"every","motifIds":null}`.
struct OpeningRangeDTO: Codable, Equatable {
    var weekday: Int
    var start: String
    var end: String
    var weeks: String?
    var motifIds: [UUID]?

    init(_ range: OpeningRange) {
        weekday = range.weekday
        start = range.start.description
        end = range.end.description
        weeks = range.weeks.rawValue
        motifIds = range.motifIDs.map { $0.sorted { $0.uuidString < $1.uuidString } }
    }
}

/// A practitioner's weekly hours.
struct HoursDTO: Content {
    var id: UUID?
    var practitionerId: UUID
    var validFrom: String
    var validUntil: String?
    var ranges: [OpeningRangeDTO]

    init(id: UUID, practitionerID: UUID, validFrom: String, validUntil: String?, ranges: [OpeningRangeDTO]) {
        self.id = id
        self.practitionerId = practitionerID
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.ranges = ranges
    }

    func validated(id: UUID, practitioners: Set<UUID>, motifs: Set<UUID>) throws -> WeeklyTemplate {
        var errors: [FieldError] = []
        if !practitioners.contains(practitionerId) { errors.append(FieldError(field: "practitionerId", reason: "praticien inconnu dans ce cabinet")) }
        let from = LocalDate(iso: validFrom)
        if from == nil { errors.append(FieldError(field: "validFrom", reason: "date attendue au format AAAA-MM-JJ")) }
        var until: LocalDate?
        if let validUntil {
            until = LocalDate(iso: validUntil)
            if until == nil { errors.append(FieldError(field: "validUntil", reason: "date attendue au format AAAA-MM-JJ")) }
        }
        var ranges: [OpeningRange] = []
        for (index, dto) in self.ranges.enumerated() {
            let start = LocalTime(parsing: dto.start), end = LocalTime(parsing: dto.end)
            let weeks = WeekParity(rawValue: dto.weeks ?? "every")
            if start == nil { errors.append(FieldError(field: "ranges[\(index)].start", reason: "heure attendue au format HH:MM")) }
            if end == nil { errors.append(FieldError(field: "ranges[\(index)].end", reason: "heure attendue au format HH:MM")) }
            if weeks == nil { errors.append(FieldError(field: "ranges[\(index)].weeks", reason: "every, even ou odd")) }
            for motif in dto.motifIds ?? [] where !motifs.contains(motif) {
                errors.append(FieldError(field: "ranges[\(index)].motifIds", reason: "motif inconnu dans ce cabinet"))
            }
            if let start, let end, let weeks {
                ranges.append(OpeningRange(weekday: dto.weekday, start: start, end: end, motifIDs: dto.motifIds.map(Set.init), weeks: weeks))
            }
        }
        guard errors.isEmpty, let from else { throw AppError.validation(errors) }
        let template = WeeklyTemplate(id: id, practitionerID: practitionerId, validFrom: from, validUntil: until, ranges: ranges)
        let problems = template.problems()
        if !problems.isEmpty { throw AppError.validation(problems.map { FieldError(field: $0.field, reason: $0.reason) }) }
        return template
    }
}

/// An absence or an extra opening.
struct ExceptionDTO: Content {
    var id: UUID?
    var practitionerId: UUID
    /// "absence" or "extraOpening".
    var kind: String
    var reason: String?
    var motifIds: [UUID]?
    var start: Date
    var end: Date

    func validated(id: UUID, practitioners: Set<UUID>, motifs: Set<UUID>) throws -> AgendaException {
        var errors: [FieldError] = []
        if !practitioners.contains(practitionerId) { errors.append(FieldError(field: "practitionerId", reason: "praticien inconnu dans ce cabinet")) }
        if kind != "absence" && kind != "extraOpening" { errors.append(FieldError(field: "kind", reason: "absence ou extraOpening")) }
        if kind == "absence" && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(FieldError(field: "reason", reason: "motif de l'absence obligatoire (congés, formation…)"))
        }
        if end <= start { errors.append(FieldError(field: "end", reason: "la fin doit suivre le début")) }
        for motif in motifIds ?? [] where !motifs.contains(motif) {
            errors.append(FieldError(field: "motifIds", reason: "motif inconnu dans ce cabinet"))
        }
        if !errors.isEmpty { throw AppError.validation(errors) }
        let kind: AgendaException.Kind = self.kind == "absence"
            ? .absence(reason: (reason ?? "").trimmingCharacters(in: .whitespaces))
            : .extraOpening(motifIDs: motifIds.map(Set.init))
        return AgendaException(id: id, practitionerID: practitionerId, kind: kind, interval: DateInterval(start: start, end: end))
    }
}

/// Urgent slots kept for a practitioner: either fixed times or the last slots of each day.
struct UrgentRuleDTO: Content {
    var id: UUID?
    var practitionerId: UUID
    var fixedTimes: [String]?
    var lastSlotsCount: Int?
    var slotMinutes: Int
    var releaseBeforeMinutes: Int
    var weekdays: [Int]?

    func validated(practitioners: Set<UUID>) throws -> UrgentSlotRule {
        var errors: [FieldError] = []
        if !practitioners.contains(practitionerId) { errors.append(FieldError(field: "practitionerId", reason: "praticien inconnu dans ce cabinet")) }
        var kind: UrgentSlotRule.Kind?
        switch (fixedTimes, lastSlotsCount) {
        case (let times?, nil):
            let parsed = times.map(LocalTime.init(parsing:))
            if times.isEmpty || parsed.contains(nil) {
                errors.append(FieldError(field: "fixedTimes", reason: "une ou plusieurs heures au format HH:MM"))
            } else {
                kind = .fixedTimes(parsed.compactMap { $0 }.sorted())
            }
        case (nil, let count?):
            if (1...12).contains(count) { kind = .lastSlotsOfDay(count: count) } else {
                errors.append(FieldError(field: "lastSlotsCount", reason: "de 1 à 12 créneaux"))
            }
        default:
            errors.append(FieldError(field: "fixedTimes", reason: "indiquez soit des heures fixes, soit un nombre de créneaux en fin de journée"))
        }
        if !(5...120).contains(slotMinutes) { errors.append(FieldError(field: "slotMinutes", reason: "de 5 à 120 minutes")) }
        if !(0...10_080).contains(releaseBeforeMinutes) { errors.append(FieldError(field: "releaseBeforeMinutes", reason: "de 0 à 10 080 minutes (une semaine)")) }
        let days = Set(weekdays ?? Array(1...5))
        if days.isEmpty || !days.isSubset(of: Set(1...7)) { errors.append(FieldError(field: "weekdays", reason: "jours de 1 (lundi) à 7 (dimanche)")) }
        guard errors.isEmpty, let kind else { throw AppError.validation(errors) }
        return UrgentSlotRule(practitionerID: practitionerId, kind: kind, slotMinutes: slotMinutes, releaseBeforeMinutes: releaseBeforeMinutes, weekdays: days)
    }
}

extension ExceptionDTO {
    /// From a stored record; declared in an extension so that the memberwise initialiser stays.
    init(_ record: AgendaExceptionRecord) {
        id = record.id
        practitionerId = record.$practitioner.id
        kind = record.kind
        reason = record.reason
        motifIds = record.motifIDs.map(CommaList.uuids)
        start = record.startsAt
        end = record.endsAt
    }
}

extension UrgentRuleDTO {
    /// From a stored record; declared in an extension so that the memberwise initialiser stays.
    init(_ record: UrgentSlotRuleRecord) {
        id = record.id
        practitionerId = record.$practitioner.id
        fixedTimes = record.fixedTimes.map(CommaList.strings)
        lastSlotsCount = record.lastSlotsCount
        slotMinutes = record.slotMinutes
        releaseBeforeMinutes = record.releaseBeforeMinutes
        weekdays = CommaList.strings(record.weekdays).compactMap { Int($0) }
    }
}
