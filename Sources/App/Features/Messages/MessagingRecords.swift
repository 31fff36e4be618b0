import Domain
import Fluent
import Foundation

/// What a practice's patients are sent: channels, reminders, what the messages may name, and its wordings.
final class PracticeMessagingRecord: Model, @unchecked Sendable {
    static let schema = "practice_messaging"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Field(key: "sms") var sms: Bool
    @Field(key: "email") var email: Bool
    @Field(key: "reminder_24h") var reminder24h: Bool
    @Field(key: "reminder_72h") var reminder72h: Bool
    /// Motif ids separated by commas; empty: every motif.
    @Field(key: "reminder_motifs") var reminderMotifs: String
    @Field(key: "names_practitioner") var namesPractitioner: Bool
    @Field(key: "specialty_sensitive") var specialtySensitive: Bool
    /// A reminder's link cancels until this many hours before the appointment; later, the patient calls.
    @Field(key: "link_notice_hours") var linkNoticeHours: Int
    /// JSON `{"reminder_sms": "…"}`.
    @Field(key: "templates") var templates: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// A practice that never set anything sends nothing: the center turns messages on with the practice.
    static func off(practice: UUID, now: Date) -> PracticeMessagingRecord {
        let record = PracticeMessagingRecord()
        record.$practice.id = practice
        record.sms = false
        record.email = false
        record.reminder24h = true
        record.reminder72h = false
        record.reminderMotifs = ""
        record.namesPractitioner = false
        record.specialtySensitive = false
        record.linkNoticeHours = 2
        record.templates = "{}"
        record.updatedAt = now
        return record
    }

    var remindedMotifs: Set<UUID> { Set(reminderMotifs.split(separator: ",").compactMap { UUID(uuidString: String($0)) }) }

    var leads: [Int] { (reminder72h ? [72] : []) + (reminder24h ? [24] : []) }

    var ownTemplates: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(templates.utf8))) ?? [:]
    }

    static func templateKey(_ kind: PatientMessageKind, _ channel: MessageChannel) -> String { kind.rawValue + "_" + channel.rawValue }

    /// The practice's wording, or the standard one.
    func template(_ kind: PatientMessageKind, _ channel: MessageChannel) -> String {
        ownTemplates[Self.templateKey(kind, channel)] ?? MessageTemplate.standard(kind, channel)
    }

    func enabled(_ channel: MessageChannel) -> Bool { channel == .sms ? sms : email }
}

/// A reminder's cancellation link: only its token's hash is kept; it acts once, until the appointment's start, and only
/// on the start it announced.
final class AppointmentLinkRecord: Model, @unchecked Sendable {
    static let schema = "appointment_links"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Field(key: "appointment_id") var appointmentID: UUID
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "appointment_start") var appointmentStart: Date
    @Field(key: "expires_at") var expiresAt: Date
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @OptionalField(key: "outcome") var outcome: String?

    init() {}
}
