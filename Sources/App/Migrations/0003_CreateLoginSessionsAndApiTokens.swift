import Fluent

struct CreateLoginSessionsAndApiTokens: AsyncMigration {
    var name: String { "0003_CreateLoginSessionsAndApiTokens" }

    func prepare(on database: any Database) async throws {
        try await database.schema("login_sessions")
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("remote_address", .string)
            .unique(on: "token_hash")
            .create()
        try await database.schema("api_tokens")
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("label", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("api_tokens").delete()
        try await database.schema("login_sessions").delete()
    }
}
