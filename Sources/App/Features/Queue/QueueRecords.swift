import Domain
import Fluent
import Foundation
import Vapor

/// Something a secretary has to do: call a patient back, relay an answer, phone a practitioner.
final class TaskRecord: Model, @unchecked Sendable {
    static let schema = "tasks"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @OptionalField(key: "patient_id") var patientID: UUID?
    @OptionalField(key: "transmission_id") var transmissionID: UUID?
    @Field(key: "kind") var kindText: String
    @Field(key: "title") var title: String
    @Field(key: "details") var details: String
    /// The number to call, E.164; empty when the patient's file says it.
    @Field(key: "phone") var phone: String
    @Field(key: "priority") var priorityValue: Int
    @OptionalField(key: "due_at") var dueAt: Date?
    /// open, done, cancelled.
    @Field(key: "state") var state: String
    @OptionalField(key: "outcome") var outcome: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "created_by_label") var createdByLabel: String
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "closed_by_label") var closedByLabel: String?

    init() {}

    /// A new open task.
    init(practice: UUID, kind: TaskKind, patient: UUID?, transmission: UUID? = nil, title: String, details: String, phone: String,
         priority: QueuePriority, due: Date?, now: Date, by: AuditActor) {
        id = UUID()
        $practice.id = practice
        patientID = patient
        transmissionID = transmission
        kindText = kind.rawValue
        self.title = title
        self.details = details
        self.phone = phone
        priorityValue = priority.rawValue
        dueAt = due
        state = "open"
        createdAt = now
        createdByLabel = by.name
    }

    var kind: TaskKind { TaskKind(rawValue: kindText) ?? .callback }
    var priority: QueuePriority { QueuePriority(rawValue: priorityValue) ?? .normal }
    var queueItem: QueueItem { QueueItem(source: .task, id: id!, priority: priority, due: dueAt, createdAt: createdAt) }

    var journalState: [String: String] {
        ["kind": kindText, "title": title, "state": state, "priority": String(priorityValue), "outcome": outcome ?? "",
         "dueAt": dueAt.map { ISOTimestamp.string($0, in: FrenchFormat.parisTimeZone) } ?? ""]
    }
}

/// A secretary's hold on one item of the queue, until it expires.
final class QueueClaimRecord: Model, @unchecked Sendable {
    static let schema = "queue_claims"

    @ID(key: .id) var id: UUID?
    @Field(key: "item_key") var itemKey: String
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Field(key: "user_id") var userID: UUID
    @Field(key: "user_label") var userLabel: String
    @Field(key: "claimed_at") var claimedAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}

/// A handover note: what the next team must know (consigne de relève), for one practice or the whole center.
final class HandoverNoteRecord: Model, @unchecked Sendable {
    static let schema = "handover_notes"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "practice_id") var practiceID: UUID?
    @Field(key: "text") var text: String
    @Field(key: "author_label") var authorLabel: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "expires_at") var expiresAt: Date?

    init() {}
}

/// Who read which handover note.
final class HandoverReadRecord: Model, @unchecked Sendable {
    static let schema = "handover_reads"

    @ID(key: .id) var id: UUID?
    @Field(key: "note_id") var noteID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "read_at") var readAt: Date

    init() {}
}
