import Domain
import Fluent
import SQLKit
import Foundation

/// An appointment in a practitioner's agenda; statuses follow FHIR.
final class AppointmentRecord: Model, @unchecked Sendable {
    static let schema = "appointments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Parent(key: "practitioner_id") var practitioner: PractitionerRecord
    @Parent(key: "patient_id") var patient: PatientRecord
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    /// proposed, pending, booked, arrived, fulfilled, cancelled, noshow, entered-in-error.
    @Field(key: "status") var status: String
    /// The motif's label when booked (kept as it was said to the patient).
    @Field(key: "reason") var reason: String
    /// Nil only for appointments from before motifs existed.
    @OptionalField(key: "motif_id") var motifID: UUID?
    /// phone, practitioner, online.
    @OptionalField(key: "source") var source: String?
    @OptionalField(key: "notes") var notes: String?
    /// 1–5 when the booking came from triage.
    @OptionalField(key: "urgency_level") var urgencyLevel: Int?
    /// Set when a secretary booked outside the rules on purpose: why.
    @OptionalField(key: "override_reason") var overrideReason: String?
    @OptionalField(key: "cancellation_party") var cancellationParty: String?
    @OptionalField(key: "cancellation_reason") var cancellationReason: String?
    @OptionalField(key: "series_id") var seriesID: UUID?
    @OptionalField(key: "booked_by") var bookedBy: UUID?
    /// When the status was last changed (an undo is allowed that same day) and the reason given for an undo.
    @OptionalField(key: "status_changed_at") var statusChangedAt: Date?
    @OptionalField(key: "status_reason") var statusReason: String?
    /// Its revision in the practitioners' calendars (iCalendar `SEQUENCE`): raised by each move and by the cancellation.
    @OptionalField(key: "calendar_sequence") var calendarSequence: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "updated_at") var updatedAt: Date?

    init() {}

    var statusValue: AppointmentStatus { AppointmentStatus(rawValue: status) ?? .booked }

    /// Saves a new appointment in one statement written in SQL (a booking's turn in the writer; Fluent's `create`
    /// reflects on the model at each call), setting `createdAt` as `create` would.
    func insert(on db: any Database) async throws {
        if id == nil { id = UUID() }
        createdAt = Date()
        let values = columnValues
        try await (db as! any SQLDatabase).insert(into: Self.schema).columns(values.map(\.0)).values(values.map { SQLValue.of($0.1) }).run()
        $id.exists = true
    }

    /// Every column of the table with this appointment's value, as `insert` writes them.
    var columnValues: [(String, (any Encodable & Sendable)?)] {
        [
            ("id", id), ("practice_id", $practice.id), ("practitioner_id", $practitioner.id), ("patient_id", $patient.id),
            ("starts_at", startsAt), ("ends_at", endsAt), ("status", status), ("reason", reason), ("motif_id", motifID),
            ("source", source), ("notes", notes), ("urgency_level", urgencyLevel), ("override_reason", overrideReason),
            ("cancellation_party", cancellationParty), ("cancellation_reason", cancellationReason), ("series_id", seriesID),
            ("booked_by", bookedBy), ("status_changed_at", statusChangedAt), ("status_reason", statusReason),
            ("calendar_sequence", calendarSequence),
            ("created_at", createdAt), ("updated_at", updatedAt),
        ]
    }
}

/// A slot held while the caller is on the line; confirmed into an appointment, released, or expired.
final class HoldRecord: Model, @unchecked Sendable {
    static let schema = "holds"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Field(key: "practitioner_id") var practitionerID: UUID
    @Field(key: "motif_id") var motifID: UUID
    @OptionalField(key: "patient_id") var patientID: UUID?
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "held_by") var heldBy: UUID?
    @Field(key: "held_by_label") var heldByLabel: String
    @Field(key: "urgent") var urgent: Bool
    /// active, confirmed, released, expired.
    @Field(key: "state") var state: String
    @OptionalField(key: "appointment_id") var appointmentID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// The time a live appointment or hold takes, buffer included; the database refuses two overlapping rows of one
/// practitioner (an exclusion constraint on PostgreSQL, triggers on SQLite).
final class SlotOccupancyRecord: Model, @unchecked Sendable {
    static let schema = "slot_occupancy"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Field(key: "practitioner_id") var practitionerID: UUID
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @OptionalField(key: "appointment_id") var appointmentID: UUID?
    @OptionalField(key: "hold_id") var holdID: UUID?
    /// Holds only: after this instant the row no longer counts and is swept before the next booking.
    @OptionalField(key: "expires_at") var expiresAt: Date?

    init() {}

    init(practice: UUID, practitioner: UUID, start: Date, end: Date, appointment: UUID? = nil, hold: UUID? = nil, expiresAt: Date? = nil) {
        self.id = UUID()
        self.$practice.id = practice
        self.practitionerID = practitioner
        self.startsAt = start
        self.endsAt = end
        self.appointmentID = appointment
        self.holdID = hold
        self.expiresAt = expiresAt
    }
}

/// A patient waiting for an earlier slot.
final class WaitingListEntryRecord: Model, @unchecked Sendable {
    static let schema = "waiting_list_entries"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @Field(key: "patient_id") var patientID: UUID
    @Field(key: "motif_id") var motifID: UUID
    /// Comma-separated; empty for any practitioner who takes the motif.
    @Field(key: "practitioner_ids") var practitionerIDs: String
    @Field(key: "window_start") var windowStart: Date
    @Field(key: "window_end") var windowEnd: Date
    @Field(key: "priority") var priority: Int
    @Field(key: "notes") var notes: String
    /// waiting, to-call, booked, withdrawn.
    @Field(key: "state") var state: String
    @OptionalField(key: "matched_start") var matchedStart: Date?
    @OptionalField(key: "matched_practitioner_id") var matchedPractitionerID: UUID?
    @OptionalField(key: "matched_at") var matchedAt: Date?
    @Field(key: "created_by_label") var createdByLabel: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var domain: WaitingListEntry {
        WaitingListEntry(id: id!, patientID: patientID, motifID: motifID,
                         practitionerIDs: Set(CommaList.uuids(practitionerIDs)),
                         window: DateInterval(start: windowStart, end: max(windowStart, windowEnd)),
                         priority: WaitingPriority(rawValue: priority) ?? .normal, createdAt: createdAt)
    }
}
