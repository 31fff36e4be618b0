import Fluent
import SQLKit

/// The journal's keyed chain (`AuditChain` version 2): the version of each entry's seal, the digest of its states,
/// and when those states were blanked by an erasure. Existing entries stay version 1 until `AuditChainUpgrade`.
struct KeyedAuditChain: AsyncMigration {
    var name: String { "0019_KeyedAuditChain" }

    func prepare(on database: any Database) async throws {
        // SQLite adds one column per statement.
        try await database.schema("audit_entries").field("chain_version", .int, .required, .sql(.default(1))).update()
        try await database.schema("audit_entries").field("payload_digest", .string).update()
        try await database.schema("audit_entries").field("payload_erased_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_entries").deleteField("payload_erased_at").update()
        try await database.schema("audit_entries").deleteField("payload_digest").update()
        try await database.schema("audit_entries").deleteField("chain_version").update()
    }
}
