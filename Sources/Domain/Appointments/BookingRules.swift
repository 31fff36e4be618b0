import Foundation

/// A booking rule that a given time breaks. A secretary may still book it with an explicit override and a reason;
/// an overlap with another appointment or hold is not a rule of this kind: it is never allowed.
public enum BookingRuleBreach: Equatable, Sendable {
    case outsideOpeningHours
    case absence(reason: String)
    case closedHoliday(name: String)
    case tooShortNotice(minimumMinutes: Int)
    case beyondHorizon(days: Int)
    case reservedForUrgent

    /// A stable name for the API.
    public var code: String {
        switch self {
        case .outsideOpeningHours: "outside-opening-hours"
        case .absence: "absence"
        case .closedHoliday: "closed-holiday"
        case .tooShortNotice: "too-short-notice"
        case .beyondHorizon: "beyond-horizon"
        case .reservedForUrgent: "reserved-for-urgent"
        }
    }

    /// The French reason.
    public var reason: String {
        switch self {
        case .outsideOpeningHours: "en dehors des horaires de consultation pour ce motif"
        case .absence(let reason): "le praticien est absent (\(reason))"
        case .closedHoliday(let name): "jour férié (\(name)), cabinet fermé"
        case .tooShortNotice(let minutes): "délai de prévenance non respecté (\(minutes) min au moins)"
        case .beyondHorizon(let days): "au-delà de l'horizon de réservation (\(days) jours)"
        case .reservedForUrgent: "créneau réservé aux urgences, pas encore libéré"
        }
    }
}

/// Why a booking cannot be made at all, override or not.
public enum BookingRefusal: Error, Equatable, Sendable {
    case unknownMotif
    case archivedMotif
    case practitionerDoesNotTakeMotif
    case startInPast
    case channelNotAllowed(BookingChannel)

    /// The request field at fault.
    public var field: String {
        switch self {
        case .unknownMotif, .archivedMotif: "motifId"
        case .practitionerDoesNotTakeMotif: "practitionerId"
        case .startInPast: "start"
        case .channelNotAllowed: "motifId"
        }
    }

    public var reason: String {
        switch self {
        case .unknownMotif: "motif inconnu dans ce cabinet"
        case .archivedMotif: Motif.archivedReason
        case .practitionerDoesNotTakeMotif: "ce praticien ne prend pas ce motif"
        case .startInPast: "l'heure de début est passée"
        case .channelNotAllowed(let channel): "ce motif ne se réserve pas par le canal « \(channel.rawValue) »"
        }
    }
}

extension PracticeAgenda {
    public func motif(_ id: UUID) -> Motif? { motifs[id] }

    /// The motifs a practitioner takes (not archived), by label.
    public func motifs(of practitioner: UUID) -> [Motif] {
        motifs.values.filter { !$0.archived && $0.practitionerIDs.contains(practitioner) }.sorted { ($0.label, $0.id.uuidString) < ($1.label, $1.id.uuidString) }
    }

    /// Every motif of the practice, archived ones too, by label (as the screens list them).
    public var motifList: [Motif] {
        motifs.values.sorted { $0.label == $1.label ? $0.id.uuidString < $1.id.uuidString : $0.label < $1.label }
    }

    /// The motif checked for a booking by `practitioner` through `channel`; an archived motif only for an appointment
    /// already booked with it (a move).
    public func bookableMotif(_ id: UUID, practitioner: UUID, channel: BookingChannel = .secretary,
                              forBookedAppointment: Bool = false) throws(BookingRefusal) -> Motif {
        guard let motif = motifs[id] else { throw .unknownMotif }
        if motif.archived && !forBookedAppointment { throw .archivedMotif }
        guard motif.practitionerIDs.contains(practitioner) else { throw .practitionerDoesNotTakeMotif }
        guard motif.bookableBy.contains(channel) else { throw .channelNotAllowed(channel) }
        return motif
    }

    /// The rules that booking `motif` with `practitioner` at `start` would break, seen at `now`; empty when it fits.
    /// Overlaps with appointments and holds are not checked here: the database refuses them.
    public func breaches(practitioner: UUID, motif: Motif, start: Date, now: Date, urgent: Bool) throws(BookingRefusal) -> [BookingRuleBreach] {
        guard motif.practitionerIDs.contains(practitioner) else { throw .practitionerDoesNotTakeMotif }
        guard start >= now else { throw .startInPast }
        let wanted = DateInterval(start: start, duration: TimeInterval(motif.durationMinutes * 60))
        let date = LocalDate(start, in: timeZone)
        let (day, isHoliday) = calendarCache.day(date)
        let closedHoliday = isHoliday && !openedHolidays.contains(date)
        let own = rules[practitioner] ?? PractitionerRules()
        var breaches: [BookingRuleBreach] = []

        let open = openings(own, on: day, motif: motif.id, closedHoliday: closedHoliday)
        if !open.contains(where: { $0.start <= wanted.start && wanted.end <= $0.end }) {
            if let absence = exceptions.first(where: {
                if case .absence = $0.kind { return $0.practitionerID == practitioner && $0.interval.start < wanted.end && wanted.start < $0.interval.end }
                return false
            }), case .absence(let reason) = absence.kind {
                breaches.append(.absence(reason: reason))
            } else if closedHoliday, let holiday = FrenchHolidays.holiday(on: date, alsaceMoselle: alsaceMoselle) {
                breaches.append(.closedHoliday(name: holiday.name))
            } else {
                breaches.append(.outsideOpeningHours)
            }
        }
        if start < now.addingTimeInterval(TimeInterval(motif.minimumNoticeMinutes * 60)) {
            breaches.append(.tooShortNotice(minimumMinutes: motif.minimumNoticeMinutes))
        }
        if start > now.addingTimeInterval(TimeInterval(motif.horizonDays * 86_400)) {
            breaches.append(.beyondHorizon(days: motif.horizonDays))
        }
        if !urgent {
            let kept = reservedIntervals(own, on: day, closedHoliday: closedHoliday).contains { reserved, releaseBefore in
                reserved.start < wanted.end && wanted.start < reserved.end && now < reserved.start.addingTimeInterval(-releaseBefore)
            }
            if kept { breaches.append(.reservedForUrgent) }
        }
        return breaches
    }

    /// Free slots close to an appointment at `original` with `practitioner`, best first: within two weeks of it, the same
    /// practitioner first, then the same part of the day, then the nearest dates and times. At most `count`.
    public func alternatives(to original: Date, practitioner: UUID, motif: UUID, now: Date, count: Int = 5,
                             urgent: Bool = false) throws(SlotSearchError) -> [Slot] {
        let originalDay = LocalDate(original, in: timeZone)
        // Look a few days either side of the original date, never before now.
        let from = max(now, startOfDay(originalDay.adding(days: -3)))
        var candidates: [Slot] = []
        for who in [practitioner, nil] as [UUID?] {
            if let who, motifs[motif]?.practitionerIDs.contains(who) == false { continue }
            for start in [from, max(now, startOfDay(originalDay))] {
                candidates += try freeSlots(SlotQuery(motifID: motif, practitionerID: who, from: start, limit: 40, urgent: urgent,
                                                      forBookedAppointment: true), now: now)
            }
        }
        let originalMinutes = WallClock.minutes(of: original, in: timeZone)
        let morning = originalMinutes < 720
        var seen = Set<String>()
        let ranked = candidates.filter { seen.insert("\($0.practitionerID)\($0.start.timeIntervalSince1970)").inserted }
            .map { slot -> (slot: Slot, key: [Int]) in
                let minutes = WallClock.minutes(of: slot.start, in: timeZone)
                let dayDistance = abs(LocalDate(slot.start, in: timeZone).daysSince(originalDay))
                // Within two weeks the patient keeps their practitioner; further away, the nearest date wins.
                return (slot, [dayDistance > 14 ? 1 : 0, slot.practitionerID == practitioner ? 0 : 1, (minutes < 720) == morning ? 0 : 1,
                               dayDistance, abs(minutes - originalMinutes), Int(slot.start.timeIntervalSince1970)])
            }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
        return ranked.prefix(count).map(\.slot)
    }
}

extension LocalDate {
    /// Whole days from `other` to `self` (negative when `self` is earlier).
    public func daysSince(_ other: LocalDate) -> Int {
        (secondsSinceEpochAsUTC - other.secondsSinceEpochAsUTC) / 86_400
    }
}
