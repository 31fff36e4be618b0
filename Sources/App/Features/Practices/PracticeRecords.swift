import Fluent
import Foundation

/// The remote-secretariat center (plateau); one per installation.
final class CenterRecord: Model, @unchecked Sendable {
    static let schema = "centers"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    /// Signs the call events of the center's phone system (HMAC-SHA256); made on first use.
    @OptionalField(key: "telephony_secret") var telephonySecret: String?
    /// Whether secretaries too sign in with a second factor (always asked of the other roles).
    @Field(key: "second_factor_for_secretaries") var secondFactorForSecretaries: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID, name: String) {
        self.id = id
        self.name = name
        self.secondFactorForSecretaries = false
    }
}

/// A practice (cabinet) the center answers for; each is a separate data controller.
final class PracticeRecord: Model, @unchecked Sendable {
    static let schema = "practices"

    @ID(key: .id) var id: UUID?
    @Parent(key: "center_id") var center: CenterRecord
    /// A short stable name for the command line (`--practice cabinet-martin`).
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    /// The specialty (« Médecine générale », « Pédiatrie »…).
    @Field(key: "kind") var kind: String
    @Field(key: "greeting") var greeting: String
    @Field(key: "address") var address: String
    /// How to get in: floor, door code, lift, parking; read to patients who ask.
    @Field(key: "access") var access: String
    /// The practice's main dialled number, E.164: the first of its `practice_numbers`, written with them (one
    /// number per practice before there were several; the call routing reads `practice_numbers`).
    @Field(key: "phone") var phone: String
    /// INSEE code; nil only for practices made before it was asked.
    @OptionalField(key: "departement") var departement: String?
    @Field(key: "time_zone") var timeZone: String
    /// Follows the département (57, 67, 68).
    @Field(key: "alsace_moselle") var alsaceMoselle: Bool
    /// Public holidays the practice opens anyway, ISO dates separated by commas.
    @Field(key: "opened_holidays") var openedHolidays: String
    /// The hours the center answers for the practice (`CoverageDTO` as JSON); empty when never set.
    @Field(key: "coverage") var coverage: String
    /// What the secretary says outside those hours; it names the 15.
    @Field(key: "outside_hours_message") var outsideHoursMessage: String
    /// The first day the center answers for it (ISO date).
    @OptionalField(key: "service_starts_on") var serviceStartsOn: String?
    /// While suspended the practice keeps its data; calls to its numbers pop with the suspension notice.
    @OptionalField(key: "suspended_at") var suspendedAt: Date?
    @OptionalField(key: "suspension_reason") var suspensionReason: String?
    /// When the onboarding checklist held and the practice went live; before, its calls pop for supervisors and
    /// administrators only (the test call).
    @OptionalField(key: "live_at") var liveAt: Date?
    /// The triage protocol version a practitioner of the practice last said they reviewed, who and when.
    @OptionalField(key: "triage_reviewed_version") var triageReviewedVersion: Int?
    @OptionalField(key: "triage_reviewed_by") var triageReviewedBy: String?
    @OptionalField(key: "triage_reviewed_at") var triageReviewedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A number patients dial to reach a practice; unique across the center.
final class PracticeNumberRecord: Model, @unchecked Sendable {
    static let schema = "practice_numbers"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    /// E.164.
    @Field(key: "number") var number: String
    /// `urgences`, `secrétariat`, or nil.
    @OptionalField(key: "label") var label: String?
    /// Its place in the practice's list; the first is the main number.
    @Field(key: "position") var position: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(practice: UUID, number: String, label: String?, position: Int) {
        id = UUID()
        $practice.id = practice
        self.number = number
        self.label = label
        self.position = position
    }
}

/// A practitioner of a practice.
final class PractitionerRecord: Model, @unchecked Sendable {
    static let schema = "practitioners"

    @ID(key: .id) var id: UUID?
    @Parent(key: "practice_id") var practice: PracticeRecord
    /// "Dr" for physicians; empty for professions that do not use it.
    @Field(key: "title") var title: String
    @Field(key: "first_name") var firstName: String
    @Field(key: "last_name") var lastName: String
    @Field(key: "profession") var profession: String
    @OptionalField(key: "rpps") var rpps: String?
    /// For the center only, never said or sent to a patient: where a secretary reaches the practitioner (E.164), and
    /// where the escalation notices go even without an account.
    @OptionalField(key: "mobile_phone") var mobilePhone: String?
    @OptionalField(key: "direct_phone") var directPhone: String?
    @OptionalField(key: "notice_email") var noticeEmail: String?
    /// Who takes the practitioner's urgent matters when they cannot be reached (same practice).
    @OptionalField(key: "backup_practitioner_id") var backupPractitionerID: UUID?
    /// A deactivated practitioner keeps their history but is no longer booked nor offered.
    @OptionalField(key: "deactivated_at") var deactivatedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// "06 12 34 56 78 (portable) · 01 45 00 00 01 (ligne directe)", or a plain statement that none is known.
    var contactLine: String {
        let numbers = [mobilePhone.map { "\(FrenchFormat.phone($0)) (portable)" }, directPhone.map { "\(FrenchFormat.phone($0)) (ligne directe)" }]
            .compactMap { $0 }
        return numbers.isEmpty ? "aucun numéro enregistré pour le joindre : le demander au cabinet" : numbers.joined(separator: " · ")
    }

    var contactState: [String: String] {
        ["mobilePhone": mobilePhone ?? "", "directPhone": directPhone ?? "", "noticeEmail": noticeEmail ?? ""]
    }

    /// The number to dial first: the mobile, else the direct line.
    var firstNumber: String? { mobilePhone ?? directPhone }

    /// "Dr Claire Martin", "Julien Roux".
    var displayName: String {
        [title, firstName, lastName].filter { !$0.isEmpty }.joined(separator: " ")
    }
}
