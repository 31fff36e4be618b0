import Fluent

struct CreateCenterAndPractices: AsyncMigration {
    var name: String { "0001_CreateCenterAndPractices" }

    func prepare(on database: any Database) async throws {
        try await database.schema("centers")
            .id()
            .field("name", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("practices")
            .id()
            .field("center_id", .uuid, .required, .references("centers", "id"))
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("greeting", .string, .required)
            .field("address", .string, .required)
            .field("phone", .string, .required)
            .field("time_zone", .string, .required)
            .field("alsace_moselle", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "slug")
            .unique(on: "phone")
            .create()
        try await database.schema("practitioners")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("title", .string, .required)
            .field("first_name", .string, .required)
            .field("last_name", .string, .required)
            .field("profession", .string, .required)
            .field("rpps", .string)
            .field("created_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("practitioners").delete()
        try await database.schema("practices").delete()
        try await database.schema("centers").delete()
    }
}
