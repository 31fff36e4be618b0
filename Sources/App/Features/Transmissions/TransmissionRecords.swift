import Domain
import Fluent
import Foundation
import Vapor

/// A message from the secretariat to a practitioner, followed until the practitioner has acknowledged it.
final class TransmissionRecord: Model, @unchecked Sendable {
    static let schema = "transmissions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @OptionalField(key: "call_id") var callID: UUID?
    @OptionalField(key: "patient_id") var patientID: UUID?
    @Field(key: "practitioner_id") var practitionerID: UUID
    @OptionalField(key: "backup_practitioner_id") var backupPractitionerID: UUID?
    @Field(key: "priority") var priorityText: String
    @Field(key: "subject") var subject: String
    @Field(key: "message") var message: String
    @Field(key: "callback_number") var callbackNumber: String
    @Field(key: "state") var stateText: String
    @Field(key: "escalation_step") var escalationStepValue: Int
    @OptionalField(key: "answer") var answer: String?
    @Field(key: "sent_at") var sentAt: Date
    @Field(key: "sent_by_label") var sentByLabel: String
    @OptionalField(key: "read_at") var readAt: Date?
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalField(key: "acknowledged_by_label") var acknowledgedByLabel: String?
    @OptionalField(key: "answered_at") var answeredAt: Date?

    init() {}

    var priority: TransmissionPriority { TransmissionPriority(rawValue: priorityText) ?? .normal }
    var state: TransmissionState { TransmissionState(rawValue: stateText) ?? .new }
    var escalationStep: EscalationStep { EscalationStep(rawValue: escalationStepValue) ?? .inApp }
    /// A short reference that a notice may carry without saying anything of the patient.
    var reference: String { String(id!.uuidString.prefix(8)) }

    var journalState: [String: String] {
        ["state": stateText, "priority": priorityText, "practitionerId": practitionerID.uuidString,
         "backupPractitionerId": backupPractitionerID?.uuidString ?? "", "escalationStep": String(escalationStepValue),
         "answer": answer ?? ""]
    }
}

/// A practice's escalation delays and backup practitioner; the Domain default until the practice sets its own.
final class EscalationPolicyRecord: Model, @unchecked Sendable {
    static let schema = "escalation_policies"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Field(key: "notice_after_minutes") var noticeAfterMinutes: Int
    @Field(key: "call_after_minutes") var callAfterMinutes: Int
    @Field(key: "backup_after_minutes") var backupAfterMinutes: Int
    @OptionalField(key: "backup_practitioner_id") var backupPractitionerID: UUID?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var policy: EscalationPolicy {
        EscalationPolicy(noticeAfterMinutes: noticeAfterMinutes, callAfterMinutes: callAfterMinutes,
                         backupAfterMinutes: backupAfterMinutes, backupPractitionerID: backupPractitionerID)
    }
}

/// A message waiting to leave by e-mail, SMS or webhook, retried until delivered or given up.
final class OutboxMessageRecord: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @OptionalField(key: "transmission_id") var transmissionID: UUID?
    /// The practitioner the notice is for.
    @OptionalField(key: "practitioner_id") var practitionerID: UUID?
    @Field(key: "channel") var channel: String
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "state") var state: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "provider") var provider: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    /// A webhook delivery: its subscription, its event and the receiver's last answer code.
    @OptionalField(key: "webhook_subscription_id") var webhookSubscriptionID: UUID?
    @OptionalField(key: "event") var event: String?
    @OptionalField(key: "response_code") var responseCode: Int?
    /// A message to a patient: who, about which appointment (and the start it announced), why ("confirmation",
    /// "reminder"…, with a reminder's lead in hours), the gateway's reference and when its receipt said delivered.
    @OptionalField(key: "patient_id") var patientID: UUID?
    @OptionalField(key: "appointment_id") var appointmentID: UUID?
    @OptionalField(key: "kind") var kind: String?
    @OptionalField(key: "lead_hours") var leadHours: Int?
    @OptionalField(key: "appointment_start") var appointmentStart: Date?
    @OptionalField(key: "provider_reference") var providerReference: String?
    @OptionalField(key: "delivered_at") var deliveredAt: Date?

    init() {}
}
