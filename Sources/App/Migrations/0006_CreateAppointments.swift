import Fluent
import SQLKit

struct CreateAppointments: AsyncMigration {
    var name: String { "0006_CreateAppointments" }

    func prepare(on database: any Database) async throws {
        try await database.schema("appointments")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("practitioner_id", .uuid, .required, .references("practitioners", "id"))
            .field("patient_id", .uuid, .required, .references("patients", "id"))
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("status", .string, .required)
            .field("reason", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await (database as! any SQLDatabase).create(index: "appointments_practitioner_start")
            .on("appointments").column("practitioner_id").column("starts_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("appointments").delete()
    }
}
