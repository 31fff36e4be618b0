import Fluent

struct CreateUsers: AsyncMigration {
    var name: String { "0002_CreateUsers" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("email", .string, .required)
            .field("display_name", .string, .required)
            .field("role", .string, .required)
            .field("password_hash", .string, .required)
            .field("failed_logins", .int, .required)
            .field("locked_until", .datetime)
            .field("practitioner_id", .uuid, .references("practitioners", "id"))
            .field("disabled", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "email")
            .create()
        try await database.schema("user_practices")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .unique(on: "user_id", "practice_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("user_practices").delete()
        try await database.schema("users").delete()
    }
}
