import Foundation

/// A series of appointments at the same local time every few weeks (ten weekly physiotherapy sessions).
public struct SeriesPlan: Equatable, Sendable {
    public static let maximumCount = 52

    public var firstStart: Date
    public var count: Int
    public var intervalWeeks: Int

    public init(firstStart: Date, count: Int, intervalWeeks: Int = 1) {
        self.firstStart = firstStart
        self.count = count
        self.intervalWeeks = intervalWeeks
    }

    /// Every problem with the plan, each naming its field.
    public func problems() -> [AgendaRuleProblem] {
        var problems: [AgendaRuleProblem] = []
        if !(2...Self.maximumCount).contains(count) { problems.append(.init(field: "count", reason: "de 2 à \(Self.maximumCount) séances")) }
        if !(1...4).contains(intervalWeeks) { problems.append(.init(field: "intervalWeeks", reason: "toutes les 1 à 4 semaines")) }
        return problems
    }

    /// The starts: the same wall-clock time as the first one, so a 09:00 session stays at 09:00 across a DST change.
    /// A time the change skips moves to the instant the clock jumps; one lived twice takes its first pass.
    public func starts(in zone: TimeZone) -> [Date] {
        let day = LocalDate(firstStart, in: zone)
        let minutes = WallClock.minutes(of: firstStart, in: zone)
        return (0..<count).map { index in
            index == 0 ? firstStart
                : WallClock.resolve(day.adding(days: 7 * intervalWeeks * index), minutes: minutes, in: zone, ambiguity: .earlier).instant
        }
    }
}

/// How soon a patient on the waiting list should be called back.
public enum WaitingPriority: Int, Codable, Sendable, CaseIterable, Comparable {
    case high = 1, normal = 2, low = 3

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var label: String {
        switch self {
        case .high: "haute"
        case .normal: "normale"
        case .low: "basse"
        }
    }
}

/// A patient who wants an earlier slot than the one offered.
public struct WaitingListEntry: Equatable, Sendable {
    public let id: UUID
    public var patientID: UUID
    public var motifID: UUID
    /// The practitioners the patient accepts; empty for any who takes the motif.
    public var practitionerIDs: Set<UUID>
    /// When the patient could come.
    public var window: DateInterval
    public var priority: WaitingPriority
    public var createdAt: Date

    public init(id: UUID, patientID: UUID, motifID: UUID, practitionerIDs: Set<UUID>, window: DateInterval,
                priority: WaitingPriority, createdAt: Date) {
        self.id = id
        self.patientID = patientID
        self.motifID = motifID
        self.practitionerIDs = practitionerIDs
        self.window = window
        self.priority = priority
        self.createdAt = createdAt
    }

    /// Whether the patient could take `freed` (time released by a cancellation or a move) for their motif.
    public func matches(freed: DateInterval, practitioner: UUID, motif: Motif, now: Date) -> Bool {
        guard motif.id == motifID, motif.practitionerIDs.contains(practitioner),
              practitionerIDs.isEmpty || practitionerIDs.contains(practitioner) else { return false }
        let duration = TimeInterval(motif.durationMinutes * 60)
        let start = max(freed.start, now)
        return start.addingTimeInterval(duration) <= freed.end && window.start <= start && start < window.end
    }

    /// Callback order: priority first, then who has waited longest.
    public static func callbackOrder(_ a: WaitingListEntry, _ b: WaitingListEntry) -> Bool {
        (a.priority, a.createdAt, a.id.uuidString) < (b.priority, b.createdAt, b.id.uuidString)
    }
}
