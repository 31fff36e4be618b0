import Foundation

/// What the secretary asks: the first free slots for a motif, with optional filters.
public struct SlotQuery: Equatable, Sendable {
    public enum PartOfDay: String, Sendable, CaseIterable {
        /// Starting before noon.
        case morning
        /// Starting at noon or later.
        case afternoon
    }

    public var motifID: UUID
    /// One practitioner, or nil for any practitioner who takes the motif.
    public var practitionerID: UUID?
    public var from: Date
    public var limit: Int
    public var partOfDay: PartOfDay?
    /// Only slots starting at this local time or later.
    public var notBefore: LocalTime?
    /// ISO weekdays to keep (1 Monday … 7 Sunday); nil for all.
    public var weekdays: Set<Int>?
    /// A call triaged as urgent may take the reserved urgent slots.
    public var urgent: Bool
    public var channel: BookingChannel
    public var newPatient: Bool
    /// Slots for an appointment already booked (a move): its motif may since have been archived.
    public var forBookedAppointment: Bool
    /// Only slots starting before this instant: a search over a window (FHIR's `start=lt…`), which may ask up to
    /// `maximumWindowLimit` slots.
    public var until: Date?

    public init(motifID: UUID, practitionerID: UUID? = nil, from: Date, limit: Int = 10, partOfDay: PartOfDay? = nil,
                notBefore: LocalTime? = nil, weekdays: Set<Int>? = nil, urgent: Bool = false,
                channel: BookingChannel = .secretary, newPatient: Bool = false, forBookedAppointment: Bool = false,
                until: Date? = nil) {
        self.motifID = motifID
        self.practitionerID = practitionerID
        self.from = from
        self.limit = limit
        self.partOfDay = partOfDay
        self.notBefore = notBefore
        self.weekdays = weekdays
        self.urgent = urgent
        self.channel = channel
        self.newPatient = newPatient
        self.forBookedAppointment = forBookedAppointment
        self.until = until
    }

    public static let maximumLimit = 100
    public static let maximumWindowLimit = 2_000
}

/// A free slot.
public struct Slot: Equatable, Sendable {
    public let start: Date
    public let end: Date
    public let practitionerID: UUID
    /// The slot lies in time kept for urgent calls (offered to urgent requests only, until released).
    public let reservedForUrgent: Bool

    public init(start: Date, end: Date, practitionerID: UUID, reservedForUrgent: Bool = false) {
        self.start = start
        self.end = end
        self.practitionerID = practitionerID
        self.reservedForUrgent = reservedForUrgent
    }
}

/// Why a search cannot be answered.
public enum SlotSearchError: Error, Equatable, Sendable {
    case unknownMotif
    case archivedMotif
    case practitionerDoesNotTakeMotif
    case channelNotAllowed(BookingChannel)
    case newPatientsNotAllowed
    case limitOutOfRange(maximum: Int)

    /// The query field at fault, for the API's problem document.
    public var field: String {
        switch self {
        case .unknownMotif, .archivedMotif: "motif"
        case .practitionerDoesNotTakeMotif: "practitioner"
        case .channelNotAllowed: "channel"
        case .newPatientsNotAllowed: "newPatient"
        case .limitOutOfRange: "limit"
        }
    }

    /// The French reason.
    public var reason: String {
        switch self {
        case .unknownMotif: "motif inconnu dans ce cabinet"
        case .archivedMotif: Motif.archivedReason
        case .practitionerDoesNotTakeMotif: "ce praticien ne prend pas ce motif"
        case .channelNotAllowed(let channel): "ce motif ne se réserve pas par le canal « \(channel.rawValue) »"
        case .newPatientsNotAllowed: "ce motif n'est pas ouvert aux nouveaux patients"
        case .limitOutOfRange(let maximum): "de 1 à \(maximum) créneaux"
        }
    }
}

/// One day of one practitioner's agenda, as the week view draws it.
public struct DayPlan: Equatable, Sendable {
    public struct Absence: Equatable, Sendable {
        public let interval: DateInterval
        public let reason: String
    }

    public let date: LocalDate
    /// The public holiday's name, if the day is one.
    public let holiday: String?
    /// The practice opens on this holiday anyway.
    public let holidayOpened: Bool
    /// Open time, absences removed.
    public let openings: [DateInterval]
    public let absences: [Absence]
    public let reservedForUrgent: [DateInterval]
    /// Appointments and holds.
    public let busy: [DateInterval]
}

/// Everything the search needs of one practice, prepared once and kept in memory until a rule or booking changes.
public struct PracticeAgenda: Sendable {
    public let timeZone: TimeZone
    public let alsaceMoselle: Bool
    /// Public holidays on which the practice opens anyway.
    public let openedHolidays: Set<LocalDate>
    /// Practitioners in display order; ties between equal start times follow it.
    public let practitionerIDs: [UUID]
    let motifs: [UUID: Motif]
    let exceptions: [AgendaException]
    /// Each practitioner's rules together, fetched once per search rather than once per day.
    var rules: [UUID: PractitionerRules]
    /// Days already converted (their midnight instants and DST facts cost several time-zone look-ups each).
    let calendarCache: CalendarCache

    public init(timeZone: TimeZone, alsaceMoselle: Bool = false, openedHolidays: Set<LocalDate> = [], practitionerIDs: [UUID],
                motifs: [Motif], templates: [WeeklyTemplate], exceptions: [AgendaException] = [], busy: [BusyInterval] = [],
                urgentRules: [UrgentSlotRule] = []) {
        self.timeZone = timeZone
        self.alsaceMoselle = alsaceMoselle
        self.openedHolidays = openedHolidays
        self.practitionerIDs = practitionerIDs
        self.motifs = Dictionary(motifs.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        self.exceptions = exceptions
        var rules: [UUID: PractitionerRules] = [:]
        for template in templates { rules[template.practitionerID, default: .init()].templates.append(template) }
        for exception in exceptions {
            switch exception.kind {
            case .absence: rules[exception.practitionerID, default: .init()].absences.append(exception.interval)
            case .extraOpening(let motifs): rules[exception.practitionerID, default: .init()].extraOpenings.append((exception.interval, motifs))
            }
        }
        for interval in busy { rules[interval.practitionerID, default: .init()].busy.append(interval.interval) }
        for rule in urgentRules { rules[rule.practitionerID, default: .init()].urgentRules.append(rule) }
        for id in rules.keys {
            rules[id]!.absences = Self.merge(rules[id]!.absences)
            rules[id]!.busy = Self.merge(rules[id]!.busy)
        }
        self.rules = rules
        self.calendarCache = CalendarCache(timeZone: timeZone, alsaceMoselle: alsaceMoselle)
    }

    /// The first free slots matching `query`, in time order, seen from `now`.
    public func freeSlots(_ query: SlotQuery, now: Date) throws(SlotSearchError) -> [Slot] {
        let maximum = query.until == nil ? SlotQuery.maximumLimit : SlotQuery.maximumWindowLimit
        guard (1...maximum).contains(query.limit) else { throw .limitOutOfRange(maximum: maximum) }
        guard let motif = motifs[query.motifID] else { throw .unknownMotif }
        if motif.archived && !query.forBookedAppointment { throw .archivedMotif }
        guard motif.bookableBy.contains(query.channel) else { throw .channelNotAllowed(query.channel) }
        if query.newPatient && !motif.newPatientsAllowed { throw .newPatientsNotAllowed }
        let candidates: [UUID]
        if let one = query.practitionerID {
            guard motif.practitionerIDs.contains(one) else { throw .practitionerDoesNotTakeMotif }
            candidates = [one]
        } else {
            let taking = Set(motif.practitionerIDs)
            candidates = practitionerIDs.filter(taking.contains)
        }

        // Notice is met at its exact boundary: a slot starting at now + notice may be booked.
        let earliest = max(query.from, now.addingTimeInterval(TimeInterval(motif.minimumNoticeMinutes * 60)))
        var latestStart = now.addingTimeInterval(TimeInterval(motif.horizonDays * 86_400))
        // A start before `until`: the last second of the window at the latest (starts fall on whole minutes).
        if let until = query.until { latestStart = min(latestStart, until.addingTimeInterval(-1)) }
        guard earliest <= latestStart else { return [] }
        var day = LocalDate(earliest, in: timeZone)
        let lastDay = LocalDate(latestStart, in: timeZone)
        let candidateRules = candidates.map { rules[$0] ?? PractitionerRules() }
        var found: [Slot] = []
        while day <= lastDay && found.count < query.limit {
            defer { day = day.adding(days: 1) }
            if let weekdays = query.weekdays, !weekdays.contains(day.isoWeekday) { continue }
            let (localDay, isHoliday) = calendarCache.day(day)
            let closedHoliday = isHoliday && !openedHolidays.contains(day)
            guard let window = filterWindow(query, localDay) else { continue }
            // Each practitioner's slots come in time order; ties between practitioners follow the practice's order.
            var daySlots: [(slot: Slot, rank: Int)] = []
            for (rank, practitioner) in candidates.enumerated() {
                for slot in slots(for: practitioner, rules: candidateRules[rank], motif: motif, on: localDay, closedHoliday: closedHoliday,
                                  window: window, earliest: earliest, latestStart: latestStart, urgent: query.urgent, now: now) {
                    daySlots.append((slot, rank))
                }
            }
            if candidates.count > 1 {
                daySlots.sort { ($0.slot.start, $0.rank) < ($1.slot.start, $1.rank) }
            }
            found += daySlots.prefix(query.limit - found.count).map(\.slot)
        }
        return found
    }

    /// The same agenda with `practitioner`'s weekly templates replaced: what a draft would give, before it is saved.
    public func replacingTemplates(of practitioner: UUID, with templates: [WeeklyTemplate]) -> PracticeAgenda {
        var copy = self
        copy.rules[practitioner, default: .init()].templates = templates
        return copy
    }

    /// The first instant of `date` in the practice's zone.
    public func startOfDay(_ date: LocalDate) -> Date { calendarCache.day(date).day.start }

    public func templates(of practitioner: UUID) -> [WeeklyTemplate] { rules[practitioner]?.templates ?? [] }

    /// What one day of a practitioner's agenda looks like: for the week view.
    public func dayPlan(for practitioner: UUID, on date: LocalDate) -> DayPlan {
        let day = calendarCache.day(date).day
        let holiday = FrenchHolidays.holiday(on: date, alsaceMoselle: alsaceMoselle)
        let closed = holiday != nil && !openedHolidays.contains(date)
        let dayInterval = DateInterval(start: day.start, end: day.end)
        let absent = exceptions.compactMap { exception -> DayPlan.Absence? in
            guard exception.practitionerID == practitioner, case .absence(let reason) = exception.kind,
                  let part = exception.interval.intersection(with: dayInterval), part.duration > 0 else { return nil }
            return DayPlan.Absence(interval: part, reason: reason)
        }
        let own = rules[practitioner] ?? PractitionerRules()
        return DayPlan(date: date, holiday: holiday?.name, holidayOpened: holiday != nil && !closed,
                       openings: openings(own, on: day, motif: nil, closedHoliday: closed),
                       absences: absent,
                       reservedForUrgent: reservedIntervals(own, on: day, closedHoliday: closed).map(\.interval),
                       busy: busyIntervals(own, from: day.start, to: day.end))
    }

    /// The part of the day the filters leave, as instants.
    private func filterWindow(_ query: SlotQuery, _ day: LocalDay) -> DateInterval? {
        var low = 0, high = 1440
        switch query.partOfDay {
        case .morning: high = 720
        case .afternoon: low = 720
        case nil: break
        }
        if let notBefore = query.notBefore { low = max(low, notBefore.minutes) }
        return day.interval(from: low, to: high)
    }

    /// The practitioner's open intervals of the day for `motif` (every motif when nil), absences removed.
    func openings(_ own: PractitionerRules, on day: LocalDay, motif: UUID?, closedHoliday: Bool) -> [DateInterval] {
        var open: [DateInterval] = []
        if !closedHoliday {
            let week = day.date.isoWeek.week
            for template in own.templates where template.applies(on: day.date) {
                for range in template.ranges where range.weekday == day.date.isoWeekday && range.weeks.includes(isoWeek: week) {
                    if let motif, !range.allows(motif) { continue }
                    if let interval = day.interval(from: range.start.minutes, to: range.end.minutes) { open.append(interval) }
                }
            }
        }
        let dayInterval = DateInterval(start: day.start, end: day.end)
        for extra in own.extraOpenings {
            if let motif, let allowed = extra.motifIDs, !allowed.contains(motif) { continue }
            if let part = extra.interval.intersection(with: dayInterval), part.duration > 0 { open.append(part) }
        }
        return Self.subtract(own.absences, from: open.count > 1 ? Self.merge(open) : open)
    }

    /// Time kept for urgent calls on that day, from the practitioner's rules.
    func reservedIntervals(_ own: PractitionerRules, on day: LocalDay, closedHoliday: Bool,
                           allMotifOpenings: [DateInterval]? = nil) -> [(interval: DateInterval, releaseBefore: TimeInterval)] {
        guard !own.urgentRules.isEmpty else { return [] }
        let open = allMotifOpenings ?? openings(own, on: day, motif: nil, closedHoliday: closedHoliday)
        var reserved: [(DateInterval, TimeInterval)] = []
        for rule in own.urgentRules where rule.weekdays.contains(day.date.isoWeekday) {
            let release = TimeInterval(rule.releaseBeforeMinutes * 60)
            switch rule.kind {
            case .fixedTimes(let times):
                for time in times {
                    guard let slot = day.interval(from: time.minutes, to: time.minutes + rule.slotMinutes),
                          open.contains(where: { $0.start <= slot.start && slot.end <= $0.end }) else { continue }
                    reserved.append((slot, release))
                }
            case .lastSlotsOfDay(let count):
                var remaining = TimeInterval(count * rule.slotMinutes * 60)
                for interval in open.reversed() where remaining > 0 {
                    let taken = min(remaining, interval.duration)
                    reserved.append((DateInterval(start: interval.end.addingTimeInterval(-taken), end: interval.end), release))
                    remaining -= taken
                }
            }
        }
        return reserved
    }

    private func slots(for practitioner: UUID, rules own: PractitionerRules, motif: Motif, on day: LocalDay, closedHoliday: Bool,
                       window: DateInterval, earliest: Date, latestStart: Date, urgent: Bool, now: Date) -> [Slot] {
        let open = openings(own, on: day, motif: motif.id, closedHoliday: closedHoliday)
        guard !open.isEmpty else { return [] }
        let duration = TimeInterval(motif.durationMinutes * 60)
        let step = duration + TimeInterval(motif.bufferAfterMinutes * 60)

        var reservedForUrgent: [DateInterval] = []
        var blocked = busyIntervals(own, from: day.start, to: day.end.addingTimeInterval(step))
        for (interval, releaseBefore) in reservedIntervals(own, on: day, closedHoliday: closedHoliday,
                                                           allMotifOpenings: own.hasMotifRestrictions ? nil : open) {
            let released = now >= interval.start.addingTimeInterval(-releaseBefore)
            if urgent || released {
                if !released { reservedForUrgent.append(interval) }
            } else {
                blocked.append(interval)
            }
        }
        if blocked.count > 1 { blocked = Self.merge(blocked) }

        var result: [Slot] = []
        var blocker = 0
        for interval in open {
            guard let usable = interval.intersection(with: window), usable.duration >= duration else { continue }
            // Keep the grid of the opening: 09:00, 09:20, 09:40… even when searching from 09:07.
            let lower = max(usable.start, earliest)
            let steps = (lower.timeIntervalSince(interval.start) / step).rounded(.up)
            var start = interval.start.addingTimeInterval(steps * step)
            while start.addingTimeInterval(duration) <= usable.end && start <= latestStart {
                let needed = DateInterval(start: start, end: start.addingTimeInterval(step))
                while blocker < blocked.count && blocked[blocker].end <= needed.start { blocker += 1 }
                if blocker < blocked.count && blocked[blocker].start < needed.end {
                    start = blocked[blocker].end
                    continue
                }
                let slot = DateInterval(start: start, end: start.addingTimeInterval(duration))
                result.append(Slot(start: slot.start, end: slot.end, practitionerID: practitioner,
                                   reservedForUrgent: reservedForUrgent.contains { $0.start < slot.end && slot.start < $0.end }))
                start = start.addingTimeInterval(step)
            }
        }
        return result
    }

    /// The busy intervals touching [from, to), found by binary search in the sorted, disjoint list.
    private func busyIntervals(_ own: PractitionerRules, from: Date, to: Date) -> [DateInterval] {
        let all = own.busy
        guard !all.isEmpty else { return [] }
        var low = 0, high = all.count
        while low < high {
            let mid = (low + high) / 2
            if all[mid].end <= from { low = mid + 1 } else { high = mid }
        }
        var result: [DateInterval] = []
        var index = low
        while index < all.count && all[index].start < to {
            result.append(all[index])
            index += 1
        }
        return result
    }

    /// This agenda after `changes`, in their order: the time that bookings, moves and cancellations took or gave back
    /// once the database accepted them. The database never lets two occupied times of a practitioner overlap, so
    /// giving one back frees exactly its interval.
    public func updatingBusy(_ changes: [BusyChange]) -> PracticeAgenda {
        var copy = self
        for change in changes {
            switch change {
            case .taken(let busy):
                copy.rules[busy.practitionerID, default: .init()].busy = Self.inserting(busy.interval, into: copy.rules[busy.practitionerID]?.busy ?? [])
            case .freed(let busy):
                guard let list = copy.rules[busy.practitionerID]?.busy else { continue }
                copy.rules[busy.practitionerID]!.busy = Self.subtract([busy.interval], from: list)
            }
        }
        return copy
    }

    /// `interval` added to the sorted, disjoint `list`, merged with the intervals it touches.
    static func inserting(_ interval: DateInterval, into list: [DateInterval]) -> [DateInterval] {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid].end < interval.start { low = mid + 1 } else { high = mid }
        }
        var start = interval.start, end = interval.end, upper = low
        while upper < list.count && list[upper].start <= end {
            start = min(start, list[upper].start)
            end = max(end, list[upper].end)
            upper += 1
        }
        var result = list
        result.replaceSubrange(low..<upper, with: [DateInterval(start: start, end: end)])
        return result
    }

    static func merge(_ intervals: [DateInterval]) -> [DateInterval] {
        let sorted = intervals.sorted { $0.start < $1.start }
        var merged: [DateInterval] = []
        for interval in sorted {
            if let last = merged.last, interval.start <= last.end {
                merged[merged.count - 1] = DateInterval(start: last.start, end: max(last.end, interval.end))
            } else {
                merged.append(interval)
            }
        }
        return merged
    }

    /// `intervals` minus `holes`; both sorted and disjoint.
    static func subtract(_ holes: [DateInterval], from intervals: [DateInterval]) -> [DateInterval] {
        guard !holes.isEmpty else { return intervals }
        var result: [DateInterval] = []
        for interval in intervals {
            var start = interval.start
            for hole in holes where hole.end > start && hole.start < interval.end {
                if hole.start > start { result.append(DateInterval(start: start, end: hole.start)) }
                start = max(start, hole.end)
            }
            if start < interval.end { result.append(DateInterval(start: start, end: interval.end)) }
        }
        return result
    }
}

/// One practitioner's part of the agenda.
struct PractitionerRules: Sendable {
    var templates: [WeeklyTemplate] = []
    /// Merged, sorted, disjoint.
    var absences: [DateInterval] = []
    var extraOpenings: [(interval: DateInterval, motifIDs: Set<UUID>?)] = []
    /// Appointments and holds: merged, sorted, disjoint.
    var busy: [DateInterval] = []
    var urgentRules: [UrgentSlotRule] = []

    /// Some opening is kept for particular motifs: then the openings differ from one motif to another.
    var hasMotifRestrictions: Bool {
        templates.contains { $0.ranges.contains { $0.motifIDs != nil } } || extraOpenings.contains { $0.motifIDs != nil }
    }
}

/// Converted days and public holidays of one zone, shared by the copies of an agenda and safe across threads.
final class CalendarCache: @unchecked Sendable {
    private let timeZone: TimeZone
    private let alsaceMoselle: Bool
    private let lock = NSLock()
    private var days: [LocalDate: LocalDay] = [:]
    private var holidays: [Int: Set<LocalDate>] = [:]

    init(timeZone: TimeZone, alsaceMoselle: Bool) {
        self.timeZone = timeZone
        self.alsaceMoselle = alsaceMoselle
    }

    /// The day and whether it is a public holiday.
    func day(_ date: LocalDate) -> (day: LocalDay, isHoliday: Bool) {
        lock.lock()
        let cached = days[date]
        let yearHolidays = holidays[date.year]
        lock.unlock()
        let day = cached ?? LocalDay(date, zone: timeZone)
        let holidaySet = yearHolidays ?? Set(FrenchHolidays.holidays(in: date.year, alsaceMoselle: alsaceMoselle).map(\.date))
        if cached == nil || yearHolidays == nil {
            lock.lock()
            if days.count > 8_192 { days.removeAll(keepingCapacity: true) }
            days[date] = day
            holidays[date.year] = holidaySet
            lock.unlock()
        }
        return (day, holidaySet.contains(date))
    }
}
