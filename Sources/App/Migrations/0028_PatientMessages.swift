import Fluent
import SQLKit

/// Patients kept informed (`PatientMessages`): each practice's settings and wordings, the messages' patient,
/// appointment, kind and delivery receipt in the outbox, and the reminders' cancellation links.
struct CreatePatientMessages: AsyncMigration {
    var name: String { "0028_PatientMessages" }

    /// A patient message's patient, appointment, kind ("confirmation", "reminder"…), a reminder's lead in hours, the
    /// appointment's start it was written for, the gateway's reference and the delivery receipt's time.
    static let columns: [(String, String, DatabaseSchema.DataType)] = [
        ("outbox_messages", "patient_id", .uuid), ("outbox_messages", "appointment_id", .uuid), ("outbox_messages", "kind", .string),
        ("outbox_messages", "lead_hours", .int), ("outbox_messages", "appointment_start", .datetime),
        ("outbox_messages", "provider_reference", .string), ("outbox_messages", "delivered_at", .datetime),
    ]

    func prepare(on database: any Database) async throws {
        try await database.schema("practice_messaging")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("sms", .bool, .required)
            .field("email", .bool, .required)
            .field("reminder_24h", .bool, .required)
            .field("reminder_72h", .bool, .required)
            /// The motifs reminded, ids separated by commas; empty for every motif.
            .field("reminder_motifs", .string, .required)
            .field("names_practitioner", .bool, .required)
            .field("specialty_sensitive", .bool, .required)
            /// A reminder's link cancels until this many hours before the appointment; later, the patient calls.
            .field("link_notice_hours", .int, .required)
            /// The practice's own wordings, JSON `{"reminder_sms": "…"}`; a kind and channel missing uses the standard one.
            .field("templates", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "practice_id")
            .create()
        try await database.schema("appointment_links")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("appointment_id", .uuid, .required, .references("appointments", "id"))
            .field("token_hash", .string, .required)
            /// The start the reminder announced: a link of a moved appointment no longer acts.
            .field("appointment_start", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("created_at", .datetime, .required)
            .field("used_at", .datetime)
            /// "cancelled" or "confirmed" once used.
            .field("outcome", .string)
            .unique(on: "token_hash")
            .create()
        for (table, name, type) in Self.columns {
            try await database.schema(table).field(.definition(name: .key(.string(name)), dataType: type, constraints: [])).update()
        }
        let sql = database as! any SQLDatabase
        try await sql.create(index: "outbox_messages_appointment").on("outbox_messages").column("appointment_id").column("kind").run()
        try await sql.create(index: "outbox_messages_patient").on("outbox_messages").column("patient_id").column("created_at").run()
        try await sql.create(index: "appointment_links_appointment").on("appointment_links").column("appointment_id").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for index in ["appointment_links_appointment", "outbox_messages_patient", "outbox_messages_appointment"] { try await sql.drop(index: index).run() }
        for (table, name, _) in Self.columns.reversed() {
            try await database.schema(table).deleteField(.key(.string(name))).update()
        }
        for table in ["appointment_links", "practice_messaging"] { try await database.schema(table).delete() }
    }
}
