import Domain
import Fluent
import Foundation

/// A consultation type of a practice.
final class MotifRecord: Model, @unchecked Sendable {
    static let schema = "motifs"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Field(key: "label") var label: String
    @Field(key: "duration_minutes") var durationMinutes: Int
    @Field(key: "buffer_after_minutes") var bufferAfterMinutes: Int
    /// Practitioner ids separated by commas, in the practice's order.
    @Field(key: "practitioner_ids") var practitionerIDs: String
    @Field(key: "new_patients_allowed") var newPatientsAllowed: Bool
    @Field(key: "minimum_notice_minutes") var minimumNoticeMinutes: Int
    @Field(key: "horizon_days") var horizonDays: Int
    @Field(key: "patient_instructions") var patientInstructions: String
    /// Booking channels separated by commas.
    @Field(key: "bookable_by") var bookableBy: String
    @Field(key: "colour") var colour: String
    /// When the motif stopped being offered for new bookings; nil while it is.
    @OptionalField(key: "archived_at") var archivedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var domain: Motif {
        Motif(id: id!, label: label, durationMinutes: durationMinutes, bufferAfterMinutes: bufferAfterMinutes,
              practitionerIDs: CommaList.uuids(practitionerIDs), newPatientsAllowed: newPatientsAllowed,
              minimumNoticeMinutes: minimumNoticeMinutes, horizonDays: horizonDays, patientInstructions: patientInstructions,
              bookableBy: Set(CommaList.strings(bookableBy).compactMap(BookingChannel.init(rawValue:))), colour: colour,
              archived: archivedAt != nil)
    }

    func apply(_ motif: Motif, practice: UUID) {
        id = motif.id
        $practice.id = practice
        label = motif.label
        durationMinutes = motif.durationMinutes
        bufferAfterMinutes = motif.bufferAfterMinutes
        practitionerIDs = CommaList.join(motif.practitionerIDs.map(\.uuidString))
        newPatientsAllowed = motif.newPatientsAllowed
        minimumNoticeMinutes = motif.minimumNoticeMinutes
        horizonDays = motif.horizonDays
        patientInstructions = motif.patientInstructions
        bookableBy = CommaList.join(BookingChannel.allCases.filter(motif.bookableBy.contains).map(\.rawValue))
        colour = motif.colour
    }
}

/// A practitioner's weekly hours; the ranges are kept together as JSON and always edited as a whole.
final class WeeklyTemplateRecord: Model, @unchecked Sendable {
    static let schema = "weekly_templates"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Parent(key: "practitioner_id") var practitioner: PractitionerRecord
    @Field(key: "valid_from") var validFrom: String
    @OptionalField(key: "valid_until") var validUntil: String?
    @Field(key: "ranges") var ranges: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// An absence or an extra opening.
final class AgendaExceptionRecord: Model, @unchecked Sendable {
    static let schema = "agenda_exceptions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Parent(key: "practitioner_id") var practitioner: PractitionerRecord
    /// "absence" or "extraOpening".
    @Field(key: "kind") var kind: String
    @Field(key: "reason") var reason: String
    @OptionalField(key: "motif_ids") var motifIDs: String?
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var domain: AgendaException {
        let interval = DateInterval(start: startsAt, end: endsAt)
        let kind: AgendaException.Kind = self.kind == "absence"
            ? .absence(reason: reason)
            : .extraOpening(motifIDs: motifIDs.map { Set(CommaList.uuids($0)) })
        return AgendaException(id: id!, practitionerID: $practitioner.id, kind: kind, interval: interval)
    }

    func apply(_ exception: AgendaException, practice: UUID) {
        id = exception.id
        $practice.id = practice
        $practitioner.id = exception.practitionerID
        switch exception.kind {
        case .absence(let reason):
            kind = "absence"
            self.reason = reason
            motifIDs = nil
        case .extraOpening(let motifs):
            kind = "extraOpening"
            reason = ""
            motifIDs = motifs.map { CommaList.join($0.map(\.uuidString).sorted()) }
        }
        startsAt = exception.interval.start
        endsAt = exception.interval.end
    }
}

/// Urgent slots kept for a practitioner.
final class UrgentSlotRuleRecord: Model, @unchecked Sendable {
    static let schema = "urgent_slot_rules"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Parent(key: "practitioner_id") var practitioner: PractitionerRecord
    /// "11:20,17:40", or nil when the rule keeps the last slots of the day.
    @OptionalField(key: "fixed_times") var fixedTimes: String?
    @OptionalField(key: "last_slots_count") var lastSlotsCount: Int?
    @Field(key: "slot_minutes") var slotMinutes: Int
    @Field(key: "release_before_minutes") var releaseBeforeMinutes: Int
    /// ISO weekdays separated by commas.
    @Field(key: "weekdays") var weekdays: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    var domain: UrgentSlotRule {
        let kind: UrgentSlotRule.Kind = fixedTimes.map { .fixedTimes(CommaList.strings($0).compactMap(LocalTime.init(parsing:))) }
            ?? .lastSlotsOfDay(count: lastSlotsCount ?? 0)
        return UrgentSlotRule(practitionerID: $practitioner.id, kind: kind, slotMinutes: slotMinutes, releaseBeforeMinutes: releaseBeforeMinutes,
                              weekdays: Set(CommaList.strings(weekdays).compactMap { Int($0) }))
    }

    func apply(_ rule: UrgentSlotRule, id: UUID, practice: UUID) {
        self.id = id
        $practice.id = practice
        $practitioner.id = rule.practitionerID
        switch rule.kind {
        case .fixedTimes(let times):
            fixedTimes = CommaList.join(times.map(\.description))
            lastSlotsCount = nil
        case .lastSlotsOfDay(let count):
            fixedTimes = nil
            lastSlotsCount = count
        }
        slotMinutes = rule.slotMinutes
        releaseBeforeMinutes = rule.releaseBeforeMinutes
        weekdays = CommaList.join(rule.weekdays.sorted().map(String.init))
    }
}

/// Short lists kept in one text column.
enum CommaList {
    static func strings(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func uuids(_ text: String) -> [UUID] { strings(text).compactMap(UUID.init(uuidString:)) }

    static func join(_ items: [String]) -> String { items.joined(separator: ",") }
}
