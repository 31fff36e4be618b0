import Domain
import Fluent
import Foundation

/// One link of the journal's hash chain.
final class AuditEntryRecord: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    /// Position in the chain, assigned by the journal (previous + 1), never by the database.
    @ID(custom: "seq", generatedBy: .user) var id: Int64?
    @Field(key: "occurred_at") var occurredAt: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_label") var actorLabel: String
    @Field(key: "action") var action: String
    @Field(key: "entity") var entity: String
    @Field(key: "entity_id") var entityID: String
    @OptionalField(key: "practice_id") var practiceID: UUID?
    @OptionalField(key: "before") var before: String?
    @OptionalField(key: "after") var after: String?
    @OptionalField(key: "request_id") var requestID: String?
    @Field(key: "prev_hash") var previousHash: String
    @Field(key: "hash") var hash: String
    /// 1: sealed by SHA-256 with the states; 2: by HMAC with the states' digest (`AuditChain`).
    @Field(key: "chain_version") var chainVersion: Int
    /// SHA-256 of the before and after states (version 2), kept when the states are blanked by an erasure.
    @OptionalField(key: "payload_digest") var payloadDigest: String?
    /// When the states were blanked because they named an erased or anonymised patient.
    @OptionalField(key: "payload_erased_at") var payloadErasedAt: Date?
    /// SHA-256 of who and what the entry names (version 3), kept when an access trace past its keeping loses them.
    @OptionalField(key: "identity_digest") var identityDigest: String?
    /// When the entry, an access trace older than its keeping (`Retention`), lost who and what it named.
    @OptionalField(key: "pruned_at") var prunedAt: Date?

    init() {}
}

/// Who made a change: a signed-in user, or the system acting for a command.
struct AuditActor: Sendable, Equatable {
    let userID: UUID?
    /// What the journal records: the account's e-mail, or `system:purpose`.
    let label: String
    /// As people read it on the screens: "Claire Martin (Praticien)", "Permanence — relance automatique".
    let name: String

    init(userID: UUID?, label: String, name: String? = nil) {
        self.userID = userID
        self.label = label
        self.name = name ?? Self.readable(label)
    }

    static func system(_ purpose: String) -> AuditActor { AuditActor(userID: nil, label: "system:\(purpose)") }

    /// A journal label as a person reads it: the system's acts named for what they are; an account's label as it is.
    static func readable(_ label: String) -> String {
        if label == AppointmentLinks.actorLabel { return "Le patient, par le lien de son rappel" }
        if label == MessageReceiptsAPI.stopActorLabel { return "Le patient, par sa réponse STOP à un SMS" }
        if label.hasPrefix("connexion:") { return "Logiciel du cabinet « \(label.dropFirst("connexion:".count)) »" }
        guard label.hasPrefix("system:") else { return label }
        return switch label.dropFirst("system:".count) {
        case "escalade": "Permanence — relance automatique"
        case "seed-demo", "seed-load", "seed-patients": "Permanence — données de démonstration"
        case "telephony": "Permanence — téléphonie"
        case "messages": "Permanence — messages aux patients"
        case "cli": "Permanence — ligne de commande"
        case let other: "Permanence — \(other)"
        }
    }

    /// "Claire Martin (Praticien)".
    static func personName(_ displayName: String, role: Role) -> String { "\(displayName) (\(role.label))" }
}

/// What happened to the entity.
enum AuditAction: String, Sendable, CaseIterable {
    case create, update, delete, read
    /// Two patient records made one by a person's decision.
    case merge
    /// A patient's whole file handed out (RGPD right of access), and a record erased or anonymised.
    case export, erase, anonymise
    /// Patients created from a practice's previous software, in one batch.
    case `import`
    case login, loginFailed = "login_failed", logout
    /// Too many failures: an account name or an address refused for a while.
    case lockout
    /// The journal's older entries sealed anew with the audit key.
    case chainUpgraded = "chain_upgraded"
    /// Someone read the journal (the audit viewer, its export).
    case auditViewed = "audit_viewed"
    case tokenIssued = "token_issued", tokenRevoked = "token_revoked"
}
