import Foundation

/// Who may book a consultation type.
public enum BookingChannel: String, Codable, Sendable, CaseIterable {
    case secretary, online
}

/// A consultation type (motif): how long it lasts and who may book it when.
public struct Motif: Equatable, Sendable {
    public let id: UUID
    public var label: String
    public var durationMinutes: Int
    public var bufferAfterMinutes: Int
    /// The practitioners who take it.
    public var practitionerIDs: [UUID]
    public var newPatientsAllowed: Bool
    /// How long before its start a slot may still be booked.
    public var minimumNoticeMinutes: Int
    /// How far ahead a slot may be booked.
    public var horizonDays: Int
    /// Read to the patient at booking ("venir à jeun").
    public var patientInstructions: String
    public var bookableBy: Set<BookingChannel>
    /// `#RRGGBB`, for the agenda.
    public var colour: String
    /// An archived motif is no longer offered for new bookings, holds or waiting-list entries; the appointments already
    /// booked with it keep it and stay movable. A motif once used is archived, never deleted.
    public var archived: Bool

    public init(id: UUID, label: String, durationMinutes: Int, bufferAfterMinutes: Int = 0, practitionerIDs: [UUID],
                newPatientsAllowed: Bool = true, minimumNoticeMinutes: Int = 0, horizonDays: Int = 90,
                patientInstructions: String = "", bookableBy: Set<BookingChannel> = [.secretary], colour: String = "#1F5F99",
                archived: Bool = false) {
        self.id = id
        self.label = label
        self.durationMinutes = durationMinutes
        self.bufferAfterMinutes = bufferAfterMinutes
        self.practitionerIDs = practitionerIDs
        self.newPatientsAllowed = newPatientsAllowed
        self.minimumNoticeMinutes = minimumNoticeMinutes
        self.horizonDays = horizonDays
        self.patientInstructions = patientInstructions
        self.bookableBy = bookableBy
        self.colour = colour
        self.archived = archived
    }

    /// Every problem with this motif, each naming its field.
    public func problems() -> [AgendaRuleProblem] {
        var problems: [AgendaRuleProblem] = []
        if label.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(.init(field: "label", reason: "libellé obligatoire")) }
        if !(5...480).contains(durationMinutes) { problems.append(.init(field: "durationMinutes", reason: "durée de 5 à 480 minutes")) }
        if !(0...120).contains(bufferAfterMinutes) { problems.append(.init(field: "bufferAfterMinutes", reason: "battement de 0 à 120 minutes")) }
        if practitionerIDs.isEmpty { problems.append(.init(field: "practitionerIds", reason: "au moins un praticien")) }
        if minimumNoticeMinutes < 0 { problems.append(.init(field: "minimumNoticeMinutes", reason: "délai de prévenance positif ou nul")) }
        if !(1...730).contains(horizonDays) { problems.append(.init(field: "horizonDays", reason: "horizon de 1 à 730 jours")) }
        if bookableBy.isEmpty { problems.append(.init(field: "bookableBy", reason: "au moins un canal de réservation")) }
        if colour.range(of: "^#[0-9A-Fa-f]{6}$", options: .regularExpression) == nil {
            problems.append(.init(field: "colour", reason: "couleur au format #RRGGBB"))
        }
        return problems
    }
}

extension Motif {
    /// Why an archived motif is refused for a new booking.
    public static let archivedReason = "motif archivé : il ne se réserve plus (ses rendez-vous déjà pris restent déplaçables)"
}

/// What still names a motif. A motif named by anything is archived, never deleted: its appointments keep their motif
/// (their duration, buffer and instructions), and holds and waiting-list entries keep theirs.
public struct MotifUsage: Equatable, Sendable {
    public var appointments: Int
    public var holds: Int
    public var waitingListEntries: Int

    public init(appointments: Int, holds: Int, waitingListEntries: Int) {
        self.appointments = appointments
        self.holds = holds
        self.waitingListEntries = waitingListEntries
    }

    public var isUsed: Bool { appointments + holds + waitingListEntries > 0 }

    /// "12 rendez-vous, 1 créneau retenu et 2 inscriptions en liste d'attente", only the non-zero counts.
    public var description: String {
        func count(_ n: Int, _ one: String, _ many: String) -> String? { n == 0 ? nil : "\(n) \(n == 1 ? one : many)" }
        let parts = [count(appointments, "rendez-vous", "rendez-vous"), count(holds, "créneau retenu", "créneaux retenus"),
                     count(waitingListEntries, "inscription en liste d'attente", "inscriptions en liste d'attente")].compactMap { $0 }
        guard let last = parts.last else { return "rien" }
        return parts.count == 1 ? last : parts.dropLast().joined(separator: ", ") + " et " + last
    }
}

/// A field of an agenda rule and why its value is refused.
public struct AgendaRuleProblem: Error, Equatable, Sendable {
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// One opening range of a weekly template, in local wall-clock time.
public struct OpeningRange: Equatable, Sendable {
    /// ISO weekday, 1 Monday … 7 Sunday.
    public var weekday: Int
    public var start: LocalTime
    public var end: LocalTime
    /// The motifs it is kept for; nil for every motif.
    public var motifIDs: Set<UUID>?
    public var weeks: WeekParity

    public init(weekday: Int, start: LocalTime, end: LocalTime, motifIDs: Set<UUID>? = nil, weeks: WeekParity = .every) {
        self.weekday = weekday
        self.start = start
        self.end = end
        self.motifIDs = motifIDs
        self.weeks = weeks
    }

    func allows(_ motif: UUID) -> Bool { motifIDs?.contains(motif) ?? true }
}

/// A practitioner's weekly opening hours, valid between two dates.
public struct WeeklyTemplate: Equatable, Sendable {
    public let id: UUID
    public var practitionerID: UUID
    public var validFrom: LocalDate
    /// Inclusive; nil for open-ended.
    public var validUntil: LocalDate?
    public var ranges: [OpeningRange]

    public init(id: UUID, practitionerID: UUID, validFrom: LocalDate, validUntil: LocalDate? = nil, ranges: [OpeningRange]) {
        self.id = id
        self.practitionerID = practitionerID
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.ranges = ranges
    }

    public func applies(on date: LocalDate) -> Bool {
        date >= validFrom && (validUntil.map { date <= $0 } ?? true)
    }

    /// Every problem: a range ending before it starts, a bad weekday, two ranges of the same day that overlap.
    public func problems() -> [AgendaRuleProblem] {
        var problems: [AgendaRuleProblem] = []
        if let until = validUntil, until < validFrom {
            problems.append(.init(field: "validUntil", reason: "la fin de validité précède son début"))
        }
        for (index, range) in ranges.enumerated() {
            if !(1...7).contains(range.weekday) {
                problems.append(.init(field: "ranges[\(index)].weekday", reason: "jour de 1 (lundi) à 7 (dimanche)"))
            }
            if range.end <= range.start {
                problems.append(.init(field: "ranges[\(index)].end", reason: "la plage se termine (\(range.end)) avant de commencer (\(range.start))"))
            }
        }
        for i in ranges.indices {
            for j in ranges.indices where j > i {
                let a = ranges[i], b = ranges[j]
                if a.weekday == b.weekday, a.weeks.overlaps(b.weeks), a.start < b.end, b.start < a.end {
                    problems.append(.init(field: "ranges[\(j)]", reason: "chevauche la plage \(a.start)–\(a.end) du même jour"))
                }
            }
        }
        return problems
    }
}

/// A change to the weekly hours over a span of instants: an absence, or an extra opening.
public struct AgendaException: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// Holidays, training, sick leave…: nothing can be booked.
        case absence(reason: String)
        /// Open outside the weekly hours, for some motifs or all (nil).
        case extraOpening(motifIDs: Set<UUID>?)
    }

    public let id: UUID
    public var practitionerID: UUID
    public var kind: Kind
    public var interval: DateInterval

    public init(id: UUID, practitionerID: UUID, kind: Kind, interval: DateInterval) {
        self.id = id
        self.practitionerID = practitionerID
        self.kind = kind
        self.interval = interval
    }
}

/// Slots kept for calls triaged as urgent, released to ordinary booking a while before they start.
public struct UrgentSlotRule: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// Slots starting at these times each open day.
        case fixedTimes([LocalTime])
        /// The last `count` slots of each open day.
        case lastSlotsOfDay(count: Int)
    }

    public var practitionerID: UUID
    public var kind: Kind
    public var slotMinutes: Int
    /// How long before its start a reserved slot becomes bookable by anyone.
    public var releaseBeforeMinutes: Int
    public var weekdays: Set<Int>

    public init(practitionerID: UUID, kind: Kind, slotMinutes: Int, releaseBeforeMinutes: Int, weekdays: Set<Int> = Set(1...7)) {
        self.practitionerID = practitionerID
        self.kind = kind
        self.slotMinutes = slotMinutes
        self.releaseBeforeMinutes = releaseBeforeMinutes
        self.weekdays = weekdays
    }
}

/// An interval taken in a practitioner's agenda: an appointment (with its buffer) or a hold.
public struct BusyInterval: Equatable, Sendable {
    public var practitionerID: UUID
    public var interval: DateInterval

    public init(practitionerID: UUID, interval: DateInterval) {
        self.practitionerID = practitionerID
        self.interval = interval
    }
}

/// Time a write took (a booking, a hold) or gave back (a cancellation, a release, a move's former time).
public enum BusyChange: Equatable, Sendable {
    case taken(BusyInterval)
    case freed(BusyInterval)

    public var busy: BusyInterval {
        switch self { case .taken(let busy), .freed(let busy): busy }
    }

    /// Whether some change of `one` and some change of `other` name the same time of the same practitioner.
    public static func anyCross(_ one: [BusyChange], _ other: [BusyChange]) -> Bool {
        one.contains { a in
            other.contains { b in
                a.busy.practitionerID == b.busy.practitionerID && a.busy.interval.start < b.busy.interval.end
                    && b.busy.interval.start < a.busy.interval.end
            }
        }
    }
}
