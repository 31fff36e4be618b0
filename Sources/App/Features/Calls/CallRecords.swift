import Domain
import Fluent
import Foundation
import Vapor

/// One call in the journal: written while it runs, frozen once closed.
final class CallRecord: Model, @unchecked Sendable {
    static let schema = "calls"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Field(key: "caller_number") var callerNumber: String
    @OptionalField(key: "patient_id") var patientID: UUID?
    @Field(key: "reasons") var reasonsText: String
    @Field(key: "notes") var notes: String
    @OptionalField(key: "outcome") var outcomeText: String?
    @OptionalField(key: "playbook_version") var playbookVersion: Int?
    @Field(key: "checklist") var checklistText: String
    @Field(key: "state") var state: String
    @Field(key: "source") var source: String
    @OptionalField(key: "telephony_call_id") var telephonyCallID: String?
    @Field(key: "opened_at") var openedAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "duration_seconds") var durationSeconds: Int?
    @OptionalField(key: "opened_by") var openedBy: UUID?
    @Field(key: "opened_by_label") var openedByLabel: String
    @OptionalField(key: "closed_by_label") var closedByLabel: String?

    init() {}

    var isClosed: Bool { state == "closed" }
    var reasons: [CallReason] { reasonsText.split(separator: ",").compactMap { CallReason(rawValue: String($0)) } }
    var outcome: CallOutcome? { outcomeText.flatMap(CallOutcome.init(rawValue:)) }
    var checklist: [String] { checklistText.split(separator: "\n").map(String.init) }

    /// What the journal keeps of a call's state.
    var journalState: [String: String] {
        ["state": state, "patientId": patientID?.uuidString ?? "", "reasons": reasonsText, "outcome": outcomeText ?? "",
         "notes": notes, "callerNumber": callerNumber, "checklist": checklistText, "playbookVersion": playbookVersion.map(String.init) ?? ""]
    }
}

/// A note added to a call and shown as such: a correction of a closed call, or an incident (a difficult caller).
final class CallCorrectionRecord: Model, @unchecked Sendable {
    static let schema = "call_corrections"

    @ID(key: .id) var id: UUID?
    @Parent(key: "call_id") var call: CallRecord
    /// correction, incident.
    @Field(key: "kind") var kind: String
    @Field(key: "text") var text: String
    @Field(key: "author_label") var authorLabel: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// Something a call produced: an appointment, a transmission, a triage, a task.
final class CallLinkRecord: Model, @unchecked Sendable {
    static let schema = "call_links"

    @ID(key: .id) var id: UUID?
    @Parent(key: "call_id") var call: CallRecord
    @Field(key: "kind") var kind: String
    @Field(key: "target_id") var targetID: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
