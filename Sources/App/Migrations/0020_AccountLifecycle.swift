import Fluent

/// A password reset by an administrator is temporary: its holder must choose a new one at the next sign-in.
struct AccountLifecycle: AsyncMigration {
    var name: String { "0020_AccountLifecycle" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users").field("must_change_password", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").deleteField("must_change_password").update()
    }
}
