import Fluent
import SQLKit

struct CreateAuditEntries: AsyncMigration {
    var name: String { "0004_CreateAuditEntries" }

    func prepare(on database: any Database) async throws {
        try await database.schema("audit_entries")
            .field("seq", .int64, .identifier(auto: false))
            .field("occurred_at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_label", .string, .required)
            .field("action", .string, .required)
            .field("entity", .string, .required)
            .field("entity_id", .string, .required)
            .field("practice_id", .uuid)
            .field("before", .string)
            .field("after", .string)
            .field("request_id", .string)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            .unique(on: "hash")
            .create()
        try await (database as! any SQLDatabase).create(index: "audit_entries_entity")
            .on("audit_entries").column("entity").column("entity_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_entries").delete()
    }
}
