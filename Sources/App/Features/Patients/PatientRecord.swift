import Fluent
import Foundation

/// A patient of one practice (the practice is the data controller); the patient feature extends it.
final class PatientRecord: Model, @unchecked Sendable {
    static let schema = "patients"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    /// Strict traits (identitovigilance): birth name, first birth given names, date of birth, sex.
    @Field(key: "birth_name") var birthName: String
    @Field(key: "first_names") var firstNames: String
    @OptionalField(key: "used_name") var usedName: String?
    /// ISO 8601 calendar date (`1957-12-03`): a birth date has no time zone.
    @Field(key: "birth_date") var birthDate: String
    /// "F", "M" or "I" (indéterminé), as on the INS.
    @Field(key: "sex") var sex: String
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "email") var email: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

extension PatientRecord {
    /// "DURAND Marie (usage : MARTIN)": the birth name first, as identity vigilance requires, then the name of use.
    var displayName: String {
        let name = "\(birthName.uppercased()) \(firstNames)"
        guard let used = usedName, !used.isEmpty else { return name }
        return "\(name) (usage : \(used.uppercased()))"
    }
}
