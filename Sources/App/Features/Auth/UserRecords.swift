import Domain
import Fluent
import Foundation

/// A person who signs in: secretary, supervisor, practitioner or administrator.
final class UserRecord: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    /// Stored lower-cased; unique.
    @Field(key: "email") var email: String
    @Field(key: "display_name") var displayName: String
    @Enum(key: "role") var role: Role
    @Field(key: "password_hash") var passwordHash: String
    /// For a practitioner's account: which practitioner of the practice it is.
    @OptionalField(key: "practitioner_id") var practitionerID: UUID?
    @Field(key: "disabled") var disabled: Bool
    /// Set by an administrator's reset: the temporary password opens only the page that changes it.
    @Field(key: "must_change_password") var mustChangePassword: Bool
    /// The secretary's telephone extension: a ringing call for it pops on her console.
    @OptionalField(key: "telephony_extension") var telephonyExtension: String?
    /// The TOTP secret, sealed with the server's key (`SecretBox`); nil until the second factor is enrolled.
    @OptionalField(key: "totp_secret") var totpSecret: String?
    /// The secret shown on the enrolment page, kept until a code from it confirms it.
    @OptionalField(key: "totp_pending_secret") var totpPendingSecret: String?
    @OptionalField(key: "totp_enabled_at") var totpEnabledAt: Date?
    /// The last time step whose code opened this account: a code is accepted once.
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// What the journal keeps of a user: never the password hash.
    struct Snapshot: Encodable {
        let email: String
        let displayName: String
        let role: String
        let practiceIDs: [UUID]
        let practitionerID: UUID?
        let disabled: Bool
    }

    func snapshot(practiceIDs: [UUID]) -> Snapshot {
        Snapshot(email: email, displayName: displayName, role: role.rawValue, practiceIDs: practiceIDs.sorted { $0.uuidString < $1.uuidString },
                 practitionerID: practitionerID, disabled: disabled)
    }
}

/// Which practices a secretary or practitioner works for.
final class UserPracticeRecord: Model, @unchecked Sendable {
    static let schema = "user_practices"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserRecord
    @Parent(key: "practice_id") var practice: PracticeRecord

    init() {}

    init(userID: UUID, practiceID: UUID) {
        self.$user.id = userID
        self.$practice.id = practiceID
    }
}

/// A browser session; the cookie holds a random token, the table only its hash.
final class LoginSessionRecord: Model, @unchecked Sendable {
    static let schema = "login_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "remote_address") var remoteAddress: String?

    init() {}
}

/// A bearer token for the JSON API; the table keeps only its hash.
final class ApiTokenRecord: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "label") var label: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}
}
