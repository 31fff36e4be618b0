import Fluent
import SQLKit

/// The practices' connections to their own software (`Connections`): tokens for a practice's software, the
/// practitioners' calendar feeds, webhook subscriptions; webhook deliveries leave through the outbox, which learns
/// their subscription, event and answer code.
struct CreateConnections: AsyncMigration {
    var name: String { "0027_CreateConnections" }

    /// A webhook delivery's subscription, event and answer code; an appointment's revision in the calendars (its
    /// iCalendar `SEQUENCE`, raised by each move and by its cancellation; nil before either).
    static let columns: [(String, String, DatabaseSchema.DataType)] = [
        ("outbox_messages", "webhook_subscription_id", .uuid), ("outbox_messages", "event", .string), ("outbox_messages", "response_code", .int),
        ("appointments", "calendar_sequence", .int),
    ]

    func prepare(on database: any Database) async throws {
        try await database.schema("connection_tokens")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("label", .string, .required)
            .field("token_hash", .string, .required)
            /// Whether the software may book and cancel; whether it reads the transmissions' text.
            .field("can_write", .bool, .required)
            .field("reads_messages", .bool, .required)
            .field("created_by_label", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("last_used_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema("calendar_feeds")
            .id()
            .field("practice_id", .uuid, .required, .references("practices", "id"))
            .field("practitioner_id", .uuid, .required, .references("practitioners", "id"))
            .field("token_hash", .string, .required)
            /// The feed's address, sealed with the server's key: shown again to its practitioner, never stored plain.
            .field("sealed_token", .string, .required)
            .field("shows_patient_name", .bool, .required)
            .field("shows_motif", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema("webhook_subscriptions")
            .id()
            /// Nil for the center's own subscription (every practice).
            .field("practice_id", .uuid, .references("practices", "id"))
            .field("url", .string, .required)
            /// Event names separated by commas.
            .field("events", .string, .required)
            /// The signing secret, sealed with the server's key.
            .field("sealed_secret", .string, .required)
            /// Whether the payload's Communication carries the transmission's text.
            .field("reads_messages", .bool, .required)
            .field("created_by_label", .string, .required)
            .field("created_at", .datetime, .required)
            .field("secret_rotated_at", .datetime)
            .field("disabled_at", .datetime)
            .create()
        for (table, name, type) in Self.columns {
            try await database.schema(table).field(.definition(name: .key(.string(name)), dataType: type, constraints: [])).update()
        }
        let sql = database as! any SQLDatabase
        try await sql.create(index: "calendar_feeds_practitioner").on("calendar_feeds").column("practitioner_id").run()
        try await sql.create(index: "outbox_messages_subscription").on("outbox_messages").column("webhook_subscription_id").column("created_at").run()
        // The FHIR searches by date and by last change.
        try await sql.create(index: "appointments_practice_updated").on("appointments").column("practice_id").column("updated_at").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "appointments_practice_updated").run()
        try await sql.drop(index: "outbox_messages_subscription").run()
        for (table, name, _) in Self.columns.reversed() {
            try await database.schema(table).deleteField(.key(.string(name))).update()
        }
        for table in ["webhook_subscriptions", "calendar_feeds", "connection_tokens"] { try await database.schema(table).delete() }
    }
}
