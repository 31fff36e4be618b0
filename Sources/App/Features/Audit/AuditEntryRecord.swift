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

    init() {}
}

/// Who made a change: a signed-in user, or the system acting for a command.
struct AuditActor: Sendable, Equatable {
    let userID: UUID?
    let label: String

    static func system(_ purpose: String) -> AuditActor { AuditActor(userID: nil, label: "system:\(purpose)") }
}

/// What happened to the entity.
enum AuditAction: String, Sendable {
    case create, update, delete, read
    /// Two patient records made one by a person's decision.
    case merge
    /// A patient's whole file handed out (RGPD right of access), and a record erased or anonymised.
    case export, erase, anonymise
    /// Patients created from a practice's previous software, in one batch.
    case `import`
    case login, loginFailed = "login_failed", logout
    case tokenIssued = "token_issued", tokenRevoked = "token_revoked"
}
