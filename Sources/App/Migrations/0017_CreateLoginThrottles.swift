import Fluent

/// Sign-in failures counted per account name typed (known or not) and per address, in one row each, so that concurrent
/// guesses all count and an unknown account answers like a known one. Replaces the counters on `users`.
struct CreateLoginThrottles: AsyncMigration {
    var name: String { "0017_CreateLoginThrottles" }

    func prepare(on database: any Database) async throws {
        try await database.schema("login_throttles")
            .id()
            .field("key", .string, .required)
            .field("failures", .int, .required)
            .field("locked_until", .datetime)
            .field("last_failure_at", .datetime, .required)
            .unique(on: "key")
            .create()
        // SQLite drops one column per statement.
        try await database.schema("users").deleteField("failed_logins").update()
        try await database.schema("users").deleteField("locked_until").update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").field("failed_logins", .int, .required, .sql(.default(0))).update()
        try await database.schema("users").field("locked_until", .datetime).update()
        try await database.schema("login_throttles").delete()
    }
}
