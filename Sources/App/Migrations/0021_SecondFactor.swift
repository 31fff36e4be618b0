import Fluent

/// The second factor: each account's TOTP secret (sealed with the server's key, never in clear), the one being
/// enrolled, the last step used (a code opens once); ten recovery codes per account, hashed; the sign-in halfway
/// between the password and the code; and whether the center asks it of its secretaries too.
struct SecondFactor: AsyncMigration {
    var name: String { "0021_SecondFactor" }

    func prepare(on database: any Database) async throws {
        // SQLite adds one column per statement.
        try await database.schema("users").field("totp_secret", .string).update()
        try await database.schema("users").field("totp_pending_secret", .string).update()
        try await database.schema("users").field("totp_enabled_at", .datetime).update()
        try await database.schema("users").field("totp_last_step", .int64).update()
        try await database.schema("centers").field("second_factor_for_secretaries", .bool, .required, .sql(.default(false))).update()
        try await database.schema("recovery_codes")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("used_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "code_hash")
            .create()
        try await database.schema("login_challenges")
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("next", .string, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("login_challenges").delete()
        try await database.schema("recovery_codes").delete()
        try await database.schema("centers").deleteField("second_factor_for_secretaries").update()
        for field in ["totp_last_step", "totp_enabled_at", "totp_pending_secret", "totp_secret"] {
            try await database.schema("users").deleteField(.string(field)).update()
        }
    }
}
