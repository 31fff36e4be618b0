import Foundation

/// What a callback task asks a secretary to do.
public enum TaskKind: String, CaseIterable, Codable, Sendable {
    /// Made by the application (the ladder, an answer, a request for help), never typed in by hand.
    public var isAutomatic: Bool { self == .relayAnswer || self == .callPractitioner || self == .supervisorTakeover }

    /// "Rappeler Mme X quand le docteur a répondu."
    case callback
    /// The practitioner answered a transmission: tell the patient.
    case relayAnswer
    /// An urgent transmission is still unacknowledged: phone the practitioner.
    case callPractitioner
    /// A freed slot matches a patient of the waiting list.
    case waitingListMatch
    /// A nervous or aggressive caller: a supervisor takes the call over.
    case supervisorTakeover

    public var label: String {
        switch self {
        case .callback: "Rappel patient"
        case .relayAnswer: "Réponse à transmettre au patient"
        case .callPractitioner: "Appeler le praticien"
        case .waitingListMatch: "Créneau libéré pour la liste d'attente"
        case .supervisorTakeover: "Appel difficile : une responsable reprend la main"
        }
    }
}

/// How soon an item of the queue must be handled.
public enum QueuePriority: Int, CaseIterable, Codable, Sendable, Comparable {
    case urgent = 0, high = 1, normal = 2, low = 3

    public var label: String {
        switch self {
        case .urgent: "Urgent"
        case .high: "Prioritaire"
        case .normal: "Normal"
        case .low: "Faible"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One open item of a secretary's work queue.
public struct QueueItem: Equatable, Sendable {
    public enum Source: String, Codable, Sendable {
        case task, transmission, waitingList
    }

    /// `task:<uuid>`: what a claim holds.
    public let key: String
    public let source: Source
    public let priority: QueuePriority
    public let due: Date?
    public let createdAt: Date

    public init(source: Source, id: UUID, priority: QueuePriority, due: Date?, createdAt: Date) {
        key = "\(source.rawValue):\(id.uuidString.lowercased())"
        self.source = source
        self.priority = priority
        self.due = due
        self.createdAt = createdAt
    }

    /// Overdue items climb one priority level, never above urgent.
    public func effectivePriority(now: Date) -> QueuePriority {
        guard let due, due < now, priority != .urgent else { return priority }
        return QueuePriority(rawValue: priority.rawValue - 1) ?? .urgent
    }

    public func isOverdue(now: Date) -> Bool { due.map { $0 < now } ?? false }
}

/// The order of the queue, and how long a claim holds an item.
public enum WorkQueue {
    /// A claim lasts long enough for one phone call; past it, the item is free again for a colleague.
    public static let claimDuration: TimeInterval = 10 * 60

    /// Priority (overdue ones raised) first, then the nearest deadline (items without one last), then the oldest.
    public static func ordered(_ items: [QueueItem], now: Date) -> [QueueItem] {
        items.sorted { a, b in
            let pa = a.effectivePriority(now: now), pb = b.effectivePriority(now: now)
            if pa != pb { return pa < pb }
            switch (a.due, b.due) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.key < b.key
            }
        }
    }

    /// Whether a claim taken until `expiresAt` still holds at `now`.
    public static func isHeld(expiresAt: Date?, now: Date) -> Bool { expiresAt.map { $0 > now } ?? false }
}
