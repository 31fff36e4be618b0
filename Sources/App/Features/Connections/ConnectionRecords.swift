import Fluent
import Foundation

/// A bearer token of a practice's own software for `/fhir`: one practice, a scope, an expiry.
final class ConnectionTokenRecord: Model, @unchecked Sendable {
    static let schema = "connection_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Field(key: "label") var label: String
    @Field(key: "token_hash") var tokenHash: String
    /// Books and cancels appointments; without it the software reads only.
    @Field(key: "can_write") var canWrite: Bool
    /// Reads the transmissions' subject and text; without it their Communication says who, when and how urgent only.
    @Field(key: "reads_messages") var readsMessages: Bool
    @Field(key: "created_by_label") var createdByLabel: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?

    init() {}
}

/// A practitioner's secret calendar feed (`/ical/{token}.ics`).
final class CalendarFeedRecord: Model, @unchecked Sendable {
    static let schema = "calendar_feeds"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Parent(key: "practitioner_id") var practitioner: PractitionerRecord
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "sealed_token") var sealedToken: String
    /// What the practitioner chose to see of the patient in her phone's calendar.
    @Field(key: "shows_patient_name") var showsPatientName: Bool
    @Field(key: "shows_motif") var showsMotif: Bool
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}

/// A URL told of a practice's events (or of every practice's, for the center's own), each delivery signed.
final class WebhookSubscriptionRecord: Model, @unchecked Sendable {
    static let schema = "webhook_subscriptions"

    @ID(key: .id) var id: UUID?
    @OptionalParent(key: "practice_id") var practice: PracticeRecord?
    @Field(key: "url") var url: String
    @Field(key: "events") var eventsText: String
    @Field(key: "sealed_secret") var sealedSecret: String
    @Field(key: "reads_messages") var readsMessages: Bool
    @Field(key: "created_by_label") var createdByLabel: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "secret_rotated_at") var secretRotatedAt: Date?
    @OptionalField(key: "disabled_at") var disabledAt: Date?

    init() {}

    var events: [WebhookEvent] { eventsText.split(separator: ",").compactMap { WebhookEvent(rawValue: String($0)) } }
}

/// What a webhook subscription may be told of.
enum WebhookEvent: String, CaseIterable, Sendable {
    case appointmentBooked = "appointment.booked"
    case appointmentMoved = "appointment.moved"
    case appointmentCancelled = "appointment.cancelled"
    case appointmentStatusChanged = "appointment.status-changed"
    case transmissionSent = "transmission.sent"
    case transmissionAcknowledged = "transmission.acknowledged"
    case callClosed = "call.closed"
    /// Sent by the "send a test" button only.
    case test = "test"

    static let subscribable = allCases.filter { $0 != .test }

    var label: String {
        switch self {
        case .appointmentBooked: "Rendez-vous pris"
        case .appointmentMoved: "Rendez-vous déplacé"
        case .appointmentCancelled: "Rendez-vous annulé"
        case .appointmentStatusChanged: "Statut d'un rendez-vous changé (arrivé, vu, absent)"
        case .transmissionSent: "Transmission envoyée"
        case .transmissionAcknowledged: "Transmission prise en compte"
        case .callClosed: "Appel clos"
        case .test: "Essai"
        }
    }
}
