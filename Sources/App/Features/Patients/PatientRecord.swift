import Domain
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
    /// INSEE code of the birthplace (`99xxx` abroad): the fifth strict trait.
    @OptionalField(key: "birthplace_code") var birthplaceCode: String?
    /// The INS (NIR and key), and how far the identity was checked.
    @OptionalField(key: "ins_nir") var insNIR: String?
    @Field(key: "identity_status") var identityStatus: String
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "address") var address: String?
    @OptionalField(key: "preferred_practitioner_id") var preferredPractitionerID: UUID?
    /// For a minor: who to call.
    @OptionalField(key: "guardian_name") var guardianName: String?
    @OptionalField(key: "guardian_phone") var guardianPhone: String?
    @Field(key: "sms_consent") var smsConsent: Bool
    @Field(key: "email_consent") var emailConsent: Bool
    /// What the secretary must see at once.
    @Field(key: "flag_anxious") var anxious: Bool
    @Field(key: "flag_hard_of_hearing") var hardOfHearing: Bool
    @OptionalField(key: "interpreter_language") var interpreterLanguage: String?
    @Field(key: "flag_reduced_mobility") var reducedMobility: Bool
    @Field(key: "flag_no_online_booking") var noOnlineBooking: Bool
    /// Secretariat notes.
    @Field(key: "notes") var notes: String
    /// Set when this record was merged into another: it stays, with its history, but is no longer offered.
    @OptionalField(key: "merged_into_id") var mergedIntoID: UUID?
    @OptionalField(key: "anonymised_at") var anonymisedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "updated_at") var updatedAt: Date?

    init() {}

    /// A new record with the given strict traits and nothing else set.
    init(id: UUID, practice: UUID, birthName: String, firstNames: String, usedName: String?, birthDate: String, sex: String) {
        self.id = id
        $practice.id = practice
        self.birthName = birthName
        self.firstNames = firstNames
        self.usedName = usedName
        self.birthDate = birthDate
        self.sex = sex
        identityStatus = IdentityStatus.provisoire.rawValue
        smsConsent = false
        emailConsent = false
        anxious = false
        hardOfHearing = false
        reducedMobility = false
        noOnlineBooking = false
        notes = ""
    }
}

extension PatientRecord {
    var displayName: String { IndexedPatient.displayName(birthName: birthName, firstNames: firstNames, usedName: usedName) }
}

extension PatientRecord {
    /// The traits the search ranks and the duplicate check compares.
    func traits(phones: [PhoneNumber]) -> IdentityTraits {
        IdentityTraits(birthName: birthName, firstNames: firstNames, usedName: usedName,
                       birthDate: LocalDate(iso: birthDate) ?? LocalDate(year: 1, month: 1, day: 1), sex: sex,
                       birthplaceCode: birthplaceCode, phones: phones)
    }
}
