import Fluent
import Foundation

/// An appointment in a practitioner's agenda; statuses follow FHIR. The appointments feature extends it.
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
    @Field(key: "reason") var reason: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
