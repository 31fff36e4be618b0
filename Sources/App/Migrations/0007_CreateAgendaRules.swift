import Fluent
import SQLKit

struct CreateAgendaRules: AsyncMigration {
    var name: String { "0007_CreateAgendaRules" }

    func prepare(on database: any Database) async throws {
        try await database.schema("motifs")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("label", .string, .required)
            .field("duration_minutes", .int, .required)
            .field("buffer_after_minutes", .int, .required)
            .field("practitioner_ids", .string, .required)
            .field("new_patients_allowed", .bool, .required)
            .field("minimum_notice_minutes", .int, .required)
            .field("horizon_days", .int, .required)
            .field("patient_instructions", .string, .required)
            .field("bookable_by", .string, .required)
            .field("colour", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("weekly_templates")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("practitioner_id", .uuid, .required, .references("practitioners", "id"))
            .field("valid_from", .string, .required)
            .field("valid_until", .string)
            .field("ranges", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("agenda_exceptions")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("practitioner_id", .uuid, .required, .references("practitioners", "id"))
            .field("kind", .string, .required)
            .field("reason", .string, .required)
            .field("motif_ids", .string)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("urgent_slot_rules")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("practitioner_id", .uuid, .required, .references("practitioners", "id"))
            .field("fixed_times", .string)
            .field("last_slots_count", .int)
            .field("slot_minutes", .int, .required)
            .field("release_before_minutes", .int, .required)
            .field("weekdays", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema("practices")
            .field("opened_holidays", .string, .required, .sql(.default("")))
            .update()
        let sql = database as! any SQLDatabase
        for table in ["motifs", "weekly_templates", "agenda_exceptions", "urgent_slot_rules"] {
            try await sql.create(index: "\(table)_practice").on(table).column("practice_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("practices").deleteField("opened_holidays").update()
        for table in ["urgent_slot_rules", "agenda_exceptions", "weekly_templates", "motifs"] {
            try await database.schema(table).delete()
        }
    }
}
