import Foundation

/// A change of an appointment, from the journal: who made it, when, and the slot it concerned.
public struct AppointmentChangeFact: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, Codable { case booked, moved, cancelled }
    /// Who made the change: the center (a secretary or a supervisor), the practice (a practitioner) or anyone else
    /// (the system, an integration).
    public enum Author: String, Sendable, Equatable, Codable, CaseIterable { case center, practice, other }

    public let kind: Kind
    public let at: Date
    public let author: Author
    /// The appointment's start before the change (for a move or a cancellation, the time given up).
    public let slotStart: Date

    public init(kind: Kind, at: Date, author: Author, slotStart: Date) {
        self.kind = kind
        self.at = at
        self.author = author
        self.slotStart = slotStart
    }
}

/// Appointments over a period: booked, moved and cancelled, by whom, and how long before the time given up; the
/// no-show rate of the appointments whose time came in the period (absent ÷ (absent + arrived or seen)).
public struct AppointmentFigures: Sendable, Equatable, Codable {
    public struct ByAuthor: Sendable, Equatable, Codable {
        public let center: Int
        public let practice: Int
        public let other: Int

        public init(center: Int, practice: Int, other: Int) {
            self.center = center
            self.practice = practice
            self.other = other
        }
    }
    /// A cancellation under 24 hours before its time is « tardive ».
    public static let lateNotice: TimeInterval = 86_400

    public let booked: ByAuthor
    public let moved: ByAuthor
    public let cancelled: ByAuthor
    /// Hours between a cancellation and the time it gave up.
    public let cancellationNoticeHours: DurationSummary
    public let lateCancellations: Int
    public let noShows: Int
    public let honoured: Int
    public let noShowRate: Double?

    /// `statuses`: the statuses of the appointments whose time came in the period.
    public init(changes: [AppointmentChangeFact], statuses: [AppointmentStatus]) {
        self.init(counts: changes.reduce(into: [:]) { counts, change in counts[change.kind, default: [:]][change.author, default: 0] += 1 },
                  cancellations: changes.filter { $0.kind == .cancelled },
                  statuses: statuses.reduce(into: [:]) { counts, status in counts[status, default: 0] += 1 })
    }

    /// From the changes counted by kind and author, the cancellations themselves (for their notice) and the statuses
    /// counted: the figures of a month read from the database come so.
    public init(counts: [AppointmentChangeFact.Kind: [AppointmentChangeFact.Author: Int]], cancellations: [AppointmentChangeFact],
                statuses: [AppointmentStatus: Int]) {
        func count(_ kind: AppointmentChangeFact.Kind) -> ByAuthor {
            let of = counts[kind] ?? [:]
            return ByAuthor(center: of[.center] ?? 0, practice: of[.practice] ?? 0, other: of[.other] ?? 0)
        }
        booked = count(.booked)
        moved = count(.moved)
        cancelled = count(.cancelled)
        let notices = cancellations.map { $0.slotStart.timeIntervalSince($0.at) }
        cancellationNoticeHours = DurationSummary(notices.map { $0 / 3600 })
        lateCancellations = notices.filter { $0 < Self.lateNotice }.count
        noShows = statuses[.noshow] ?? 0
        honoured = (statuses[.arrived] ?? 0) + (statuses[.fulfilled] ?? 0)
        noShowRate = noShows + honoured > 0 ? Double(noShows) / Double(noShows + honoured) : nil
    }
}

/// A triage record as the figures read it.
public struct TriageFact: Sendable, Equatable {
    public let computedLevel: UrgencyLevel
    public let finalLevel: UrgencyLevel
    public let orientation: String

    public init(computedLevel: UrgencyLevel, finalLevel: UrgencyLevel, orientation: String) {
        self.computedLevel = computedLevel
        self.finalLevel = finalLevel
        self.orientation = orientation
    }
}

/// Triages over a period: how many at each final level and each orientation, and the levels changed by the secretary
/// (raised: more urgent than computed; lowered: less urgent, always with a written reason).
public struct TriageFigures: Sendable, Equatable, Codable {
    public let total: Int
    /// Final level 1…5 → count (every level present, 0 when none).
    public let byLevel: [Int: Int]
    public let byOrientation: [String: Int]
    public let raised: Int
    public let lowered: Int

    public init(_ triages: [TriageFact]) {
        total = triages.count
        byLevel = Dictionary(uniqueKeysWithValues: UrgencyLevel.allCases.map { level in (level.rawValue, triages.filter { $0.finalLevel == level }.count) })
        byOrientation = Dictionary(grouping: triages, by: \.orientation).mapValues(\.count)
        raised = triages.filter { $0.finalLevel.rawValue < $0.computedLevel.rawValue }.count
        lowered = triages.filter { $0.finalLevel.rawValue > $0.computedLevel.rawValue }.count
    }
}

/// A transmission as the figures read it.
public struct TransmissionFact: Sendable, Equatable {
    public let priority: TransmissionPriority
    public let sentAt: Date
    public let acknowledgedAt: Date?
    /// The highest step of the escalation ladder it reached (0: none).
    public let escalationStep: Int

    public init(priority: TransmissionPriority, sentAt: Date, acknowledgedAt: Date?, escalationStep: Int) {
        self.priority = priority
        self.sentAt = sentAt
        self.acknowledgedAt = acknowledgedAt
        self.escalationStep = escalationStep
    }
}

/// Transmissions over a period, by priority: how many, how many acknowledged and after how long (minutes), and the
/// ladder's steps reached (step → count, over those that climbed at all).
public struct TransmissionFigures: Sendable, Equatable, Codable {
    public struct OfPriority: Sendable, Equatable, Codable {
        public let sent: Int
        public let acknowledged: Int
        public let minutesToAcknowledgement: DurationSummary
    }

    public let byPriority: [String: OfPriority]
    public let stepsReached: [Int: Int]

    public init(_ transmissions: [TransmissionFact]) {
        var byPriority: [String: OfPriority] = [:]
        for priority in TransmissionPriority.allCases {
            let of = transmissions.filter { $0.priority == priority }
            let waits = of.compactMap { item in item.acknowledgedAt.map { max(0, $0.timeIntervalSince(item.sentAt)) / 60 } }
            byPriority[priority.rawValue] = OfPriority(sent: of.count, acknowledged: waits.count, minutesToAcknowledgement: DurationSummary(waits))
        }
        self.byPriority = byPriority
        stepsReached = Dictionary(grouping: transmissions.filter { $0.escalationStep > 0 }, by: \.escalationStep).mapValues(\.count)
    }
}

/// A task (callback, call to a practitioner…) as the figures read it.
public struct TaskFact: Sendable, Equatable {
    public let dueAt: Date?
    public let closedAt: Date?

    public init(dueAt: Date?, closedAt: Date?) {
        self.dueAt = dueAt
        self.closedAt = closedAt
    }
}

/// Tasks over a period: created, done, done on time (closed by their due time; one without a due time is on time
/// when done), and late (open past their due time at `now`, or closed after it).
public struct TaskFigures: Sendable, Equatable, Codable {
    public let created: Int
    public let done: Int
    public let doneOnTime: Int
    public let late: Int
    public let onTimeRate: Double?

    public init(_ tasks: [TaskFact], now: Date) {
        created = tasks.count
        let closed = tasks.filter { $0.closedAt != nil }
        done = closed.count
        doneOnTime = closed.filter { task in task.dueAt.map { task.closedAt! <= $0 } ?? true }.count
        late = tasks.filter { task in
            guard let due = task.dueAt else { return false }
            return (task.closedAt ?? now) > due
        }.count
        onTimeRate = done > 0 ? Double(doneOnTime) / Double(done) : nil
    }
}
