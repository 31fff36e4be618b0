import Fluent
import SQLKit

struct CreatePatients: AsyncMigration {
    var name: String { "0005_CreatePatients" }

    func prepare(on database: any Database) async throws {
        try await database.schema("patients")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("birth_name", .string, .required)
            .field("first_names", .string, .required)
            .field("used_name", .string)
            .field("birth_date", .string, .required)
            .field("sex", .string, .required)
            .field("phone", .string)
            .field("email", .string)
            .field("created_at", .datetime)
            .create()
        try await (database as! any SQLDatabase).create(index: "patients_practice_birth_date")
            .on("patients").column("practice_id").column("birth_date").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("patients").delete()
    }
}
