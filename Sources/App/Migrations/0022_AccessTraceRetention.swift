import Fluent

/// The journal's version 3 seal (`AuditChain`): who and what an entry names (actor, record, practice, request) counted
/// through their digest, so that access traces past their keeping can lose those names and leave the chain whole;
/// and when they did.
struct AccessTraceRetention: AsyncMigration {
    var name: String { "0022_AccessTraceRetention" }

    func prepare(on database: any Database) async throws {
        // SQLite adds one column per statement.
        try await database.schema("audit_entries").field("identity_digest", .string).update()
        try await database.schema("audit_entries").field("pruned_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_entries").deleteField("pruned_at").update()
        try await database.schema("audit_entries").deleteField("identity_digest").update()
    }
}
