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
    @Field(key: "kind") var kind: String
    @Field(key: "greeting") var greeting: String
    @Field(key: "address") var address: String
    /// The number patients dial (DID), E.164: it tells the secretary which practice is called.
    @Field(key: "phone") var phone: String
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "alsace_moselle") var alsaceMoselle: Bool
    /// Public holidays the practice opens anyway, ISO dates separated by commas.
    @Field(key: "opened_holidays") var openedHolidays: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
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
